"""What routes receive: the facade and settings of their app, the request id. Who may call
a route is declared with `entrypoints.http.access`."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import Depends, Request

from commerce_core.app import Commerce
from entrypoints.http.problems import request_id_of
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
