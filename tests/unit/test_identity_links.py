"""One-time links: password reset (1 h, single use, ends every session; scenario 25) and
email verification (24 h; scenario 24)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters import memory
from adapters.memory import FrozenClock, SequentialIds
from adapters.memory.identity import RecordingTokenDelivery
from commerce_core.app import Commerce
from commerce_core.identity.errors import (
    AuthenticationFailed,
    InvalidToken,
    OneTimeTokenExpired,
    OneTimeTokenInvalid,
    WeakPassword,
)
from tests.identity_support import PASSWORD, with_identity

NEW_PASSWORD = "Brand-New-Pass-2"


@pytest.fixture
def shop() -> tuple[Commerce, FrozenClock, RecordingTokenDelivery]:
    clock, delivery = FrozenClock(), RecordingTokenDelivery()
    ports = with_identity(memory.bundle(clock=clock, ids=SequentialIds()), delivery=delivery)
    return Commerce(ports), clock, delivery


Shop = tuple[Commerce, FrozenClock, RecordingTokenDelivery]


def test_a_reset_ends_every_session_and_works_once(shop: Shop) -> None:
    commerce, clock, delivery = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    sessions = [commerce.identity.login("lan@example.com", PASSWORD).tokens for _ in range(3)]

    commerce.identity.request_password_reset("LAN@example.com")
    token = delivery.last("password_reset", "lan@example.com")
    clock.advance(timedelta(minutes=59))
    commerce.identity.reset_password(token, NEW_PASSWORD)

    for tokens in sessions:
        with pytest.raises(InvalidToken):
            commerce.identity.authenticate(tokens.access_token)
        with pytest.raises(InvalidToken):
            commerce.identity.refresh(tokens.refresh_token)
    with pytest.raises(AuthenticationFailed):
        commerce.identity.login("lan@example.com", PASSWORD)
    assert commerce.identity.login("lan@example.com", NEW_PASSWORD).tokens.access_token
    with pytest.raises(OneTimeTokenInvalid):
        commerce.identity.reset_password(token, "Another-Pass-3")


def test_a_reset_link_expires_after_an_hour_and_only_the_newest_counts(shop: Shop) -> None:
    commerce, clock, delivery = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    commerce.identity.request_password_reset("lan@example.com")
    first = delivery.last("password_reset", "lan@example.com")
    clock.advance(timedelta(hours=1))
    with pytest.raises(OneTimeTokenExpired):
        commerce.identity.reset_password(first, NEW_PASSWORD)

    commerce.identity.request_password_reset("lan@example.com")
    second = delivery.last("password_reset", "lan@example.com")
    with pytest.raises(WeakPassword):
        commerce.identity.reset_password(second, "weak")
    with pytest.raises(OneTimeTokenInvalid):
        commerce.identity.reset_password(first, NEW_PASSWORD)
    commerce.identity.reset_password(second, NEW_PASSWORD)


def test_a_reset_for_an_unknown_email_sends_nothing_and_says_nothing(shop: Shop) -> None:
    commerce, _, delivery = shop
    commerce.identity.request_password_reset("nobody@example.com")
    commerce.identity.request_password_reset("not an email")
    assert delivery.sent == []


@pytest.mark.parametrize("token", ["", "x", "00000000-0000-0000-0000-000000000001.forged",
                                   "nobody.secret"])
def test_made_up_tokens_are_refused(shop: Shop, token: str) -> None:
    commerce, _, _ = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    with pytest.raises(OneTimeTokenInvalid):
        commerce.identity.reset_password(token, NEW_PASSWORD)
    with pytest.raises(OneTimeTokenInvalid):
        commerce.identity.verify_email(token)


def test_email_verification_lasts_24_hours_and_a_new_link_can_be_asked(shop: Shop) -> None:
    """Scenario 24: a 25-hour-old token fails; a new one works."""
    commerce, clock, delivery = shop
    account = commerce.identity.register("lan@example.com", PASSWORD)
    old = delivery.last("email_verification", "lan@example.com")
    assert not account.email_verified

    clock.advance(timedelta(hours=25))
    with pytest.raises(OneTimeTokenExpired):
        commerce.identity.verify_email(old)
    commerce.identity.request_email_verification("lan@example.com")
    new = delivery.last("email_verification", "lan@example.com")
    clock.advance(timedelta(hours=23, minutes=59))
    assert commerce.identity.verify_email(new).email_verified
    with pytest.raises(OneTimeTokenInvalid):
        commerce.identity.verify_email(new)
    # Verified: no further link is sent.
    commerce.identity.request_email_verification("lan@example.com")
    assert [k for k, *_ in delivery.sent].count("email_verification") == 2
