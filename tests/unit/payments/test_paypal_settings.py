"""COMMERCE_PAYPAL_WEBHOOK_VERIFICATION and COMMERCE_PAYPAL_TRUST_ROOTS: PayPal's API by
default; offline with the roots the shop names (a PEM bundle's path or its text); offline
without usable roots is a clear error at start-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapters.payments import PayPalGateway
from commerce_core.shared.errors import InvalidInput
from entrypoints.container import make_container
from entrypoints.settings import Settings

CREDENTIALS: dict[str, object] = {
    "paypal_client_id": "paypal-id", "paypal_client_secret": "paypal-secret",
    "paypal_webhook_id": "WH-1"}


def _root_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Shop Trusted Root")])
    now = datetime.now(UTC)
    root = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=9))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return root.public_bytes(serialization.Encoding.PEM).decode()


def _paypal(**values: object) -> PayPalGateway:
    settings = Settings(database_url="memory://", gateways="paypal",
                        **CREDENTIALS, **values)  # type: ignore[arg-type]
    gateway = make_container(settings).gateways().gateway("paypal")
    assert isinstance(gateway, PayPalGateway)
    return gateway


def test_webhooks_are_verified_through_paypals_api_by_default() -> None:
    assert _paypal().verification == "api"


def test_offline_verification_takes_the_roots_as_pem_text() -> None:
    gateway = _paypal(paypal_webhook_verification="offline", paypal_trust_roots=_root_pem())

    assert gateway.verification == "offline"


def test_offline_verification_takes_the_roots_from_a_bundle(tmp_path: Path) -> None:
    bundle = tmp_path / "roots.pem"
    bundle.write_text(_root_pem() + _root_pem())

    gateway = _paypal(paypal_webhook_verification="offline", paypal_trust_roots=str(bundle))

    assert gateway.verification == "offline"


@pytest.mark.parametrize("roots", ["", "/nonexistent/roots.pem", "-----BEGIN nothing"])
def test_offline_verification_without_usable_roots_is_a_clear_error(roots: str) -> None:
    with pytest.raises(InvalidInput, match="COMMERCE_PAYPAL_TRUST_ROOTS"):
        _paypal(paypal_webhook_verification="offline", paypal_trust_roots=roots)
