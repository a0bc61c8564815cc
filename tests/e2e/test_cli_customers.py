"""`commerce customers` and `commerce locations` on a SQLite shop: list, show, suspend,
activate, export, the deletion job; a location file checked and summarised; bad input refused
in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core import Commerce
from commerce_core.customer.commands import AddressFields
from entrypoints.cli.main import app
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, refused, runner, succeeded


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'shop.db'}"


def shop(url: str) -> Commerce:
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    return commerce


def test_operator_lists_shows_suspends_activates_and_exports(url: str, tmp_path: Path) -> None:
    commerce = shop(url)
    lan = commerce.customers.register("lan@example.vn", "Lan", "Nguyễn", email_verified=True)
    commerce.customers.register("minh@example.vn", "Minh", "Trần")
    commerce.customers.add_address(lan.id, AddressFields(
        "Lan", "Nguyễn", "0901234567", "12 Lê Lợi", "vn-hcm-ben-thanh"))
    cli = ("--database-url", url)

    listed = succeeded(commerce_cli(*cli, "customers", "list"))
    pending = succeeded(commerce_cli(*cli, "customers", "list", "--status",
                                     "pending_verification"))
    shown = succeeded(commerce_cli(*cli, "customers", "show", "lan@example.vn"))
    suspended = succeeded(commerce_cli(*cli, "customers", "suspend", lan.id, "--reason",
                                       "chargebacks"))
    again = commerce_cli(*cli, "customers", "suspend", "minh@example.vn")
    activated = succeeded(commerce_cli(*cli, "customers", "activate", "lan@example.vn"))
    exported = succeeded(commerce_cli(*cli, "customers", "export", lan.id))
    target = tmp_path / "lan.json"
    succeeded(commerce_cli(*cli, "customers", "export", lan.id, "-o", str(target)))

    assert "lan@example.vn" in listed
    assert "minh@example.vn" in listed
    assert "minh@example.vn" in pending
    assert "lan@example.vn" not in pending
    assert "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh, Việt Nam (default)" not in shown
    assert "(default): 12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh, Việt Nam" in shown
    assert "suspended" in suspended
    refused(again, "customer.invalid_status")
    assert "active" in activated
    assert json.loads(exported)["addresses"][0]["ward"] == "Phường Bến Thành"
    assert json.loads(target.read_text(encoding="utf-8"))["customer_id"] == lan.id
    assert shop(url).customers.get(lan.id).status.value == "active"


def test_unknown_customers_and_statuses_are_refused(url: str) -> None:
    cli = ("--database-url", url)

    refused(commerce_cli(*cli, "customers", "show", "nobody@example.vn"), "customer.not_found")
    refused(commerce_cli(*cli, "customers", "activate", "c-404"), "customer.not_found")
    bad = commerce_cli(*cli, "customers", "list", "--status", "sleeping")
    assert bad.exit_code == 2


def test_the_deletion_job_deletes_those_whose_grace_period_passed(url: str) -> None:
    # The customer asked 31 days ago: a shop whose clock stood then.
    past = FrozenClock(datetime.now(UTC) - timedelta(days=31))
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=past, ids=SequentialIds())
    then = Commerce(ports)
    gone = then.customers.register("lan@example.vn", "Lan", "Nguyễn", email_verified=True)
    then.customers.request_deletion(gone.id)
    cli = ("--database-url", url)

    output = succeeded(commerce_cli(*cli, "customers", "process-deletions"))
    second = succeeded(commerce_cli(*cli, "customers", "process-deletions"))

    assert "1 customer(s) deleted" in output
    assert "0 customer(s) deleted" in second
    deleted = shop(url).customers.get(gone.id)
    assert deleted.status.value == "deleted"
    assert deleted.email.endswith("@deleted.invalid")


def test_locations_load_checks_a_file_and_show_walks_the_hierarchy(
        url: str, tmp_path: Path) -> None:
    good = tmp_path / "vn.json"
    good.write_text(json.dumps({"levels": ["country", "province", "ward"], "locations": [
        {"id": "vn", "code": "VN", "name": "Việt Nam", "type": "country", "country_code": "VN"},
        {"id": "hue", "code": "HUE", "name": "Thành phố Huế", "type": "province",
         "parent_id": "vn"},
        {"id": "thuan-hoa", "code": "TH", "name": "Phường Thuận Hóa", "type": "ward",
         "parent_id": "hue"}]}), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"locations": [
        {"id": "vn", "code": "VN", "name": "VN", "type": "country"},
        {"id": "w", "code": "W", "name": "W", "type": "ward", "parent_id": "vn"}]}),
        encoding="utf-8")

    loaded = succeeded(commerce_cli("locations", "load", str(good)))
    broken = commerce_cli("locations", "load", str(bad))
    roots = succeeded(commerce_cli("--database-url", url, "locations", "show"))
    ward = succeeded(commerce_cli("--database-url", url, "locations", "show", "vn-hcm"))

    assert "3 locations (1 country, 1 province, 1 ward)" in loaded
    assert "exactly one level above" in refused(broken, "location.invalid")
    assert "Việt Nam" in roots
    assert "Việt Nam (vn) > Thành phố Hồ Chí Minh (vn-hcm)" in ward
    assert "Phường Bến Thành" in ward
    custom = succeeded(runner.invoke(app, ["--database-url", url, "locations", "show", "hue"],
                                     env={"COLUMNS": "200",
                                          "COMMERCE_LOCATIONS_FILE": str(good)}))
    assert "Việt Nam (vn) > Thành phố Huế (hue)" in custom
    assert "Phường Thuận Hóa" in custom
