"""COMMERCE_CARRIERS and the carriers' credentials: the container builds the registry the ports
carry, and a carrier listed without its credentials stops the start."""

from __future__ import annotations

import pytest

from adapters.carriers.fake import SIGNATURE_HEADER, FakeCarrier
from adapters.carriers.ghn import GhnCarrier
from adapters.carriers.grab import GrabCarrier
from commerce_core.shared.errors import InvalidInput
from entrypoints.container import build_carriers, make_container
from entrypoints.settings import Settings

GHN: dict[str, object] = {"ghn_token": "ghn-token", "ghn_shop_id": "885123",
                          "ghn_webhook_token": "hook-secret", "ghn_from_district_id": 1485,
                          "ghn_from_ward_code": "1A0807"}
GRAB: dict[str, object] = {"grab_client_id": "grab-id", "grab_client_secret": "grab-secret",
                           "grab_webhook_secret": "grab-hook"}


def _settings(**values: object) -> Settings:
    return Settings(database_url="memory://", **values)  # type: ignore[arg-type]


def test_the_ports_carry_the_fake_carrier_by_default() -> None:
    ports = make_container(_settings()).ports()

    assert ports.carriers is not None
    assert list(ports.carriers.codes()) == ["fake"]
    assert isinstance(ports.carriers.get("fake"), FakeCarrier)


def test_the_container_builds_every_listed_carrier_from_its_settings() -> None:
    ports = make_container(_settings(carriers="ghn,grab,fake", **GHN, **GRAB)).ports()

    assert ports.carriers is not None
    assert list(ports.carriers.codes()) == ["ghn", "grab", "fake"]
    ghn, grab = ports.carriers.get("ghn"), ports.carriers.get("grab")
    assert isinstance(ghn, GhnCarrier)
    assert isinstance(grab, GrabCarrier)
    assert "dev-online-gateway.ghn.vn" in repr(ghn)
    assert "grab-express-sandbox" in repr(grab)
    assert ghn.verify_webhook({}, b"{}", "hook-secret")
    assert grab.verify_webhook({"Authorization": "grab-hook"}, b"{}")


def test_production_hosts_when_the_sandboxes_are_off() -> None:
    registry = build_carriers(_settings(carriers="ghn,grab", ghn_sandbox=False,
                                        grab_sandbox=False, **GHN, **GRAB))

    assert "https://online-gateway.ghn.vn" in repr(registry.get("ghn"))
    assert "grab-express'" in repr(registry.get("grab"))


def test_the_fake_carrier_signs_with_the_configured_secret() -> None:
    fake = build_carriers(_settings(fake_carrier_webhook_secret="shop-key")).get("fake")
    assert isinstance(fake, FakeCarrier)
    reference = FakeCarrier(secret="shop-key")

    assert fake.sign(b"{}") == reference.sign(b"{}")
    assert fake.verify_webhook({SIGNATURE_HEADER: reference.sign(b"{}")}, b"{}")


@pytest.mark.parametrize(("carrier", "values", "missing"), [
    ("ghn", {k: v for k, v in GHN.items() if k != "ghn_token"}, "COMMERCE_GHN_TOKEN"),
    ("ghn", {k: v for k, v in GHN.items() if k != "ghn_shop_id"}, "COMMERCE_GHN_SHOP_ID"),
    ("ghn", {k: v for k, v in GHN.items() if k != "ghn_webhook_token"},
     "COMMERCE_GHN_WEBHOOK_TOKEN"),
    ("grab", {k: v for k, v in GRAB.items() if k != "grab_client_secret"},
     "COMMERCE_GRAB_CLIENT_SECRET"),
    ("grab", {k: v for k, v in GRAB.items() if k != "grab_webhook_secret"},
     "COMMERCE_GRAB_WEBHOOK_SECRET"),
])
def test_a_carrier_without_its_credentials_is_a_startup_error(
        carrier: str, values: dict[str, object], missing: str) -> None:
    with pytest.raises(InvalidInput, match=missing):
        make_container(_settings(carriers=carrier, **values)).ports()


def test_a_non_numeric_ghn_shop_id_is_refused() -> None:
    with pytest.raises(InvalidInput, match="COMMERCE_GHN_SHOP_ID"):
        build_carriers(_settings(carriers="ghn", **{**GHN, "ghn_shop_id": "shop-1"}))


@pytest.mark.parametrize("value", ["dhl", "fake,fake"])
def test_unknown_or_repeated_carriers_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="COMMERCE_CARRIERS"):
        _settings(carriers=value)


def test_credentials_are_secret_in_the_settings() -> None:
    settings = _settings(carriers="ghn,grab", **GHN, **GRAB)

    assert "ghn-token" not in repr(settings)
    assert "grab-secret" not in repr(settings)
    assert "hook-secret" not in repr(settings)
