"""Gift cards: the code is shown once and kept only as a peppered digest, balance by code,
binding to a customer, disabling; store credit granted once and expiring after 365 days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.audit.model import REDACTED, to_json
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.giftcard.commands import BindGiftCard
from commerce_core.giftcard.errors import GiftCardNotFound, GiftCardUnusable, InvalidGiftCard
from commerce_core.giftcard.model import digest
from tests.shop import every_event
from tests.unit.ledger.support import CUSTOMER, stored_value_shop, vnd
from tests.unit.returns.support import clock


def test_a_card_is_issued_with_its_value_and_its_code_is_kept_only_as_a_digest() -> None:
    shop = stored_value_shop()

    issued = shop.giftcards.issue(vnd(500_000), note="birthday")

    code = issued.code.replace("-", "")
    assert len(code) == 16
    assert issued.card.last4 == code[-4:]
    assert issued.card.balance == vnd(500_000)
    with shop.ports.uow() as uow:
        card = uow.gift_cards.get(issued.card.id)
        events = every_event(uow)
    assert card.code_digest == digest(code, b"test-pepper") != digest(code, b"")
    assert code not in repr(card) + repr([e.payload for e in events])
    assert shop.giftcards.balance(issued.code.lower()).available == vnd(500_000)


def test_a_wrong_or_malformed_code_finds_nothing() -> None:
    shop = stored_value_shop()
    shop.giftcards.issue(vnd(100_000))

    with pytest.raises(GiftCardNotFound):
        shop.giftcards.balance("ABCD-EFGH-JKMN-PQRS")
    with pytest.raises(InvalidGiftCard):
        shop.giftcards.balance("short")


def test_a_bound_card_is_listed_for_its_customer_and_refused_to_anyone_else() -> None:
    shop = stored_value_shop()
    issued = shop.giftcards.issue(vnd(100_000))

    shop.giftcards.bind(CUSTOMER, issued.code)
    shop.giftcards.bind(CUSTOMER, issued.code)

    assert [c.id for c in shop.giftcards.of_customer(CUSTOMER)] == [issued.card.id]
    with pytest.raises(GiftCardUnusable):
        shop.giftcards.bind("c-2", issued.code)


def test_a_disabled_card_cannot_be_bound() -> None:
    shop = stored_value_shop()
    issued = shop.giftcards.issue(vnd(100_000))

    shown = shop.giftcards.disable(issued.card.id, "reported stolen")

    assert shown.status == "disabled"
    with pytest.raises(GiftCardUnusable):
        shop.giftcards.bind(CUSTOMER, issued.code)


def test_store_credit_is_granted_once_and_expires_after_365_days() -> None:
    shop = stored_value_shop()

    account_id = shop.giftcards.grant_store_credit(CUSTOMER, vnd(80_000), "sorry-1")
    shop.giftcards.grant_store_credit(CUSTOMER, vnd(80_000), "sorry-1")

    assert shop.giftcards.store_credit(CUSTOMER, "VND").balance == vnd(80_000)
    (lot,) = shop.ledger.lots(account_id)
    assert lot.expires_at == clock(shop).now() + timedelta(days=365)
    clock(shop).advance(timedelta(days=366))
    shop.ledger.expire_due()
    assert shop.giftcards.store_credit(CUSTOMER, "VND").balance == vnd(0)


def test_the_audit_trail_never_keeps_a_gift_card_code() -> None:
    bind = to_json(BindGiftCard(CUSTOMER, "ABCD-EFGH-JKMN-PQRS"))
    order = to_json(PlaceOrder("cart-1", gift_card_code="ABCD-EFGH-JKMN-PQRS"))

    assert bind["gift_card_code"] == order["gift_card_code"] == REDACTED
