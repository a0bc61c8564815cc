"""The ASGI app factory uvicorn's worker processes import (`commerce serve --workers N`).

Each process builds its own core from the environment: `commerce serve` exports its settings
as COMMERCE_* variables before it starts them.
"""

from __future__ import annotations

from fastapi import FastAPI

from commerce_core import Commerce
from entrypoints.container import make_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings


def create() -> FastAPI:
    settings = Settings()
    container = make_container(settings)
    commerce: Commerce = container.commerce()
    return create_app(commerce, settings, authenticators=container.authenticators())
