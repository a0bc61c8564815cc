"""`commerce users`, `commerce roles`, `commerce login`: staff accounts and roles for the
operator (whoever runs the CLI holds the shop's database settings and acts as `operator`), and
a sign-in whose tokens later commands read from a 0600 file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from commerce_core.identity.errors import InvalidIdentityInput
from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.cli.access import LOCAL, permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime
from entrypoints.identity_keys import DEV_KEYS_WARNING, config_dir, uses_dev_keys

users_app = typer.Typer(no_args_is_help=True, help="Staff users: create, list, give roles.")
roles_app = typer.Typer(no_args_is_help=True, help="The built-in staff roles.")

Password = Annotated[str, typer.Option(
    prompt=True, hide_input=True, confirmation_prompt=True,
    help="Prompted for when left out (a flag ends up in the shell history)")]


def credentials_file() -> Path:
    return Path(os.environ.get("COMMERCE_CREDENTIALS_FILE")
                or config_dir() / "credentials.json")


def save_credentials(content: dict[str, Any]) -> Path:
    path = credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # Created 0600 before anything is written, so the tokens are never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle)
    return path


def stored_access_token() -> str:
    """The access token `commerce login` stored, for commands that act as the signed-in user."""
    try:
        stored = json.loads(credentials_file().read_text())
        return str(stored["access_token"])
    except (OSError, ValueError, KeyError):
        raise InvalidIdentityInput("not signed in: run `commerce login` first") from None


def _warn_dev_keys(ctx: typer.Context) -> None:
    if uses_dev_keys(runtime(ctx).settings):
        console.print(f"warning: {DEV_KEYS_WARNING}", style="bold red")


@users_app.command("create-admin")
@permits(LOCAL)
def create_admin(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(prompt=True, help="Sign-in name")],
    email: Annotated[str, typer.Option(prompt=True)],
    password: Password,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    role: Annotated[list[str] | None, typer.Option(
        help="Roles to give (repeatable); SUPER_ADMIN when left out")] = None,
) -> None:
    """A staff user (the first one, typically) with its TOTP secret, shown once."""
    identity = runtime(ctx).commerce.identity
    _warn_dev_keys(ctx)
    user = identity.create_staff_user(username, email, password, name=name,
                                      roles=tuple(role or ("SUPER_ADMIN",)))
    enrolment = identity.enroll_mfa(user.id)
    ok(f"staff user {user.username} created ({user.id}), roles {', '.join(user.roles)}")
    console.print("Add this to an authenticator app now; it is not shown again:")
    console.print(enrolment.provisioning_uri, soft_wrap=True)
    console.print(f"then: commerce login {user.username} --staff --code <6 digits>")


@users_app.command("list")
@permits(Permission.USERS_READ)
def list_users(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
) -> None:
    """Staff users by username."""
    users = runtime(ctx).commerce.identity.users(limit=limit)
    if not users:
        console.print("no staff users yet: commerce users create-admin")
        return
    table = Table()
    for heading in ("Username", "Email", "Status", "Roles", "MFA", "Id"):
        table.add_column(heading)
    for u in users:
        table.add_row(u.username or "", u.email, u.status.value, ", ".join(u.roles),
                      "yes" if u.mfa_enabled else "no", u.id)
    console.print(table)


def _user_id(ctx: typer.Context, user: str) -> str:
    identity = runtime(ctx).commerce.identity
    for account in identity.users(limit=10_000):
        if user in (account.id, account.username, account.email):
            return account.id
    raise InvalidIdentityInput(f"no staff user {user!r}", user=user)


@users_app.command("assign-role")
@permits(Permission.ROLES_ASSIGN)
def assign_role(ctx: typer.Context,
                user: Annotated[str, typer.Argument(help="Username, email or id")],
                role: Annotated[str, typer.Argument(help="See `commerce roles list`")]) -> None:
    account = runtime(ctx).commerce.identity.assign_role(_user_id(ctx, user), role,
                                                         by="operator")
    ok(f"{account.username} now holds {', '.join(account.roles)} "
       f"(permissions version {account.permissions_version})")


@users_app.command("revoke-role")
@permits(Permission.ROLES_ASSIGN)
def revoke_role(ctx: typer.Context,
                user: Annotated[str, typer.Argument(help="Username, email or id")],
                role: Annotated[str, typer.Argument()]) -> None:
    account = runtime(ctx).commerce.identity.revoke_role(_user_id(ctx, user), role,
                                                         by="operator")
    ok(f"{account.username} now holds {', '.join(account.roles) or 'no role'} "
       f"(permissions version {account.permissions_version})")


@roles_app.command("list")
@permits(Permission.USERS_READ)
def list_roles(ctx: typer.Context) -> None:
    """Each role with its permissions."""
    table = Table()
    table.add_column("Role")
    table.add_column("Permissions")
    for name, permissions in sorted(runtime(ctx).commerce.identity.roles().items()):
        table.add_row(name, ", ".join(sorted(permissions)))
    console.print(table)


@permits(LOCAL)
def login(
    ctx: typer.Context,
    identifier: Annotated[str, typer.Argument(help="Email, or a staff username")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    staff: Annotated[bool, typer.Option("--staff", help="Sign in as staff")] = False,
    code: Annotated[str | None, typer.Option(
        help="TOTP or recovery code, when a second factor is owed")] = None,
) -> None:
    """Sign in and keep the tokens in a 0600 file for later commands."""
    identity = runtime(ctx).commerce.identity
    _warn_dev_keys(ctx)
    result = identity.login(identifier, password, staff=staff, user_agent="commerce-cli")
    tokens = result.tokens
    recovery: tuple[str, ...] = ()
    if result.mfa_required and code is not None:
        principal = identity.authenticate(tokens.access_token)
        assert principal.subject is not None
        if result.mfa_enrolled:
            tokens = identity.verify_mfa(principal.subject, tokens.session_id, code)
        else:
            confirmed = identity.confirm_mfa(principal.subject, tokens.session_id, code)
            tokens, recovery = confirmed.tokens, confirmed.recovery_codes
    path = save_credentials({"access_token": tokens.access_token,
                             "refresh_token": tokens.refresh_token,
                             "session_id": tokens.session_id})
    ok(f"signed in; tokens kept in {path}")
    if result.mfa_required and not tokens.mfa_verified:
        console.print("a second factor is owed: sign in again with --code")
    if recovery:
        console.print("Recovery codes (each works once; keep them offline, they are not "
                      "shown again):")
        for recovery_code in recovery:
            console.print(f"  {recovery_code}")


@permits(LOCAL)
def whoami(ctx: typer.Context) -> None:
    """Who the stored tokens name."""
    principal: Principal = runtime(ctx).commerce.identity.authenticate(stored_access_token())
    console.print(f"{principal.kind} {principal.subject}"
                  + (f" roles {', '.join(sorted(principal.roles))}" if principal.roles else "")
                  + ("" if principal.mfa_verified else " (second factor owed)"))
