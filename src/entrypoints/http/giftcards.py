"""Gift card, store credit and ledger routes. A card's code is in the answer to its issue and
nowhere else; a balance looked up by code is rate limited per address (`giftcard_lookup`),
so codes cannot be guessed by asking; a customer sees only their own cards and credit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from commerce_core.giftcard.queries import GiftCardView, IssuedGiftCard, StoreCreditView
from commerce_core.ledger.ports import Account, Entry
from commerce_core.shared.money import Money
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PUBLIC, permit
from entrypoints.http.customers import MeDep
from entrypoints.http.dependencies import CommerceDep, SettingsDep
from entrypoints.http.ratelimit import rate_limited
from entrypoints.http.schemas.common import (
    MAX_AMOUNT,
    MAX_OFFSET,
    Currency,
    GiftCardCode,
    Integral,
    MoneyOut,
    RequestBody,
)

router = APIRouter(tags=["gift cards"])
admin = APIRouter(tags=["gift cards admin"])

LOOKUP = Depends(rate_limited("giftcard_lookup"))


class GiftCardOut(BaseModel):
    id: str
    last4: str = Field(description="The last four characters of the code (never the code)")
    status: str = Field(description="active or disabled")
    balance: MoneyOut
    available: MoneyOut = Field(description="The balance less what checkouts hold")
    initial_value: MoneyOut
    expires_at: datetime | None
    issued_at: datetime

    @classmethod
    def of(cls, v: GiftCardView) -> GiftCardOut:
        return cls(id=v.id, last4=v.last4, status=v.status, balance=MoneyOut.of(v.balance),
                   available=MoneyOut.of(v.available),
                   initial_value=MoneyOut.of(v.initial_value), expires_at=v.expires_at,
                   issued_at=v.issued_at)


class StaffGiftCardOut(GiftCardOut):
    customer_id: str | None
    account_id: str

    @classmethod
    def of(cls, v: GiftCardView) -> StaffGiftCardOut:
        return cls(**GiftCardOut.of(v).model_dump(), customer_id=v.customer_id,
                   account_id=v.account_id)


class IssuedGiftCardOut(StaffGiftCardOut):
    code: str = Field(description="The card's code, shown this once: it is stored nowhere")

    @classmethod
    def issued(cls, issued: IssuedGiftCard) -> IssuedGiftCardOut:
        return cls(**StaffGiftCardOut.of(issued.card).model_dump(), code=issued.code)


class StoreCreditOut(BaseModel):
    balance: MoneyOut
    available: MoneyOut

    @classmethod
    def of(cls, v: StoreCreditView) -> StoreCreditOut:
        return cls(balance=MoneyOut.of(v.balance), available=MoneyOut.of(v.available))


class CodeIn(RequestBody):
    code: GiftCardCode


class IssueIn(RequestBody):
    amount: Annotated[int, Integral] = Field(strict=True, ge=1, le=MAX_AMOUNT,
                                             description="Minor units")
    currency: Currency | None = Field(None, description="Default: the shop's currency")
    customer_id: str | None = Field(None, min_length=1, max_length=64,
                                    description="Bind the card to this customer at once")
    expires_at: datetime | None = None
    note: str = Field("", max_length=500)


class DisableIn(RequestBody):
    reason: str = Field("disabled by staff", min_length=1, max_length=200)


class AccountOut(BaseModel):
    id: str
    kind: str
    owner: str
    unit: str
    balance: int
    held: int
    available: int

    @classmethod
    def of(cls, a: Account) -> AccountOut:
        return cls(id=a.id, kind=a.kind.value, owner=a.owner, unit=a.unit, balance=a.balance,
                   held=a.held, available=a.available)


class EntryOut(BaseModel):
    id: str
    posting_id: str
    amount: int = Field(description="Positive: credited to the account; negative: debited")
    balance_after: int
    kind: str
    source: str
    source_id: str
    created_at: datetime
    memo: str

    @classmethod
    def of(cls, e: Entry) -> EntryOut:
        return cls(id=e.id, posting_id=e.posting_id, amount=e.amount,
                   balance_after=e.balance_after, kind=e.kind.value, source=e.source,
                   source_id=e.source_id, created_at=e.created_at, memo=e.memo)


# -- shoppers -----------------------------------------------------------------------------------
@router.post("/gift-cards/balance", dependencies=[PUBLIC, LOOKUP],
             summary="A gift card's balance by its code (rate limited per address)")
def gift_card_balance(body: CodeIn, commerce: CommerceDep) -> GiftCardOut:
    return GiftCardOut.of(commerce.giftcards.balance(body.code))


@router.get("/me/gift-cards", summary="The gift cards in my account")
def my_gift_cards(commerce: CommerceDep, customer_id: MeDep) -> list[GiftCardOut]:
    return [GiftCardOut.of(v) for v in commerce.giftcards.of_customer(customer_id)]


@router.post("/me/gift-cards", dependencies=[LOOKUP],
             summary="Add a gift card to my account by its code")
def bind_gift_card(body: CodeIn, commerce: CommerceDep, customer_id: MeDep) -> GiftCardOut:
    return GiftCardOut.of(commerce.giftcards.bind(customer_id, body.code))


@router.get("/me/store-credit", summary="My store credit")
def my_store_credit(commerce: CommerceDep, customer_id: MeDep,
                    settings: SettingsDep) -> StoreCreditOut:
    return StoreCreditOut.of(commerce.giftcards.store_credit(customer_id, settings.currency))


# -- staff --------------------------------------------------------------------------------------
@admin.post("/gift-cards", status_code=201,
            dependencies=[permit(Permission.GIFTCARDS_MANAGE)],
            summary="Issue a gift card: its code is in this answer only")
def issue_gift_card(body: IssueIn, commerce: CommerceDep,
                    settings: SettingsDep) -> IssuedGiftCardOut:
    expires_at = body.expires_at
    if expires_at is not None and expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)  # an instant without a zone is UTC
    issued = commerce.giftcards.issue(Money(body.amount, body.currency or settings.currency),
                                      customer_id=body.customer_id, expires_at=expires_at,
                                      note=body.note)
    return IssuedGiftCardOut.issued(issued)


@admin.get("/gift-cards", dependencies=[permit(Permission.GIFTCARDS_READ)],
           summary="Gift cards whose code ends with these four characters")
def find_gift_cards(commerce: CommerceDep,
                    last4: Annotated[str, Query(pattern=r"^[A-Za-z0-9]{4}$")]
                    ) -> list[StaffGiftCardOut]:
    return [StaffGiftCardOut.of(v) for v in commerce.giftcards.by_last4(last4)]


@admin.get("/gift-cards/{card_id}", dependencies=[permit(Permission.GIFTCARDS_READ)],
           summary="One gift card")
def show_gift_card(card_id: str, commerce: CommerceDep) -> StaffGiftCardOut:
    return StaffGiftCardOut.of(commerce.giftcards.get(card_id))


@admin.post("/gift-cards/{card_id}/disable",
            dependencies=[permit(Permission.GIFTCARDS_MANAGE)],
            summary="Disable a gift card: it no longer pays")
def disable_gift_card(card_id: str, body: DisableIn, commerce: CommerceDep) -> StaffGiftCardOut:
    return StaffGiftCardOut.of(commerce.giftcards.disable(card_id, body.reason))


@admin.get("/ledger/accounts/{account_id}", dependencies=[permit(Permission.LEDGER_READ)],
           summary="A ledger account's balance")
def ledger_account(account_id: str, commerce: CommerceDep) -> AccountOut:
    return AccountOut.of(commerce.ledger.balance(account_id))


@admin.get("/ledger/accounts/{account_id}/entries",
           dependencies=[permit(Permission.LEDGER_READ)],
           summary="A ledger account's statement, newest first")
def ledger_statement(account_id: str, commerce: CommerceDep,
                     limit: Annotated[int, Query(ge=1, le=200)] = 50,
                     offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0) -> list[EntryOut]:
    return [EntryOut.of(e) for e in commerce.ledger.statement(account_id, limit, offset)]
