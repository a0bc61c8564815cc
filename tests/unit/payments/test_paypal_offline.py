"""PayPal webhooks verified offline: the certificate at `PAYPAL-CERT-URL` is fetched once per
URL, its chain checked against the shop's trusted roots at the clock's time and for PayPal's
signing name, and its key must have signed the CRC message. Every certificate and key here
is made in the test; nothing asks PayPal's verify API."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from adapters.memory import FrozenClock
from adapters.payments import PayPalCredentials, PayPalGateway
from adapters.payments.paypal import SIGNING_CERT_NAME, crc_message, load_trust_roots
from commerce_core.payment.errors import InvalidWebhook

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
CERT_URL = "https://api.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-1d93a270"
WEBHOOK_ID = "3RN13029J36659323"
BODY = json.dumps({"id": "WH-9", "event_type": "PAYMENT.CAPTURE.COMPLETED",
                   "resource_type": "capture", "resource": {
                       "id": "2GG2", "status": "COMPLETED",
                       "amount": {"currency_code": "USD", "value": "12.34"},
                       "supplementary_data": {"related_ids": {"order_id": "5O1"}}}},
                  separators=(",", ":")).encode()


@pytest.fixture(scope="module")
def keys() -> list[rsa.RSAPrivateKey]:
    return [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(5)]


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def _issue(subject: str, key: rsa.RSAPrivateKey, issuer: str, issuer_key: rsa.RSAPrivateKey,
           *, ca: bool, not_after: datetime, dns: str | None = None) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW - timedelta(days=30)).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(
                   digital_signature=not ca, content_commitment=False, key_encipherment=False,
                   data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                   encipher_only=False, decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer_key.public_key()), critical=False))
    if dns is not None:
        builder = (builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns)]),
                                         critical=False)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                                  critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


class Pki:
    """A root, an intermediate and a leaf; `keys[0..2]` make the trusted hierarchy."""

    def __init__(self, keys: list[rsa.RSAPrivateKey], *, root_key: int = 0,
                 name: str = SIGNING_CERT_NAME,
                 leaf_until: datetime = NOW + timedelta(days=300)) -> None:
        root_name = f"Test Root {root_key}"
        root, intermediate, self.leaf_key = keys[root_key], keys[root_key + 1], keys[2]
        self.root = _issue(root_name, root, root_name, root, ca=True,
                           not_after=NOW + timedelta(days=3000))
        self.intermediate = _issue("Test Intermediate", intermediate, root_name, root, ca=True,
                                   not_after=NOW + timedelta(days=1000))
        self.leaf = _issue(name, self.leaf_key, "Test Intermediate", intermediate, ca=False,
                           not_after=leaf_until, dns=name)

    def chain(self) -> bytes:
        return b"".join(c.public_bytes(serialization.Encoding.PEM)
                        for c in (self.leaf, self.intermediate))


class PayPalHost:
    """Serves one certificate chain at `CERT_URL`; any other request is recorded and fails."""

    def __init__(self, chain: bytes) -> None:
        self.chain = chain
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.method == "GET" and str(request.url) == CERT_URL:
            return httpx.Response(200, content=self.chain)
        return httpx.Response(404, json={"name": "RESOURCE_NOT_FOUND"})


def _gateway(host: PayPalHost, trusted: Pki, clock: FrozenClock) -> PayPalGateway:
    return PayPalGateway(
        httpx.Client(transport=httpx.MockTransport(host.handle)),
        credentials=PayPalCredentials("client", "secret", WEBHOOK_ID), clock=clock,
        base_url="https://paypal.test", max_age=timedelta(minutes=30),
        trust_roots=load_trust_roots(trusted.root.public_bytes(serialization.Encoding.PEM)))


def _delivery(key: rsa.RSAPrivateKey, *, body: bytes = BODY, webhook_id: str = WEBHOOK_ID,
              sent: datetime = NOW - timedelta(seconds=3), cert_url: str = CERT_URL,
              transmission_id: str = "b2384410-f8d2-11ee-a1c6-f1e2a2b1c3d4") -> dict[str, str]:
    stamp = sent.strftime("%Y-%m-%dT%H:%M:%SZ")
    message = crc_message(transmission_id, stamp, webhook_id, body).encode()
    signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return {"PAYPAL-AUTH-ALGO": "SHA256withRSA", "PAYPAL-CERT-URL": cert_url,
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
            "PAYPAL-TRANSMISSION-TIME": stamp}


def test_a_delivery_signed_by_a_trusted_certificate_is_translated(
        keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys)
    host = PayPalHost(pki.chain())

    event = _gateway(host, pki, FrozenClock(NOW)).parse_webhook(_delivery(pki.leaf_key), BODY)

    assert (event.kind, event.reference, event.event_id) == ("captured", "5O1", "WH-9")
    assert [str(r.url) for r in host.requests] == [CERT_URL]  # no token, no verify API


def test_the_certificate_is_fetched_once_per_url(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys)
    host = PayPalHost(pki.chain())
    gateway = _gateway(host, pki, FrozenClock(NOW))

    for transmission in ("t-1", "t-2", "t-3"):
        gateway.parse_webhook(_delivery(pki.leaf_key, transmission_id=transmission), BODY)

    assert len(host.requests) == 1


def test_a_cached_certificate_is_refused_once_it_expires(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys, leaf_until=NOW + timedelta(minutes=10))
    host = PayPalHost(pki.chain())
    clock = FrozenClock(NOW)
    gateway = _gateway(host, pki, clock)
    gateway.parse_webhook(_delivery(pki.leaf_key), BODY)

    clock.advance(timedelta(minutes=20))
    with pytest.raises(InvalidWebhook, match="not trusted"):
        gateway.parse_webhook(_delivery(pki.leaf_key, sent=clock.now()), BODY)


def _refused(gateway: PayPalGateway, headers: dict[str, str], body: bytes = BODY,
             match: str | None = None) -> None:
    with pytest.raises(InvalidWebhook, match=match):
        gateway.parse_webhook(headers, body)


def test_a_forged_signature_is_refused(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys)
    gateway = _gateway(PayPalHost(pki.chain()), pki, FrozenClock(NOW))

    _refused(gateway, _delivery(keys[4]), match="does not verify")


def test_a_tampered_body_is_refused(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys)
    gateway = _gateway(PayPalHost(pki.chain()), pki, FrozenClock(NOW))

    _refused(gateway, _delivery(pki.leaf_key), BODY.replace(b"12.34", b"1234.00"),
             match="does not verify")


def test_a_delivery_for_another_webhook_is_refused(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys)
    gateway = _gateway(PayPalHost(pki.chain()), pki, FrozenClock(NOW))

    _refused(gateway, _delivery(pki.leaf_key, webhook_id="8PT597110X687430LKGECATA"),
             match="does not verify")


def test_an_expired_certificate_is_refused(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys, leaf_until=NOW - timedelta(hours=1))
    gateway = _gateway(PayPalHost(pki.chain()), pki, FrozenClock(NOW))

    _refused(gateway, _delivery(pki.leaf_key), match="not trusted")


def test_a_certificate_from_an_untrusted_authority_is_refused(
        keys: list[rsa.RSAPrivateKey]) -> None:
    trusted, other = Pki(keys), Pki(keys, root_key=3)  # another root and intermediate key
    gateway = _gateway(PayPalHost(other.chain()), trusted, FrozenClock(NOW))

    _refused(gateway, _delivery(other.leaf_key), match="not trusted")


def test_a_certificate_for_another_name_is_refused(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys, name="shop.paypal.com")
    gateway = _gateway(PayPalHost(pki.chain()), pki, FrozenClock(NOW))

    _refused(gateway, _delivery(pki.leaf_key), match="not trusted")


@pytest.mark.parametrize("url", [
    "https://api.paypal.com.example.net/v1/notifications/certs/CERT-1",
    "http://api.paypal.com/v1/notifications/certs/CERT-1",
    "https://example.net/paypal.com/cert.pem",
])
def test_a_certificate_url_off_paypal_com_is_refused_without_fetching(
        keys: list[rsa.RSAPrivateKey], url: str) -> None:
    pki = Pki(keys)
    host = PayPalHost(pki.chain())

    _refused(_gateway(host, pki, FrozenClock(NOW)), _delivery(pki.leaf_key, cert_url=url),
             match="outside paypal.com")
    assert host.requests == []


def test_a_certificate_url_that_serves_nothing_is_refused(
        keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys)
    gateway = _gateway(PayPalHost(pki.chain()), pki, FrozenClock(NOW))

    _refused(gateway, _delivery(pki.leaf_key, cert_url=CERT_URL + "-other"),
             match="could not be fetched")


def test_a_stale_transmission_is_refused(keys: list[rsa.RSAPrivateKey]) -> None:
    pki = Pki(keys)
    host = PayPalHost(pki.chain())

    _refused(_gateway(host, pki, FrozenClock(NOW)),
             _delivery(pki.leaf_key, sent=NOW - timedelta(hours=1)), match="older")
    assert host.requests == []


@pytest.mark.parametrize(("header", "value"), [
    ("PAYPAL-AUTH-ALGO", "SHA1withRSA"),
    ("PAYPAL-TRANSMISSION-SIG", "not base64!"),
])
def test_another_algorithm_or_a_garbled_signature_is_refused(
        keys: list[rsa.RSAPrivateKey], header: str, value: str) -> None:
    pki = Pki(keys)
    gateway = _gateway(PayPalHost(pki.chain()), pki, FrozenClock(NOW))

    _refused(gateway, {**_delivery(pki.leaf_key), header: value})


def test_a_trust_store_without_certificates_is_refused() -> None:
    with pytest.raises(ValueError):
        load_trust_roots(b"no certificates here")
