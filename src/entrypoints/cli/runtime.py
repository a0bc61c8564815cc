"""What every command shares: the settings, and the core built from them on first use."""

from __future__ import annotations

import typer
from attrs import define, field

from commerce_core import Commerce
from entrypoints import logs
from entrypoints.container import Container, make_container
from entrypoints.settings import Settings


def uses_sql(settings: Settings) -> bool:
    return not settings.database_url.startswith("memory://")


@define
class Runtime:
    """Set on the root context by the app callback. The container is built only when a command
    first asks for the core: `--help`, `demo` and the `db` commands never build it."""

    settings: Settings
    _container: Container | None = field(default=None, init=False)

    @property
    def container(self) -> Container:
        if self._container is None:
            self._container = make_container(self.settings)
        return self._container

    @property
    def commerce(self) -> Commerce:
        commerce: Commerce = self.container.commerce()
        return commerce


def runtime(ctx: typer.Context) -> Runtime:
    found = ctx.find_object(Runtime)
    if found is None:
        raise RuntimeError("the root callback sets up the runtime before any command runs")
    return found


def configure_logging(settings: Settings) -> None:
    """Text or JSON lines (`COMMERCE_LOG_FORMAT`), with the operator token scrubbed."""
    secrets = (settings.operator_token,) if settings.operator_token else ()
    logs.configure(settings.log_level, settings.log_format, secrets)
