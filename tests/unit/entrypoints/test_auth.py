"""The authenticator chain: the operator token first, then the others in order; a refusal of
the credential is `InvalidToken` or the authenticator's own error."""

from __future__ import annotations

import pytest

from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.permissions import ALL_PERMISSIONS, Permission
from commerce_core.shared.principal import ANONYMOUS, Principal
from entrypoints.auth import (
    OPERATOR,
    Denied,
    InvalidToken,
    Unauthenticated,
    chain_for,
    require_permission,
)

CUSTOMER = Principal(kind="customer", subject="u-1", customer_id="cus-1")


class Fixed:
    def __init__(self, token: str, principal: Principal) -> None:
        self.token, self.principal, self.asked = token, principal, 0

    def authenticate(self, credential: str) -> Principal | None:
        self.asked += 1
        return self.principal if credential == self.token else None


class Expired:
    def authenticate(self, credential: str) -> Principal | None:
        if credential.startswith("jwt."):
            raise InvalidInput("the token expired")
        return None


def test_no_credential_is_the_anonymous_caller() -> None:
    assert chain_for("op-token").principal(None) is ANONYMOUS


def test_the_operator_token_names_the_operator_with_every_permission() -> None:
    principal = chain_for("op-token").principal("op-token")

    assert principal is OPERATOR
    assert principal.permissions == ALL_PERMISSIONS
    assert principal.kind == "staff"


def test_the_operator_token_comes_first_and_the_others_follow_in_order() -> None:
    first, second = Fixed("c", CUSTOMER), Fixed("c", OPERATOR)
    chain = chain_for("op-token", [first, second])

    assert chain.principal("op-token") is OPERATOR
    assert first.asked == 0
    assert chain.principal("c") is CUSTOMER
    assert second.asked == 0


def test_a_credential_nobody_accepts_is_an_invalid_token() -> None:
    with pytest.raises(InvalidToken):
        chain_for("op-token", [Fixed("c", CUSTOMER)]).principal("op-token-2")


def test_without_an_operator_token_nothing_is_the_operator() -> None:
    with pytest.raises(InvalidToken):
        chain_for(None).principal("")
    with pytest.raises(InvalidToken):
        chain_for("").principal("")


def test_an_authenticators_own_refusal_passes_up() -> None:
    with pytest.raises(InvalidInput, match="expired"):
        chain_for("op-token", [Expired(), Fixed("c", CUSTOMER)]).principal("jwt.abc")


def test_a_permission_check_names_the_missing_permission() -> None:
    with pytest.raises(Unauthenticated) as anonymous:
        require_permission(ANONYMOUS, Permission.ORDERS_READ, "listing orders")
    with pytest.raises(Denied) as customer:
        require_permission(CUSTOMER, Permission.ORDERS_READ, "listing orders")
    require_permission(OPERATOR, Permission.ORDERS_READ, "listing orders")

    assert anonymous.value.code == "auth.unauthenticated"
    assert customer.value.code == "auth.forbidden"
    assert customer.value.details == {"permission": "orders.read"}
