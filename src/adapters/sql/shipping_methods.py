"""Shipping storage: methods and the quotes issued from them."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import AS_JSON_LIST, IGNORED, RowCodec, by_value, column, flat, money
from adapters.sql.tables.shipping_methods import shipping_methods, shipping_quotes
from commerce_core.shared.address import PostalAddress
from commerce_core.shipping.methods import (
    BandBasis,
    IssuedQuote,
    MethodSpec,
    MethodType,
    QuoteSource,
    RateBand,
    ShippingMethod,
)
from commerce_core.shipping.rate_errors import ShippingMethodNotFound, ShippingQuoteNotFound


def _bands(bands: tuple[RateBand, ...]) -> list[dict[str, int | None]]:
    return [b.to_dict() for b in bands]


def _load_bands(data: list[dict[str, int | None]]) -> tuple[RateBand, ...]:
    return tuple(RateBand.from_dict(d) for d in data)


SHIPPING_METHODS = AggregateMap[ShippingMethod](
    kind="shipping_method",
    not_found=ShippingMethodNotFound,
    codec=RowCodec(
        ShippingMethod, shipping_methods,
        spec=flat(
            MethodSpec, method_type=by_value(MethodType), band_basis=by_value(BandBasis),
            rate=money(), min_order=money(), fallback=money(),
            bands=column(store=_bands, load=_load_bands),
            countries=AS_JSON_LIST, provinces=AS_JSON_LIST,
        ),
        events=IGNORED,
    ),
)
SHIPPING_QUOTES = AggregateMap[IssuedQuote](
    kind="shipping_quote",
    not_found=ShippingQuoteNotFound,
    codec=RowCodec(
        IssuedQuote, shipping_quotes,
        destination=column(store=PostalAddress.to_dict, load=PostalAddress.from_dict),
        amount=money(), source=by_value(QuoteSource), events=IGNORED,
    ),
)
_M = shipping_methods.c
_Q = shipping_quotes.c
_BY_CODE = sa.select(shipping_methods).where(_M.code == sa.bindparam("code"))


class SqlShippingMethodRepository(AggregateRepository[ShippingMethod]):
    def by_code(self, code: str) -> ShippingMethod | None:
        return self._store.first(_BY_CODE, {"code": code})

    def list(self) -> list[ShippingMethod]:
        return self._store.all(sa.select(shipping_methods)
                               .order_by(_M.display_order, _M.code))


class SqlShippingQuoteRepository(AggregateRepository[IssuedQuote]):
    def for_cart(self, cart_id: str) -> list[IssuedQuote]:
        return self._store.all(sa.select(shipping_quotes).where(_Q.cart_id == cart_id)
                               .order_by(_Q.issued_at.desc(), _Q.id.desc()))
