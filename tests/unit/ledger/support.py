"""A returns shop whose customer holds stored value: points credited straight into their
`points` ledger account, gift cards issued by staff, store credit granted."""

from __future__ import annotations

from typing import Any

from commerce_core import Commerce
from commerce_core.giftcard.ports import GiftCardSettings
from commerce_core.ledger import services as ledger
from commerce_core.ledger.ports import AccountKind
from commerce_core.payment.ports import TenderPolicy
from commerce_core.shared.money import Money
from tests.unit.returns.support import returns_shop

CUSTOMER = "c-1"
POLICY = TenderPolicy(point_value=100)  # one point pays 100 ₫


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def stored_value_shop(**kwargs: Any) -> Commerce:
    return returns_shop(tender_policy=POLICY,
                        gift_card_settings=GiftCardSettings(pepper=b"test-pepper"), **kwargs)


def give_points(commerce: Commerce, points: int, customer: str = CUSTOMER) -> str:
    with commerce.ports.uow() as uow:
        account = ledger.open_account(uow, AccountKind.POINTS, customer, "points")
        ledger.credit(uow, account.id, points, source="test", source_id=f"{customer}:{points}")
        uow.commit()
    return account.id


def balance(commerce: Commerce, account_id: str) -> int:
    return commerce.ledger.balance(account_id).balance


def available(commerce: Commerce, account_id: str) -> int:
    return commerce.ledger.balance(account_id).available
