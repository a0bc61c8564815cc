"""Every command declares what it needs, and the CLI's caller is whoever its token names through
the same authenticator chain as the HTTP API: anonymous or lacking the permission, a command
refuses in one line, exits 1 and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.cli.access import LOCAL, commands, declared_permission
from entrypoints.cli.main import app
from entrypoints.settings import Settings
from tests.conftest import CLI_OPERATOR_TOKEN
from tests.e2e.test_cli import (  # noqa: F401
    commerce_cli,
    database_url,
    refused,
    seeded_url,
    stock_rows,
    succeeded,
)

VIEWER_TOKEN = "inventory-viewer"


class ViewerBearers:
    """An authenticator on the chain (through `COMMERCE_AUTHENTICATORS`): one read-only token."""

    def authenticate(self, credential: str) -> Principal | None:
        if credential != VIEWER_TOKEN:
            return None
        return Principal(kind="staff", subject="u-viewer",
                         permissions=frozenset({Permission.INVENTORY_READ.value}))


def viewer_bearers(settings: Settings) -> ViewerBearers:
    return ViewerBearers()


def test_every_command_declares_its_permission() -> None:
    found = commands(app)
    names = {p.value for p in Permission} | {LOCAL}

    assert len(found) >= 60
    undeclared = [path for path, callback in found if declared_permission(callback) is None]
    assert undeclared == []
    assert all(declared_permission(callback) in names for _, callback in found)
    declared = {path: declared_permission(callback) for path, callback in found}
    assert declared["stock show"] == "inventory.read"
    assert declared["orders refund"] == "payments.refund"
    assert {path for path, permission in declared.items() if permission == LOCAL} == {
        "db upgrade", "db current", "demo", "serve", "worker", "locations show",
        "locations load", "login", "whoami", "users create-admin"}


def test_without_a_token_a_command_refuses_in_one_line(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.delenv("COMMERCE_TOKEN")

    result = commerce_cli("--database-url", seeded_url, "stock", "show")

    stderr = refused(result, "auth.unauthenticated")
    assert "inventory.read" in stderr


def test_a_token_no_authenticator_accepts_is_refused(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.setenv("COMMERCE_TOKEN", "not-a-token")

    refused(commerce_cli("--database-url", seeded_url, "stock", "show"), "auth.invalid_token")


def test_a_read_only_token_reads_but_cannot_change_anything(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.setenv("COMMERCE_AUTHENTICATORS", f"{__name__}:viewer_bearers")
    monkeypatch.setenv("COMMERCE_TOKEN", VIEWER_TOKEN)
    before = succeeded(commerce_cli("--database-url", seeded_url, "stock", "show"))

    denied = commerce_cli("--database-url", seeded_url, "stock", "set", "LINEN-SHIRT-M",
                          "HCM", "1")
    other = commerce_cli("--database-url", seeded_url, "orders", "list")

    stderr = refused(denied, "auth.forbidden")
    assert "inventory.adjust" in stderr
    refused(other, "auth.forbidden")
    assert succeeded(commerce_cli("--database-url", seeded_url, "stock", "show")) == before


def test_the_token_file_written_by_login_names_the_caller(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,  # noqa: F811
) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{CLI_OPERATOR_TOKEN}\n", encoding="utf-8")
    monkeypatch.delenv("COMMERCE_TOKEN")
    monkeypatch.setenv("COMMERCE_TOKEN_FILE", str(token_file))

    shown = succeeded(commerce_cli("--database-url", seeded_url, "stock", "show",
                                   "LINEN-SHIRT-M"))

    assert stock_rows(shown, "LINEN-SHIRT-M")


def test_local_commands_need_no_token(
    database_url: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    monkeypatch.delenv("COMMERCE_TOKEN")

    assert "0027" in succeeded(commerce_cli("--database-url", database_url, "db", "current"))
