"""Request bodies within bounds: at most `max_bytes`, read within `read_timeout` seconds.

A pure ASGI middleware, so nothing is buffered on the way:

- a declared `Content-Length` above the limit is refused with 413 before the app runs and
  before a byte of the body is read;
- a body without a length (chunked) is counted as it streams through `receive`; the chunk that
  crosses the limit raises `BodyTooLarge`, which the problem handlers render as 413, so the rest
  of the body is never read;
- a body that takes longer than `read_timeout` to arrive (a slow upload) answers 408, so a
  client dripping bytes cannot hold a request open for ever.
"""

from __future__ import annotations

import asyncio
import time
from typing import Final

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.problems import problem

DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
DEFAULT_BODY_READ_TIMEOUT_SECONDS: Final = 30.0


class BodyTooLarge(HTTPException):
    """The body grew past the limit while streaming."""

    problem_code = "request.body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.",
                         headers={"Connection": "close"})
        self.limit = limit


class BodyReadTimeout(HTTPException):
    """The body did not arrive within the read timeout."""

    problem_code = "request.body_timeout"

    def __init__(self, seconds: float) -> None:
        super().__init__(408, f"The request body did not arrive within {seconds:g} seconds.",
                         headers={"Connection": "close"})
        self.seconds = seconds


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        read_timeout: float = DEFAULT_BODY_READ_TIMEOUT_SECONDS,
    ) -> None:
        self.app, self.max_bytes, self.read_timeout = app, max_bytes, read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            try:
                length = int(declared)
            except ValueError:
                length = -1
            if length < 0:
                await self._refuse(scope, receive, send, 400, "request.invalid_content_length",
                                   "Content-Length is not a byte count.")
                return
            if length > self.max_bytes:
                await self._refuse(scope, receive, send, 413, "request.body_too_large",
                                   f"The request body is larger than {self.max_bytes} bytes.")
                return

        received = 0
        body_done = False
        deadline: float | None = None

        async def bounded_receive() -> Message:
            nonlocal received, body_done, deadline
            if body_done:  # after the body only a disconnect can come: wait as long as it takes
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + self.read_timeout
            try:
                message = await asyncio.wait_for(receive(), max(deadline - time.monotonic(), 0))
            except TimeoutError:
                raise BodyReadTimeout(self.read_timeout) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
                body_done = not message.get("more_body", False)
            return message

        await self.app(scope, bounded_receive, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, status: int, code: str, detail: str
    ) -> None:
        # `Connection: close`: the unread body must not be taken for the next request.
        response = problem(Request(scope), status, code, detail, headers={"Connection": "close"})
        await response(scope, receive, send)
