"""The gift card and tender repositories' contract, on every adapter: a card reads back as
written and is found by its code's digest, its customer and its last four characters; a code
digest is unique; an order's tenders read back with what refunds gave back of them."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest

from commerce_core.giftcard.errors import GiftCardNotFound
from commerce_core.giftcard.model import GiftCard, GiftCardStatus
from commerce_core.giftcard.ports import GiftCardUnitOfWork
from commerce_core.payment.ports import PaymentUnitOfWork, Tender, TenderKind, TenderStatus
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.money import Money
from tests.contract.conftest import Store

CODE, OTHER = "ABCDEFGHJKMNPQRS", "ZZZZYYYYXXXXWWWW"


def card(store: Store, card_id: str, code: str = CODE, customer: str | None = None) -> GiftCard:
    return GiftCard.issue(card_id=card_id, code=code, pepper=b"p", value=Money(500, "VND"),
                          account_id=f"acc-{card_id}", customer_id=customer,
                          expires_at=store.clock.now() + timedelta(days=30), issued_by="staff",
                          note="n", now=store.clock.now())


def test_a_gift_card_reads_back_and_is_found_by_digest_customer_and_last_four(
    store: Store,
) -> None:
    made = card(store, "gc-1", customer="c-1")
    with cast(GiftCardUnitOfWork, store.uow()) as u:
        u.gift_cards.add(made)
        u.commit()

    with cast(GiftCardUnitOfWork, store.uow()) as u:
        loaded = u.gift_cards.get("gc-1")
        loaded.disable("lost", now=store.clock.now())
        u.commit()
    with cast(GiftCardUnitOfWork, store.uow()) as u:
        again = u.gift_cards.get("gc-1")
        by_digest = u.gift_cards.by_digest(made.code_digest)
        mine = u.gift_cards.of_customer("c-1")
        by_last4 = u.gift_cards.by_last4("PQRS")
        with pytest.raises(GiftCardNotFound):
            u.gift_cards.get("nope")

    assert (again.status, again.expires_at, again.last4) == (
        GiftCardStatus.DISABLED, made.expires_at, "PQRS")
    assert by_digest is not None
    assert by_digest.id == "gc-1"
    assert [c.id for c in mine] == [c.id for c in by_last4] == ["gc-1"]


def test_two_cards_with_one_code_are_refused(store: Store) -> None:
    with cast(GiftCardUnitOfWork, store.uow()) as u:
        u.gift_cards.add(card(store, "gc-1"))
        u.commit()

    with cast(GiftCardUnitOfWork, store.uow()) as u:
        u.gift_cards.add(card(store, "gc-2"))
        with pytest.raises(ConcurrencyConflict):
            u.commit()


def test_an_orders_tenders_read_back_with_their_refunds(store: Store) -> None:
    now = store.clock.now()
    with cast(PaymentUnitOfWork, store.uow()) as u:
        for n, kind in enumerate((TenderKind.POINTS, TenderKind.GIFT_CARD)):
            u.tenders.add(Tender(f"t-{n}", "o-1", "chk-1", kind, f"acc-{n}", 100 * (n + 1),
                                 1_000 * (n + 1), "VND", TenderStatus.HELD, now, now))
        u.commit()

    with cast(PaymentUnitOfWork, store.uow()) as u:
        first = u.tenders.get("t-0")
        first.captured(now=now)
        first.refunded("ret-1", 40, 400, now=now)
        u.commit()
    with cast(PaymentUnitOfWork, store.uow()) as u:
        tenders = u.tenders.of_order("o-1")
        assert u.tenders.of_order("o-2") == []

    assert [(t.id, t.kind, t.status) for t in tenders] == [
        ("t-0", TenderKind.POINTS, TenderStatus.CAPTURED),
        ("t-1", TenderKind.GIFT_CARD, TenderStatus.HELD)]
    assert (tenders[0].refunded_units, tenders[0].refunded_value) == (40, 400)
    assert tenders[0].refund_of("ret-1") is not None
