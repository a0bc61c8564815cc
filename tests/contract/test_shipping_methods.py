"""The shipping method and issued quote repositories, on every adapter: round trips of every
field, lookup by code, unique codes, display order, a cart's quotes newest first, versions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money
from commerce_core.shipping.methods import (
    BandBasis,
    IssuedQuote,
    MethodSpec,
    QuoteSource,
    RateBand,
    ShippingMethod,
)
from commerce_core.shipping.rate_errors import (
    DuplicateShippingMethod,
    ShippingMethodNotFound,
    ShippingQuoteNotFound,
)
from tests.contract.conftest import Store

TO = PostalAddress("An", "0901234567", "1 Le Loi", "Ho Chi Minh", "VN", ward="Ben Nghe",
                   province_code="79", ward_code="26734")


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def method(store: Store, code: str, spec: MethodSpec) -> ShippingMethod:
    return ShippingMethod.create(method_id=store.ids.new_id(), code=code, spec=spec,
                                 enabled=True, now=store.clock.now())


TABLE = MethodSpec("By weight", "table_rate", "VND", band_basis=BandBasis.WEIGHT,
                   bands=(RateBand(1000, 15_000), RateBand(None, 40_000)),
                   countries=("VN",), provinces=("79", "01"), max_weight_g=30_000,
                   display_order=2, description="bands")
CARRIER = MethodSpec("GHN", "carrier", "VND", carrier="ghn", service="express",
                     markup_percent=12, fallback=vnd(45_000), estimated_days_min=1,
                     estimated_days_max=2, display_order=1)
FREE = MethodSpec("Free", "free", "VND", min_order=vnd(500_000), display_order=1)


def test_a_method_round_trips_every_field(store: Store) -> None:
    table, carrier = method(store, "table", TABLE), method(store, "ghn", CARRIER)
    with store.uow() as uow:
        uow.shipping_methods.add(table)
        uow.shipping_methods.add(carrier)
        uow.commit()

    with store.uow() as uow:
        loaded = uow.shipping_methods.get(table.id)
        by_code = uow.shipping_methods.by_code("ghn")

    assert (loaded.code, loaded.spec, loaded.enabled, loaded.created_at) == (
        "table", TABLE, True, table.created_at)
    assert by_code is not None
    assert by_code.spec == CARRIER


def test_methods_list_by_display_order_then_code_and_unknowns_are_absent(store: Store) -> None:
    with store.uow() as uow:
        for code, spec in (("table", TABLE), ("ghn", CARRIER), ("free", FREE)):
            uow.shipping_methods.add(method(store, code, spec))
        uow.commit()

    with store.uow() as uow:
        codes = [m.code for m in uow.shipping_methods.list()]
        assert uow.shipping_methods.by_code("nope") is None
        with pytest.raises(ShippingMethodNotFound):
            uow.shipping_methods.get("nope")

    assert codes == ["free", "ghn", "table"]


def test_a_code_is_unique(store: Store) -> None:
    with store.uow() as uow:
        uow.shipping_methods.add(method(store, "free", FREE))
        uow.commit()

    with store.uow() as uow:
        uow.shipping_methods.add(method(store, "free", FREE))
        with pytest.raises(DuplicateShippingMethod):
            uow.commit()


def test_a_change_is_kept_under_a_new_version(store: Store) -> None:
    free = method(store, "free", FREE)
    with store.uow() as uow:
        uow.shipping_methods.add(free)
        uow.commit()
    with store.uow() as uow:
        loaded = uow.shipping_methods.get(free.id)
        loaded.disable(now=store.clock.now())
        uow.commit()

    with store.uow() as uow:
        kept = uow.shipping_methods.get(free.id)

    assert (kept.enabled, kept.version) == (False, 1)


def quote(store: Store, cart_id: str, minutes: int, *, carrier: str | None = None) -> IssuedQuote:
    now = store.clock.now() + timedelta(minutes=minutes)
    return IssuedQuote(
        id=store.ids.new_id(), cart_id=cart_id, content_key="abc123", destination=TO,
        method_code="ghn" if carrier else "flat", method_name="Name", amount=vnd(33_000),
        source=QuoteSource.LIVE if carrier else QuoteSource.RATE, issued_at=now,
        expires_at=now + timedelta(minutes=15), carrier=carrier,
        service="express" if carrier else "flat_rate", estimated_days_min=1,
        estimated_days_max=2 if carrier else None)


def test_an_issued_quote_round_trips_and_a_cart_lists_its_newest_first(store: Store) -> None:
    older, newer = quote(store, "cart-1", 0), quote(store, "cart-1", 5, carrier="ghn")
    with store.uow() as uow:
        for q in (older, newer, quote(store, "cart-2", 1)):
            uow.shipping_quotes.add(q)
        uow.commit()
    with store.uow() as uow:
        uow.shipping_quotes.get(newer.id).select()
        uow.commit()

    with store.uow() as uow:
        listed = uow.shipping_quotes.for_cart("cart-1")
        with pytest.raises(ShippingQuoteNotFound):
            uow.shipping_quotes.get("nope")

    assert [q.id for q in listed] == [newer.id, older.id]
    got = listed[0]
    assert (got.destination, got.amount, got.source, got.carrier, got.service) == (
        TO, vnd(33_000), QuoteSource.LIVE, "ghn", "express")
    assert (got.issued_at, got.expires_at, got.selected) == (
        newer.issued_at, newer.expires_at, True)
    assert listed[1].estimated_days_max is None
