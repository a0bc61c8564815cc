"""Errors as RFC 9457 problem details (`application/problem+json`), mapped in one place.

Core errors map to an HTTP status by their category alone (`STATUS_BY_CATEGORY`); the stable
`code` tells clients which rule refused them. Consequences worth knowing:

- 422 means the request content itself is wrong (`InvalidInput`): sent again unchanged, it
  fails again whatever the shop holds. `IdempotencyKeyReused` is one (spec
  events-reliability §4.4).
- 409 means the request is valid but the current state of the shop forbids it: a `Conflict`
  (a wrong status, a duplicate, a stale version, `CheckoutInProgress`) or a
  `BusinessRuleViolation` (`InsufficientStock`, `PaymentDeclined`, `CheckoutNotPossible`,
  `NothingToPick`, ...); the same request may succeed once that state changes (ADR 0010).
  No status is special-cased per error, so a client can rely on the table and switch on `code`.
- `ServiceUnavailable` (a gateway down or timing out) → 503; the shopper may retry later.

Request validation errors answer 422 with an `errors` list (RFC 9457 §3's shape), malformed JSON
answers 400, framework errors (unknown route, wrong method) keep their status, and anything
unexpected answers 500 without internals; every problem carries the request id.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    CommerceError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from commerce_core.shared.events import to_json

log = logging.getLogger("commerce.http")

PROBLEM_TYPE_BASE: Final = "https://commerce-core.dev/problems/"
PROBLEM_MEDIA_TYPE: Final = "application/problem+json"
REQUEST_ID_HEADER: Final = "X-Request-ID"

STATUS_BY_CATEGORY: Final[Mapping[type[CommerceError], int]] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    BusinessRuleViolation: 409,
    Forbidden: 403,
    ServiceUnavailable: 503,
}
# A core error outside every category is still a deliberate refusal, not a crash.
UNCATEGORISED_STATUS: Final = 400

# Members every problem has (RFC 9457's plus ours); a core error detail with one of these names
# is sent as `resource_<name>` (the cart's `status`, a warehouse's `code`) instead of clashing.
_RESERVED: Final = frozenset(
    {"type", "title", "status", "detail", "instance", "code", "request_id", "errors"}
)


class Problem(BaseModel):
    """The body of every error response (documented in OpenAPI; rendered by `problem`)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[PROBLEM_TYPE_BASE + "cart.invalid_quantity"])
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable code; switch on this")
    instance: str = Field(description="The request path")
    request_id: str | None = None


# Inlined rather than given as `model`, which FastAPI would file under `application/json`.
_PROBLEM_CONTENT: Final = {PROBLEM_MEDIA_TYPE: {"schema": Problem.model_json_schema()}}
PROBLEM_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    "4XX": {"description": "A problem (RFC 9457)", "content": _PROBLEM_CONTENT},
    "5XX": {"description": "A problem (RFC 9457)", "content": _PROBLEM_CONTENT},
}
# What every operation that changes something may answer besides its success (ADR 0010).
REFUSAL_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    409: {"description": "Refused in the shop's current state (a wrong status, a duplicate, a "
          "stale version, or a business rule such as insufficient stock or an empty cart); "
          "the same request may succeed once that state changes. A problem (RFC 9457): "
          "switch on `code`.", "content": _PROBLEM_CONTENT},
    422: {"description": "The request content itself is wrong (`request.invalid` with an "
          "`errors` list, or a rule the content alone decides); sent again unchanged it fails "
          "again. A problem (RFC 9457).", "content": _PROBLEM_CONTENT},
}
_WRITES: Final = ("post", "put", "patch", "delete")


def document_refusals(app: FastAPI) -> None:
    """State 409 and 422 on every operation that changes something, in the document FastAPI
    builds (and caches) on first use."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        first = app.openapi_schema is None
        document = build()
        if first:
            for item in document.get("paths", {}).values():
                for method in _WRITES:
                    if method in item:
                        for status, response in REFUSAL_RESPONSES.items():
                            item[method]["responses"].setdefault(str(status), response)
        return document

    # FastAPI documents replacing `app.openapi` to post-process the document; mypy sees a method.
    app.openapi = openapi  # type: ignore[method-assign]


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        # `default=str`: an odd value in a core error's details must not turn a 4xx into a 500.
        return json.dumps(
            content, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str
        ).encode("utf-8")


class HttpProblem(Exception):
    """A problem the HTTP layer itself raises (authentication), rendered like core errors."""

    def __init__(
        self, status: int, code: str, detail: str, *, title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = dict(headers or {})


def request_id_of(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


def problem(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        "request_id": request_id_of(request),
    }
    for key, value in (extensions or {}).items():
        body.setdefault(key, to_json(value))
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


def status_for(error: CommerceError) -> int:
    for category in type(error).__mro__:
        status = STATUS_BY_CATEGORY.get(category)
        if status is not None:
            return int(status)
    return UNCATEGORISED_STATUS


def _title_of(error: CommerceError) -> str:
    """`InsufficientStock` → "Insufficient stock": stable per problem type, as RFC 9457 asks."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__).lower()
    return words[:1].upper() + words[1:]


async def _commerce_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, CommerceError)
    details = {f"resource_{k}" if k in _RESERVED else k: v for k, v in exc.details.items()}
    return problem(
        request, status_for(exc), exc.code, exc.message, title=_title_of(exc), extensions=details
    )


async def _http_problem(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HttpProblem)
    return problem(request, exc.status, exc.code, exc.detail, title=exc.title,
                   headers=exc.headers)


def _pointer(path: Sequence[Any]) -> str:
    """A JSON Pointer (RFC 6901) into the request body, as RFC 9457's example uses."""
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    listed = []
    for error in errors:
        location, *path = error.get("loc", ()) or ("body",)
        entry: dict[str, Any] = {
            "location": str(location), "detail": error.get("msg", ""), "type": error.get("type"),
        }
        # The offending input is not echoed back: it may be large or sensitive.
        if location == "body":
            entry["pointer"] = _pointer(path)
        else:
            entry["name"] = ".".join(str(p) for p in path)
        listed.append(entry)
    return listed


async def _request_validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(request, 400, "request.malformed_json",
                       "The request body is not valid JSON.", title="Malformed JSON")
    return problem(
        request, 422, "request.invalid", "The request does not match the expected shape; "
        "see `errors`.", title="Invalid request",
        extensions={"errors": _validation_errors(errors)},
    )


async def _framework_http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HTTPException)
    phrase = HTTPStatus(exc.status_code).phrase
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else phrase
    # An exception of our own may name its stable code (`problem_code`); framework ones get
    # theirs from the status phrase.
    code = getattr(exc, "problem_code", None) or (
        "http." + re.sub(r"[^a-z0-9]+", "_", phrase.lower()).strip("_"))
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Routing answers 405 from the first route whose path matched, naming its methods only;
        # `Allow` must list what every route of the path takes (RFC 9110 §15.5.6).
        headers["Allow"] = ", ".join(allowed_methods(request))
    return problem(request, exc.status_code, code, detail, headers=headers)


_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on the request's path: the request is matched again
    against the app's routes once per method, so included routers count like plain routes."""
    routes = request.app.router.routes
    return [method for method in _METHODS
            if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                   for route in routes)]


async def _unexpected_error(request: Request, exc: Exception) -> ProblemResponse:
    request_id = request_id_of(request)
    log.error("unhandled error in %s %s (request %s)", request.method, request.url.path,
              request_id, exc_info=exc)
    # This response bypasses the request-id middleware (Starlette sends it from the outermost
    # layer), so the header is set here.
    headers = {REQUEST_ID_HEADER: request_id} if request_id else None
    return problem(
        request, 500, "internal.error",
        "Something went wrong on our side; quote the request id when reporting it.",
        headers=headers,
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(CommerceError, _commerce_error)
    app.add_exception_handler(HttpProblem, _http_problem)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(HTTPException, _framework_http_error)
    app.add_exception_handler(Exception, _unexpected_error)
