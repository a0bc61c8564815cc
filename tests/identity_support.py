"""A shop with identity for tests: fixed keys made per run, a frozen clock, cheap argon2."""

from __future__ import annotations

from datetime import datetime

import attrs

from adapters import identity, memory
from adapters.identity import Argon2Hasher, PyOtpTotp
from adapters.memory import FrozenClock, SequentialIds
from commerce_core.app import Commerce
from commerce_core.identity.ports import IdentityKit, TokenDelivery
from commerce_core.identity.queries import LoginResult
from commerce_core.ports import Ports

PASSWORD = "Correct-Horse-9"
# The least argon2 allows: identity tests sign in hundreds of times.
FAST_HASHER = Argon2Hasher(memory_cost=8, time_cost=1, parallelism=1)
SIGNING_KEY = identity.generate_signing_key_pem()
SEALING_KEY = identity.generate_sealing_key()
TOTP = PyOtpTotp()


def identity_kit(*keys: str, hasher: Argon2Hasher = FAST_HASHER,
                 delivery: TokenDelivery | None = None) -> IdentityKit:
    return identity.kit(list(keys) or [SIGNING_KEY], SEALING_KEY, issuer="https://shop.test",
                        audience="commerce-test", hasher=hasher, delivery=delivery)


def with_identity(ports: Ports, *keys: str, hasher: Argon2Hasher = FAST_HASHER,
                  delivery: TokenDelivery | None = None) -> Ports:
    return attrs.evolve(ports, identity=identity_kit(*keys, hasher=hasher, delivery=delivery))


def memory_shop(clock: FrozenClock | None = None) -> tuple[Commerce, FrozenClock]:
    clock = clock or FrozenClock()
    return Commerce(with_identity(memory.bundle(clock=clock, ids=SequentialIds()))), clock


def code_at(secret: str, at: datetime) -> str:
    return TOTP.code_at(secret, at)


def staff_with_mfa(commerce: Commerce, clock: FrozenClock, username: str,
                   roles: tuple[str, ...] = ()) -> tuple[str, LoginResult, str]:
    """A staff user with TOTP enrolled and a verified session: (account id, login, secret)."""
    user = commerce.identity.create_staff_user(username, f"{username}@shop.test", PASSWORD,
                                               roles=roles)
    login = commerce.identity.login(username, PASSWORD, staff=True)
    enrolment = commerce.identity.enroll_mfa(user.id)
    confirmed = commerce.identity.confirm_mfa(user.id, login.tokens.session_id,
                                              code_at(enrolment.secret, clock.now()))
    return user.id, LoginResult(confirmed.tokens, True, True), enrolment.secret
