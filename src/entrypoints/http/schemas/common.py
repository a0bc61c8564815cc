"""Building blocks every body shares: strict integers, money, the base of request bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from commerce_core.cart.model import MAX_QUANTITY_PER_LINE
from commerce_core.shared.money import Money

StrictCount = Annotated[int, Field(strict=True, ge=0)]
Quantity = Annotated[int, Field(strict=True, ge=1, le=MAX_QUANTITY_PER_LINE)]
Currency = Annotated[str, Field(min_length=3, max_length=3, examples=["VND"])]
Sku = Annotated[str, Field(min_length=1, max_length=64, examples=["LINEN-SHIRT-M"])]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MoneyIn(RequestBody):
    amount: int = Field(strict=True, description="Integer amount in minor units (VND has none)")
    currency: Currency

    def to_money(self) -> Money:
        return Money(self.amount, self.currency.upper())


class MoneyOut(BaseModel):
    amount: int = Field(description="Integer amount in minor units (VND has none)")
    currency: str
    display: str = Field(description="For display only; never parse it")

    @classmethod
    def of(cls, money: Money) -> MoneyOut:
        return cls(amount=money.amount, currency=money.currency, display=str(money))


class Health(BaseModel):
    status: str
    outbox: dict[str, int] | None = None
