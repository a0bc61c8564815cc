"""OAuth2 client credentials: an app's secret is shown once and stored hashed, its scopes are
permission names, and its tokens grant no more than it holds when they are used."""

from __future__ import annotations

import pytest

from commerce_core.app import Commerce
from commerce_core.identity.errors import InvalidClient, InvalidScope, InvalidToken
from commerce_core.shared.permissions import Permission
from tests.identity_support import memory_shop


@pytest.fixture
def commerce() -> Commerce:
    return memory_shop()[0]


def test_an_app_gets_a_token_for_its_scopes(commerce: Commerce) -> None:
    registered = commerce.identity.register_app("warehouse sync", ("inventory.read",
                                                                   "inventory.adjust"))
    assert registered.client_secret not in registered.app.secret_hash
    token = commerce.identity.app_token(registered.app.id, registered.client_secret)
    assert token.scopes == ("inventory.adjust", "inventory.read")

    principal = commerce.identity.authenticate(token.access_token)
    assert principal.kind == "app"
    assert principal.subject == registered.app.id
    assert principal.can(Permission.INVENTORY_ADJUST)
    assert not principal.can(Permission.ORDERS_READ)

    narrow = commerce.identity.app_token(registered.app.id, registered.client_secret,
                                         ("inventory.read",))
    assert commerce.identity.authenticate(narrow.access_token).permissions == {
        "inventory.read"}


def test_wrong_secrets_unknown_clients_and_foreign_scopes_are_refused(
        commerce: Commerce) -> None:
    registered = commerce.identity.register_app("sync", ("inventory.read",))
    with pytest.raises(InvalidClient):
        commerce.identity.app_token(registered.app.id, "guess")
    with pytest.raises(InvalidClient):
        commerce.identity.app_token("nobody", registered.client_secret)
    with pytest.raises(InvalidScope):
        commerce.identity.app_token(registered.app.id, registered.client_secret,
                                    ("orders.read",))
    with pytest.raises(InvalidScope):
        commerce.identity.register_app("bad", ("launch.missiles",))
    with pytest.raises(InvalidScope):
        commerce.identity.register_app("none", ())


def test_a_revoked_app_loses_its_tokens_at_once(commerce: Commerce) -> None:
    registered = commerce.identity.register_app("sync", ("inventory.read",))
    token = commerce.identity.app_token(registered.app.id, registered.client_secret)
    commerce.identity.revoke_app(registered.app.id)
    with pytest.raises(InvalidToken):
        commerce.identity.authenticate(token.access_token)
    with pytest.raises(InvalidClient):
        commerce.identity.app_token(registered.app.id, registered.client_secret)
    assert [a.status.value for a in commerce.identity.apps()] == ["revoked"]
