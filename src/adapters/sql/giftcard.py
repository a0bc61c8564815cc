"""Gift card storage (the value is in the ledger tables)."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.giftcard import gift_cards as g
from commerce_core.giftcard.errors import GiftCardNotFound
from commerce_core.giftcard.model import GiftCard, GiftCardStatus

GIFT_CARDS = AggregateMap[GiftCard](
    kind="gift_card",
    not_found=GiftCardNotFound,
    codec=RowCodec(GiftCard, g, status=by_value(GiftCardStatus), events=IGNORED),
)

_BY_DIGEST = sa.select(g).where(g.c.code_digest == sa.bindparam("digest"))
_OF_CUSTOMER = (sa.select(g).where(g.c.customer_id == sa.bindparam("customer"))
                .order_by(g.c.issued_at, CodePointOrder(g.c.id)))
_BY_LAST4 = (sa.select(g).where(g.c.last4 == sa.bindparam("last4"))
             .order_by(g.c.issued_at.desc(), CodePointOrder(g.c.id).desc())
             .limit(sa.bindparam("limit")))


class SqlGiftCardRepository(AggregateRepository[GiftCard]):
    def by_digest(self, code_digest: str) -> GiftCard | None:
        return self._store.first(_BY_DIGEST, {"digest": code_digest})

    def of_customer(self, customer_id: str) -> list[GiftCard]:
        return self._store.all(_OF_CUSTOMER, {"customer": customer_id})

    def by_last4(self, last4: str, limit: int = 50) -> list[GiftCard]:
        return self._store.all(_BY_LAST4, {"last4": last4, "limit": limit})
