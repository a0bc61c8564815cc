"""Access tokens: JWTs signed with Ed25519 (`EdDSA`), the one algorithm accepted.

The key set is ordered: the first key with a private part signs, every key verifies. Rotating
is adding a new key in front (it signs from then on), keeping the old one until the last token
it signed expired (one access-token lifetime), then removing it. Each key's `kid` is its RFC
7638 thumbprint, so it needs no naming and cannot clash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm

from commerce_core.identity.errors import InvalidToken
from commerce_core.identity.model import AccountKind
from commerce_core.identity.ports import AccessClaims

ALGORITHM = "EdDSA"
_REQUIRED = ["exp", "nbf", "iat", "iss", "aud", "sub", "sid", "user_type",
             "permissions_version", "mfa_verified", "roles"]


def generate_signing_key_pem() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    """One Ed25519 key from PEM: a private key (signs and verifies) or a public one (verifies
    only: a retiring key whose private part is already gone)."""

    def __init__(self, pem: str) -> None:
        data = pem.strip().encode()
        self.private: Ed25519PrivateKey | None = None
        if b"PRIVATE KEY" in data:
            private = serialization.load_pem_private_key(data, password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise ValueError("signing keys must be Ed25519")
            self.private, public = private, private.public_key()
        else:
            loaded = serialization.load_pem_public_key(data)
            if not isinstance(loaded, Ed25519PublicKey):
                raise ValueError("signing keys must be Ed25519")
            public = loaded
        self.public = public
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        members = {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}
        self.kid = _b64(hashlib.sha256(
            json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())

    def jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(OKPAlgorithm.to_jwk(self.public))
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


class JwtAccessTokens:
    def __init__(self, keys: Sequence[SigningKey], *, issuer: str, audience: str,
                 leeway: timedelta = timedelta(seconds=30)) -> None:
        signers = [k for k in keys if k.private is not None]
        if not signers:
            raise ValueError("the key set needs at least one private key to sign with")
        self._signer = signers[0]
        self._keys = {k.kid: k for k in keys}
        self._issuer, self._audience, self._leeway = issuer, audience, leeway

    @property
    def signing_kid(self) -> str:
        return self._signer.kid

    def issue(self, claims: AccessClaims) -> str:
        iat = int(claims.issued_at.timestamp())
        payload: dict[str, Any] = {
            "iss": self._issuer, "aud": self._audience, "sub": claims.subject,
            "iat": iat, "nbf": iat, "exp": int(claims.expires_at.timestamp()),
            "sid": claims.session_id, "user_type": claims.user_type.value,
            "roles": list(claims.roles), "permissions_version": claims.permissions_version,
            "mfa_verified": claims.mfa_verified, "customer_id": claims.customer_id,
        }
        if claims.scopes:
            payload["scope"] = " ".join(claims.scopes)  # RFC 9068's form
        assert self._signer.private is not None
        return jwt.encode(payload, self._signer.private, algorithm=ALGORITHM,
                          headers={"kid": self._signer.kid, "typ": "at+jwt"})

    def verify(self, token: str, now: datetime) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("the access token is malformed") from None
        # Pinned: `none`, HS256 keyed with the public key and every other algorithm are refused
        # before any key is touched.
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("the access token's algorithm is not accepted")
        key = self._keys.get(str(header.get("kid")))
        if key is None:
            raise InvalidToken("the access token was signed by an unknown key")
        try:
            payload = jwt.decode(
                token, key.public, algorithms=[ALGORITHM], audience=self._audience,
                issuer=self._issuer,
                # Lifetime is checked below against the shop's clock, not the wall clock.
                options={"require": _REQUIRED, "verify_exp": False, "verify_nbf": False,
                         "verify_iat": False},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"the access token is not valid ({type(exc).__name__})") from None
        moment = now.timestamp()
        leeway = self._leeway.total_seconds()
        try:
            if moment >= float(payload["exp"]) + leeway:
                raise InvalidToken("the access token expired")
            if moment + leeway < float(payload["nbf"]):
                raise InvalidToken("the access token is not valid yet")
            return AccessClaims(
                subject=str(payload["sub"]), user_type=AccountKind(payload["user_type"]),
                session_id=str(payload["sid"]),
                roles=tuple(str(r) for r in payload["roles"]),
                permissions_version=int(payload["permissions_version"]),
                mfa_verified=payload["mfa_verified"] is True,
                customer_id=(str(payload["customer_id"])
                             if payload.get("customer_id") is not None else None),
                issued_at=datetime.fromtimestamp(float(payload["iat"]), UTC),
                expires_at=datetime.fromtimestamp(float(payload["exp"]), UTC),
                scopes=tuple(str(payload.get("scope") or "").split()),
            )
        except (TypeError, ValueError, KeyError):
            raise InvalidToken("the access token's claims are malformed") from None

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.jwk() for k in self._keys.values()]}
