"""Who may run each command: every command declares a permission (or `LOCAL`), and the caller
is the principal the same authenticator chain as the HTTP API finds for the CLI's token.

The token is `COMMERCE_TOKEN`, else the first line of `COMMERCE_TOKEN_FILE` (which
`commerce login` writes). The operator token itself is a token like any other: run with
`COMMERCE_TOKEN=$COMMERCE_OPERATOR_TOKEN` to act as the shop's operator ("local operator
mode"). Without a token the caller is anonymous, and every command needing a permission
refuses in one line (exit 1).

`LOCAL` commands run the shop itself (`serve`, `worker`, `db`, `demo`): holding the shop's
settings, its database URL and secrets, is their authority, so they ask for no token.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, TypeVar, cast

from typer import Context, Typer

from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.auth import require_permission
from entrypoints.settings import Settings

LOCAL: Final = "local"
_MARK: Final = "__commerce_permission__"
F = TypeVar("F", bound=Callable[..., Any])


def cli_token(settings: Settings) -> str | None:
    """The bearer the CLI presents: `COMMERCE_TOKEN`, else the token file's first line."""
    if settings.token is not None and settings.token.get_secret_value().strip():
        return settings.token.get_secret_value().strip()
    path = Path(settings.token_file).expanduser()
    try:
        first = path.read_text(encoding="utf-8").strip().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        first = []
    if first and first[0].strip():
        return first[0].strip()
    return _signed_in_token()


def _signed_in_token() -> str | None:
    """The access token `commerce login` keeps (its credentials file), if any."""
    from entrypoints.cli.identity import credentials_file

    try:
        token = json.loads(credentials_file().read_text(encoding="utf-8")).get("access_token")
    except (OSError, ValueError, AttributeError):
        return None
    return token if isinstance(token, str) and token else None


def permits(permission: Permission | str) -> Callable[[F], F]:
    """Declare what a command needs; put it between `@app.command(...)` and the function.

    The check runs before the command's body: anonymous or lacking the permission, the command
    refuses in one line (the root group turns the error into exit code 1)."""

    def declare(command: F) -> F:
        @functools.wraps(command)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if permission != LOCAL:
                from entrypoints.cli.runtime import runtime  # the runtime imports this module

                # Typer hands over its click context (typer.Context is a subclass of its class).
                ctx = next((a for a in (*args, *kwargs.values())
                            if hasattr(a, "find_object") and hasattr(a, "command_path")), None)
                if ctx is None:
                    raise RuntimeError(f"{command.__name__} needs a `typer.Context` parameter")
                principal: Principal = runtime(cast(Context, ctx)).principal
                require_permission(principal, str(permission), f"`{ctx.command_path}`")
            return command(*args, **kwargs)

        setattr(checked, _MARK, str(permission))
        return cast(F, checked)

    return declare


def declared_permission(callback: Callable[..., Any] | None) -> str | None:
    return getattr(callback, _MARK, None)


def commands(app: Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, Callable[..., Any]]]:
    """Every command of `app` and its sub-apps, by its path (`catalog products list`)."""
    found: list[tuple[str, Callable[..., Any]]] = []
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__.replace("_", "-") if info.callback else "")
        if info.callback is not None:
            found.append((" ".join((*prefix, name)), info.callback))
    for group in app.registered_groups:
        if group.typer_instance is not None:
            sub = (*prefix, group.name) if group.name else prefix
            found.extend(commands(group.typer_instance, sub))
    return found
