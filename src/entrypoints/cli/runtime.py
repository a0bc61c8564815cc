"""What every command shares: the settings, and the core built from them on first use."""

from __future__ import annotations

import typer
from attrs import define, field

from commerce_core import Commerce
from commerce_core.shared.principal import Principal
from entrypoints import logs
from entrypoints.auth import chain_for
from entrypoints.cli.access import cli_token
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
    _principal: Principal | None = field(default=None, init=False)

    @property
    def container(self) -> Container:
        if self._container is None:
            self._container = make_container(self.settings)
        return self._container

    @property
    def principal(self) -> Principal:
        """Who runs the command: the CLI's token checked by the HTTP API's authenticator
        chain (`entrypoints.cli.access`); resolved once per run."""
        if self._principal is None:
            commerce = self.commerce
            own = [commerce.identity.authenticator] if commerce.ports.identity is not None else []
            extra = [*own, *self.container.authenticators()]
            chain = chain_for(self.settings.operator_token, extra)
            self._principal = chain.principal(cli_token(self.settings))
        return self._principal

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
    secrets = tuple(s for s in (settings.operator_token, settings.token
                                and settings.token.get_secret_value()) if s)
    logs.configure(settings.log_level, settings.log_format, secrets)
