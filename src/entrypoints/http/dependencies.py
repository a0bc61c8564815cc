"""What routes receive: the facade and settings of their app, the request id, the admin guard."""

from __future__ import annotations

import hmac
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from commerce_core.app import Commerce
from entrypoints.http.problems import HttpProblem, request_id_of
from entrypoints.settings import Settings


async def get_commerce(request: Request) -> Commerce:
    return cast(Commerce, request.app.state.commerce)


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_request_id(request: Request) -> str:
    """The request's id; commands carry it as their correlation id, so the events a request
    caused can be found from its access log line."""
    return request_id_of(request) or ""


CommerceDep = Annotated[Commerce, Depends(get_commerce)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
RequestIdDep = Annotated[str, Depends(get_request_id)]

_bearer = HTTPBearer(
    auto_error=False, scheme_name="operator",
    description="`Authorization: Bearer <COMMERCE_OPERATOR_TOKEN>`",
)


async def require_operator(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """The guard of every `/admin` route: the operator token, compared in constant time."""
    expected = settings.operator_token
    if not expected:
        raise HttpProblem(403, "auth.admin_disabled",
                          "Admin routes are disabled: no operator token is configured.",
                          title="Admin disabled")
    if credentials is None:
        raise HttpProblem(401, "auth.unauthenticated",
                          "Admin routes need `Authorization: Bearer <operator token>`.",
                          headers={"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise HttpProblem(401, "auth.invalid_token", "The operator token is not valid.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
