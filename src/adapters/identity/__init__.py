"""Identity's cryptography: argon2id passwords, EdDSA access tokens with a rotating key set,
RFC 6238 TOTP and Fernet-sealed secrets.

    ports = attrs.evolve(memory.bundle(), identity=adapters.identity.kit(
        signing_keys=[pem], sealing_key=key, issuer="https://shop.example",
        audience="commerce"))
"""

from __future__ import annotations

from collections.abc import Sequence

from adapters.identity.passwords import Argon2Hasher
from adapters.identity.sealing import FernetSealer
from adapters.identity.tokens import JwtAccessTokens, SigningKey, generate_signing_key_pem
from adapters.identity.totp import PyOtpTotp
from commerce_core.identity.ports import IdentityKit, TokenDelivery

__all__ = ["Argon2Hasher", "FernetSealer", "JwtAccessTokens", "PyOtpTotp", "SigningKey",
           "generate_sealing_key", "generate_signing_key_pem", "kit"]


def generate_sealing_key() -> str:
    return FernetSealer.generate_key()


def kit(signing_keys: Sequence[str], sealing_key: str, *, issuer: str = "commerce-core",
        audience: str = "commerce-core", hasher: Argon2Hasher | None = None,
        app_name: str = "commerce-core", delivery: TokenDelivery | None = None) -> IdentityKit:
    """`signing_keys`: Ed25519 PEMs, the signing one first (see `tokens` for rotation)."""
    return IdentityKit(
        hasher=hasher or Argon2Hasher(),
        tokens=JwtAccessTokens([SigningKey(pem) for pem in signing_keys], issuer=issuer,
                               audience=audience),
        totp=PyOtpTotp(),
        sealer=FernetSealer(sealing_key),
        issuer=app_name,
        delivery=delivery,
    )
