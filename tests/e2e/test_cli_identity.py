"""`commerce users`, `commerce roles`, `commerce login`: the first admin with its TOTP
secret, roles, and a sign-in that keeps its tokens in a file only its owner reads."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.e2e.test_cli import commerce_cli, refused, succeeded
from tests.identity_support import PASSWORD, code_at


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COMMERCE_CREDENTIALS_FILE", str(tmp_path / "config" / "creds.json"))
    return f"sqlite:///{tmp_path / 'shop.db'}"


def test_first_admin_signs_in_with_totp_and_assigns_roles(url: str, tmp_path: Path) -> None:
    cli = ("--database-url", url)
    created = succeeded(commerce_cli(*cli, "users", "create-admin", "--username", "an",
                                     "--email", "an@shop.test", "--password", PASSWORD))
    uri = next(line for line in created.splitlines() if line.startswith("otpauth://"))
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    succeeded(commerce_cli(*cli, "users", "create-admin", "--username", "minh",
                           "--email", "minh@shop.test", "--password", PASSWORD,
                           "--role", "CS_AGENT"))

    listed = succeeded(commerce_cli(*cli, "users", "list"))
    assert "an@shop.test" in listed
    assert "SUPER_ADMIN" in listed
    assigned = succeeded(commerce_cli(*cli, "users", "assign-role", "minh", "FINANCE_ADMIN"))
    assert "CS_AGENT, FINANCE_ADMIN" in assigned
    assert "ANALYTICS_VIEWER" in succeeded(commerce_cli(*cli, "roles", "list"))

    signed_in = succeeded(commerce_cli(*cli, "login", "an", "--staff", "--password", PASSWORD,
                                       "--code", code_at(secret, datetime.now(UTC))))
    assert "Recovery codes" in signed_in
    creds = tmp_path / "config" / "creds.json"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert set(json.loads(creds.read_text())) == {"access_token", "refresh_token",
                                                   "session_id"}
    who = succeeded(commerce_cli(*cli, "whoami"))
    assert "staff" in who
    assert "SUPER_ADMIN" in who
    assert "owed" not in who
    # The development keys the shop generated sit next to its database, owner-only.
    keys = Path(f"{tmp_path / 'shop.db'}.identity-dev-keys.json")
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600


def test_refusals_are_one_line(url: str) -> None:
    cli = ("--database-url", url)
    refused(commerce_cli(*cli, "users", "create-admin", "--username", "an", "--email",
                         "an@shop.test", "--password", "weak"), "identity.weak_password")
    refused(commerce_cli(*cli, "users", "assign-role", "nobody", "CS_AGENT"),
            "identity.invalid_input")
    refused(commerce_cli(*cli, "login", "an", "--staff", "--password", PASSWORD),
            "identity.invalid_credentials")
    refused(commerce_cli(*cli, "whoami"), "identity.invalid_input")
