"""Request ids (`X-Request-ID` in and out), one structured access log line per request, and the
request metrics by route template."""

from __future__ import annotations

import logging
import re
import time
from typing import Final

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce_core.shared.ids import uuid7
from entrypoints.http.metrics import UNMATCHED_ROUTE, HttpMetrics
from entrypoints.http.problems import REQUEST_ID_HEADER
from entrypoints.logs import request_id_var

access_log = logging.getLogger("commerce.http.access")

# A client's id is reused only if it is short and plain, so it cannot forge log lines.
_ACCEPTABLE_ID: Final = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Gives every request an id (the caller's `X-Request-ID` when acceptable, else a new
    UUIDv7), stores it in `request.state.request_id` and in the logging context (so every line
    logged while serving it carries it), echoes it on the response, and once the response is
    sent logs `method path route status duration` with it and counts it in `metrics` under its
    route template (`/carts/{cart_id}`, never the raw path).

    A plain ASGI middleware rather than `BaseHTTPMiddleware`, so responses are not buffered and
    request bodies stream through untouched.
    """

    def __init__(self, app: ASGIApp, metrics: HttpMetrics | None = None) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = Headers(scope=scope).get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTABLE_ID.match(offered) else str(uuid7())
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
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
            seconds = time.perf_counter() - started
            route = _route_template(scope)
            fields = {
                "request_id": request_id,
                "method": scope["method"],
                "path": scope["path"],
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "client": scope["client"][0] if scope.get("client") else None,
            }
            access_log.info(
                " ".join(f"{key}=%s" for key in fields), *fields.values(), extra={"http": fields}
            )
            if self.metrics is not None:
                self.metrics.observe(route, scope["method"], status, seconds)
            request_id_var.reset(token)


def _route_template(scope: Scope) -> str:
    """The path template of the route that served the request (set on the scope by routing)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE
