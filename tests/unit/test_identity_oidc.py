"""OpenID Connect sign-in against a local provider double (`tests/oidc_double.py`): the state
is bound to the browser (scenario 22), a verified email finds and links the existing account
(scenario 23), and an ID token that does not verify signs nobody in."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.memory import FrozenClock
from commerce_core.app import Commerce
from commerce_core.identity.errors import OidcFailed, OidcStateMismatch, UnknownProvider
from tests.identity_support import PASSWORD
from tests.oidc_double import REDIRECT, Provider, oidc_shop


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
def commerce(provider: Provider) -> Commerce:
    return oidc_shop(provider)


def sign_in(commerce: Commerce, provider: Provider) -> Any:
    start = commerce.identity.oidc_begin("idp", REDIRECT)
    code, state = provider.authorize(start.url)
    return commerce.identity.oidc_complete("idp", code=code, state=state,
                                           binding=start.binding)


def test_a_verified_email_links_the_existing_account(commerce: Commerce,
                                                     provider: Provider) -> None:
    """Scenario 23."""
    existing = commerce.identity.register("lan@example.com", PASSWORD)
    result = sign_in(commerce, provider)

    principal = commerce.identity.authenticate(result.tokens.access_token)
    assert principal.subject == existing.id
    assert principal.customer_id == existing.customer_id
    again = sign_in(commerce, provider)  # found through the link now
    assert commerce.identity.authenticate(again.tokens.access_token).subject == existing.id
    request = provider.token_requests[0]
    assert request.headers["authorization"].startswith("Basic ")


def test_a_new_identity_becomes_a_verified_customer(commerce: Commerce,
                                                    provider: Provider) -> None:
    provider.claims = {**provider.claims, "sub": "new", "email": "minh@example.com"}
    result = sign_in(commerce, provider)
    principal = commerce.identity.authenticate(result.tokens.access_token)
    account = commerce.identity.user(principal.subject or "")
    assert account.email == "minh@example.com"
    assert account.email_verified
    assert account.customer_id == principal.customer_id


def test_a_state_from_another_browser_is_refused(commerce: Commerce,
                                                 provider: Provider) -> None:
    """Scenario 22."""
    mine = commerce.identity.oidc_begin("idp", REDIRECT)
    theirs = commerce.identity.oidc_begin("idp", REDIRECT)
    code, state = provider.authorize(theirs.url)
    with pytest.raises(OidcStateMismatch):
        commerce.identity.oidc_complete("idp", code=code, state=state, binding=mine.binding)
    with pytest.raises(OidcStateMismatch):
        commerce.identity.oidc_complete("idp", code=code, state=state, binding="forged")
    with pytest.raises(OidcStateMismatch):
        commerce.identity.oidc_complete("idp", code=code, state="guess",
                                        binding=theirs.binding)
    assert provider.token_requests == []  # no code was spent on a refused callback


def test_a_stale_sign_in_is_refused(commerce: Commerce, provider: Provider) -> None:
    start = commerce.identity.oidc_begin("idp", REDIRECT)
    code, state = provider.authorize(start.url)
    clock = commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(minutes=10))
    with pytest.raises(OidcStateMismatch):
        commerce.identity.oidc_complete("idp", code=code, state=state, binding=start.binding)


@pytest.mark.parametrize("tamper", [
    lambda c: {**c, "aud": "another-client"},
    lambda c: {**c, "iss": "https://evil.test"},
    lambda c: {**c, "nonce": "replayed"},
    lambda c: {**c, "exp": int(time.time()) - 600},
    lambda c: {**c, "email_verified": False},
], ids=["audience", "issuer", "nonce", "expired", "unverified-email"])
def test_an_id_token_that_does_not_verify_signs_nobody_in(
        commerce: Commerce, provider: Provider,
        tamper: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    provider.tamper = tamper
    with pytest.raises(OidcFailed):
        sign_in(commerce, provider)


def test_an_id_token_signed_by_another_key_is_refused(commerce: Commerce,
                                                      provider: Provider) -> None:
    provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(OidcFailed):
        sign_in(commerce, provider)


def test_an_unknown_provider_is_named(commerce: Commerce) -> None:
    with pytest.raises(UnknownProvider):
        commerce.identity.oidc_begin("nope", REDIRECT)
    assert commerce.identity.oidc_providers() == ["idp"]

