"""Request ids (`X-Request-ID` in and out) and one structured access log line per request."""

from __future__ import annotations

import logging
import re
import time
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce_core.shared.ids import uuid7
from entrypoints.http.problems import REQUEST_ID_HEADER

access_log = logging.getLogger("commerce.http.access")

# A client's id is reused only if it is short and plain, so it cannot forge log lines.
_ACCEPTABLE_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Gives every request an id (the caller's `X-Request-ID` when acceptable, else a new
    UUIDv7), stores it in `request.state.request_id`, echoes it on the response, and logs
    `method path status duration` with it once the response is sent.

    A plain ASGI middleware rather than `BaseHTTPMiddleware`, so responses are not buffered and
    request bodies stream through untouched.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTABLE_ID.match(offered) else str(uuid7())
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            fields = {
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "client": scope["client"][0] if scope.get("client") else None,
            }
            access_log.info(
                " ".join(f"{key}=%s" for key in fields), *fields.values(), extra={"http": fields}
            )
