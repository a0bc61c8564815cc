"""Access tokens: what a forger might try is refused; keys rotate; RFC 6238 vectors hold."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters.identity import JwtAccessTokens, PyOtpTotp, SigningKey, generate_signing_key_pem
from commerce_core.identity.errors import InvalidToken
from commerce_core.identity.model import AccountKind
from commerce_core.identity.ports import AccessClaims
from tests.identity_support import PASSWORD, SIGNING_KEY, memory_shop

ISSUER, AUDIENCE = "https://shop.test", "commerce-test"
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def tokens(*pems: str) -> JwtAccessTokens:
    return JwtAccessTokens([SigningKey(p) for p in pems or (SIGNING_KEY,)], issuer=ISSUER,
                           audience=AUDIENCE)


def claims(**changes: object) -> AccessClaims:
    values: dict[str, object] = {
        "subject": "acct-1", "user_type": AccountKind.STAFF, "session_id": "sess-1",
        "roles": ("SUPER_ADMIN",), "permissions_version": 3, "mfa_verified": True,
        "customer_id": None,
        "issued_at": NOW, "expires_at": NOW + timedelta(hours=1)}
    values.update(changes)
    return AccessClaims(**values)  # type: ignore[arg-type]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _payload(**changes: object) -> dict[str, object]:
    token = tokens().issue(claims())
    payload: dict[str, object] = json.loads(_unb64(token.split(".")[1]))
    payload.update(changes)
    return payload


def _private() -> Ed25519PrivateKey:
    key = SigningKey(SIGNING_KEY).private
    assert key is not None
    return key


def _signed(payload: dict[str, object], **headers: object) -> str:
    """A token signed with the real key: only the claims are wrong."""
    return jwt.encode(payload, _private(), algorithm="EdDSA",
                      headers={"kid": SigningKey(SIGNING_KEY).kid, **headers})


def alg_none() -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT",
                              "kid": SigningKey(SIGNING_KEY).kid}).encode())
    return f"{header}.{_b64(json.dumps(_payload()).encode())}."


def hs256_with_the_public_key() -> str:
    public = SigningKey(SIGNING_KEY).public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "JWT", "kid": SigningKey(SIGNING_KEY).kid}
    signing_input = (_b64(json.dumps(header).encode()) + "."
                     + _b64(json.dumps(_payload()).encode()))
    signature = hmac.new(public, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def expired() -> str:
    return tokens().issue(claims(issued_at=NOW - timedelta(hours=2),
                                 expires_at=NOW - timedelta(hours=1)))


def not_yet_valid() -> str:
    return _signed(_payload(nbf=int((NOW + timedelta(minutes=10)).timestamp())))


def wrong_audience() -> str:
    return _signed(_payload(aud="another-service"))


def wrong_issuer() -> str:
    return _signed(_payload(iss="https://evil.test"))


def unknown_kid() -> str:
    other = Ed25519PrivateKey.generate()
    return jwt.encode(_payload(), other, algorithm="EdDSA", headers={"kid": "someone-else"})


def known_kid_other_key() -> str:
    other = Ed25519PrivateKey.generate()
    return jwt.encode(_payload(), other, algorithm="EdDSA",
                      headers={"kid": SigningKey(SIGNING_KEY).kid})


def tampered_payload() -> str:
    header, _, signature = tokens().issue(claims()).split(".")
    forged = _b64(json.dumps(_payload(roles=["SUPER_ADMIN"], sub="acct-2")).encode())
    return f"{header}.{forged}.{signature}"


def tampered_signature() -> str:
    header, payload, signature = tokens().issue(claims()).split(".")
    raw = bytearray(_unb64(signature))
    raw[0] ^= 1
    return f"{header}.{payload}.{_b64(bytes(raw))}"


def missing_session() -> str:
    payload = _payload()
    del payload["sid"]
    return _signed(payload)


FORGERIES: list[Callable[[], str]] = [
    alg_none, hs256_with_the_public_key, expired, not_yet_valid, wrong_audience, wrong_issuer,
    unknown_kid, known_kid_other_key, tampered_payload, tampered_signature, missing_session,
]


def test_a_genuine_token_reads_back() -> None:
    assert tokens().verify(tokens().issue(claims()), NOW) == claims()


@pytest.mark.parametrize("forge", FORGERIES, ids=[f.__name__ for f in FORGERIES])
def test_forged_tokens_are_refused(forge: Callable[[], str]) -> None:
    with pytest.raises(InvalidToken):
        tokens().verify(forge(), NOW)


@pytest.mark.parametrize("forge", FORGERIES, ids=[f.__name__ for f in FORGERIES])
def test_the_authenticator_refuses_forged_tokens(forge: Callable[[], str]) -> None:
    commerce, _ = memory_shop()
    with pytest.raises(InvalidToken):
        commerce.identity.authenticator.authenticate(forge())


def test_the_authenticator_leaves_other_credentials_to_others() -> None:
    commerce, _ = memory_shop()
    assert commerce.identity.authenticator.authenticate("an-operator-token") is None


def test_the_lifetime_is_exact_against_the_clock() -> None:
    token = tokens().issue(claims())
    leeway = timedelta(seconds=30)
    assert tokens().verify(token, NOW + timedelta(hours=1) + leeway - timedelta(seconds=1))
    with pytest.raises(InvalidToken):
        tokens().verify(token, NOW + timedelta(hours=1) + leeway)


def test_the_token_carries_the_claims_the_spec_names() -> None:
    token = tokens().issue(claims(customer_id=None))
    header = jwt.get_unverified_header(token)
    payload = json.loads(_unb64(token.split(".")[1]))
    assert header["alg"] == "EdDSA"
    assert header["kid"] == SigningKey(SIGNING_KEY).kid
    assert {"iss", "aud", "sub", "iat", "nbf", "exp", "sid", "user_type", "roles",
            "permissions_version", "mfa_verified"} <= set(payload)
    assert payload["exp"] - payload["iat"] == 3600


def test_rotation_new_keys_sign_old_keys_verify_until_retired() -> None:
    old, new = SIGNING_KEY, generate_signing_key_pem()
    before = tokens(old).issue(claims())
    rotated = tokens(new, old)
    after = rotated.issue(claims())

    assert jwt.get_unverified_header(after)["kid"] == SigningKey(new).kid
    assert rotated.verify(before, NOW) == rotated.verify(after, NOW)
    assert {k["kid"] for k in rotated.jwks()["keys"]} == {SigningKey(old).kid,
                                                          SigningKey(new).kid}
    retired = tokens(new)
    assert retired.verify(after, NOW)
    with pytest.raises(InvalidToken):
        retired.verify(before, NOW)


def test_a_public_only_key_verifies_but_does_not_sign() -> None:
    public_pem = SigningKey(SIGNING_KEY).public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    new = generate_signing_key_pem()
    assert tokens(new, public_pem).verify(tokens().issue(claims()), NOW)
    with pytest.raises(ValueError, match="private key"):
        tokens(public_pem)


def test_the_jwks_lists_public_keys_only() -> None:
    [key] = tokens().jwks()["keys"]
    assert key["kty"] == "OKP"
    assert key["crv"] == "Ed25519"
    assert key["alg"] == "EdDSA"
    assert "d" not in key


def test_the_jwks_verifies_a_token_as_a_relying_party_would() -> None:
    commerce, _ = memory_shop()
    commerce.identity.register("lan@example.com", PASSWORD)
    token = commerce.identity.login("lan@example.com", PASSWORD).tokens.access_token
    [jwk] = commerce.identity.jwks()["keys"]
    key = jwt.PyJWK(jwk)
    assert jwt.decode(token, key, algorithms=["EdDSA"], audience=AUDIENCE,
                      issuer=ISSUER, options={"verify_exp": False})["user_type"] == "customer"


# RFC 6238 appendix B: the seeds are the ASCII digits repeated to the digest's size.
_SEEDS = {"sha1": b"12345678901234567890", "sha256": b"12345678901234567890123456789012",
          "sha512": b"1234567890" * 6 + b"1234"}
_VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]


@pytest.mark.parametrize(("seconds", "sha1", "sha256", "sha512"), _VECTORS)
def test_rfc_6238_vectors(seconds: int, sha1: str, sha256: str, sha512: str) -> None:
    at = datetime.fromtimestamp(seconds, UTC)
    for algorithm, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        totp = PyOtpTotp(digits=8, algorithm=algorithm)
        secret = base64.b32encode(_SEEDS[algorithm]).decode()
        assert totp.code_at(secret, at) == expected
        assert totp.match(secret, expected, at, window=0) == seconds // 30
