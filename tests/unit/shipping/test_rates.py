"""Rate quotes (spec shipping §2, scenarios 1-5) and the quote charged at checkout (ADR 0022)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from adapters.carriers.fake import FakeCarrier
from adapters.carriers.registry import CarrierRegistry
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from adapters.memory.shipping_methods import InMemoryRateCache
from commerce_core import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.checkout.errors import ShippingAddressRequired
from commerce_core.promotion.commands import CreatePromotion
from commerce_core.promotion.terms import FreeShipping
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money
from commerce_core.shipping.methods import BandBasis, MethodSpec, RateBand
from commerce_core.shipping.ports import CarrierQuote, RateRequest
from commerce_core.shipping.rate_errors import (
    InvalidShippingMethod,
    ShippingQuoteExpired,
    ShippingQuoteMismatch,
)
from commerce_core.shipping.rate_queries import RateQuotes
from commerce_core.shipping.rates import RatesPolicy, breaker_name
from commerce_core.tax.commands import CreateTaxRule
from tests.shop import LAMP, MUG, SHIRT, cart_with, clock_of, stock_shop

TO = PostalAddress("An Nguyen", "0901234567", "1 Le Loi", "Ho Chi Minh", "VN",
                   province_code="79")


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


class SlowCarrier(FakeCarrier):
    """Answers only when released (or after 5 s): slower than any budget in these tests."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.release = threading.Event()

    def quote(self, request: RateRequest) -> list[CarrierQuote]:
        self.release.wait(5)
        return super().quote(request)


def shop(*carriers: FakeCarrier, budget_ms: int = 1500) -> Commerce:
    clock = FrozenClock()
    ports = attrs.evolve(
        bundle(gateway=ScriptedPaymentGateway(), clock=clock, ids=SequentialIds()),
        carriers=CarrierRegistry(carriers or [FakeCarrier("ghn")]),
        rate_cache=InMemoryRateCache(clock))
    commerce = Commerce(ports, shipping_rates_policy=RatesPolicy(
        budget=timedelta(milliseconds=budget_ms)))
    stock_shop(commerce)
    return commerce


def methods(commerce: Commerce, *, fallback: Money | None = None) -> None:
    """Spec scenario 1's methods: flat ₫30,000, free from ₫500,000, GHN live (standard)."""
    api = commerce.shipping_rates
    api.create_method("flat", MethodSpec("Flat", "flat_rate", "VND", rate=vnd(30_000),
                                         estimated_days_min=3, estimated_days_max=5))
    api.create_method("free", MethodSpec("Free over 500k", "free", "VND",
                                         min_order=vnd(500_000), display_order=1,
                                         estimated_days_min=4, estimated_days_max=7))
    api.create_method("ghn", MethodSpec("GHN express", "carrier", "VND", carrier="ghn",
                                        service="express", markup_percent=10,
                                        fallback=fallback))


def codes(quotes: RateQuotes) -> list[str]:
    return [o.method_code for o in quotes.options]


@pytest.fixture
def slow() -> Iterator[SlowCarrier]:
    carrier = SlowCarrier("ghn")
    yield carrier
    carrier.release.set()


def test_scenario_1_an_order_over_the_threshold_gets_three_quotes_one_free() -> None:
    commerce = shop()
    methods(commerce)
    cart_id = cart_with(commerce, (SHIRT, 2))  # ₫700,000
    assert commerce.shipping.rates is not None

    quotes = commerce.shipping.rates.quote(cart_id, TO)

    assert codes(quotes) == ["free", "flat", "ghn"]
    free, flat, ghn = quotes.options
    assert (free.is_free, free.amount, free.cheapest) == (True, vnd(0), True)
    assert flat.amount == vnd(30_000)
    # The fake carrier: ₫20,000 + ₫5,000 per started kg (two shirts without a weight: 500 g
    # each), x1.5 for express; then the 10 % markup.
    assert (ghn.amount, ghn.source, ghn.carrier) == (vnd(41_250), "live", "ghn")
    assert ghn.fastest
    assert (ghn.estimated_days_min, ghn.estimated_days_max) == (1, 2)


def test_a_free_method_without_a_minimum_is_free_for_every_order() -> None:
    commerce = shop()
    commerce.shipping_rates.create_method("pickup", MethodSpec("Pickup", "free", "VND"))
    cart_id = cart_with(commerce, (MUG, 1))

    quotes = commerce.shipping_rates.quote(cart_id, TO)

    assert [(o.is_free, o.amount) for o in quotes.options] == [(True, vnd(0))]


def test_scenario_2_below_the_threshold_the_free_method_is_absent() -> None:
    commerce = shop()
    methods(commerce)
    cart_id = cart_with(commerce, (MUG, 4))  # ₫356,000

    assert codes(commerce.shipping_rates.quote(cart_id, TO)) == ["flat", "ghn"]


def test_scenario_3_a_carrier_slower_than_the_budget_is_skipped_and_logged(
        slow: SlowCarrier, caplog: pytest.LogCaptureFixture) -> None:
    commerce = shop(slow, budget_ms=50)
    methods(commerce)
    cart_id = cart_with(commerce, (MUG, 4))

    quotes = commerce.shipping_rates.quote(cart_id, TO)

    assert codes(quotes) == ["flat"]
    assert quotes.skipped == ("ghn",)
    assert "did not quote within 50 ms" in caplog.text


def test_scenario_4_an_open_circuit_skips_the_carrier_without_a_call() -> None:
    ghn = FakeCarrier("ghn")
    commerce = shop(ghn)
    methods(commerce)
    ghn.fail_next(5)
    for _ in range(5):  # five failures in a row open the breaker
        commerce.shipping_rates.quote(cart_with(commerce, (MUG, 1)), TO)
    calls = len(ghn.calls)

    quotes = commerce.shipping_rates.quote(cart_with(commerce, (MUG, 2)), TO)

    assert len(ghn.calls) == calls
    assert codes(quotes) == ["flat"]
    clock_of(commerce).advance(timedelta(seconds=61))  # open time over: one probe goes through
    assert "ghn" in codes(commerce.shipping_rates.quote(cart_with(commerce, (MUG, 3)), TO))
    assert len(ghn.calls) == calls + 1


def test_scenario_5_the_same_request_within_the_ttl_does_not_call_the_carrier_again() -> None:
    ghn = FakeCarrier("ghn")
    commerce = shop(ghn)
    methods(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))

    first = commerce.shipping_rates.quote(cart_id, TO)
    second = commerce.shipping_rates.quote(cart_id, TO)
    clock_of(commerce).advance(timedelta(minutes=11))
    third = commerce.shipping_rates.quote(cart_id, TO)

    assert ghn.calls == ["quote", "quote"]
    assert [o.source for o in (first.options[-1], second.options[-1], third.options[-1])] == [
        "live", "cached", "live"]


def test_changing_a_method_forgets_cached_answers() -> None:
    ghn = FakeCarrier("ghn")
    commerce = shop(ghn)
    methods(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))
    commerce.shipping_rates.quote(cart_id, TO)

    commerce.shipping_rates.disable_method("flat")
    quotes = commerce.shipping_rates.quote(cart_id, TO)

    assert ghn.calls == ["quote", "quote"]
    assert codes(quotes) == ["ghn"]


def test_a_failing_carrier_falls_back_to_its_last_answer_then_to_the_fallback_amount() -> None:
    ghn = FakeCarrier("ghn")
    commerce = shop(ghn)
    methods(commerce, fallback=vnd(45_000))
    cart_id = cart_with(commerce, (SHIRT, 1))
    commerce.shipping_rates.quote(cart_id, TO)
    clock_of(commerce).advance(timedelta(minutes=11))  # stale, still the last known answer
    ghn.fail_next()

    last_known = commerce.shipping_rates.quote(cart_id, TO).options[-1]
    ghn.fail_next()
    other = commerce.shipping_rates.quote(cart_with(commerce, (LAMP, 1)), TO)

    assert (last_known.source, last_known.amount) == ("last_known", vnd(41_250))
    assert [(o.method_code, o.source, o.amount) for o in other.options] == [
        ("free", "rate", vnd(0)), ("flat", "rate", vnd(30_000)),
        ("ghn", "fallback", vnd(45_000))]


def test_table_rates_by_weight_and_conditions_by_destination() -> None:
    commerce = shop()
    commerce.shipping_rates.create_method("table", MethodSpec(
        "By weight", "table_rate", "VND", band_basis=BandBasis.WEIGHT,
        bands=(RateBand(1000, 15_000), RateBand(3000, 25_000), RateBand(None, 60_000))))
    commerce.shipping_rates.create_method("hanoi", MethodSpec(
        "Ha Noi same day", "flat_rate", "VND", rate=vnd(10_000), provinces=("01",)))

    light = commerce.shipping_rates.quote(cart_with(commerce, (MUG, 2)), TO)  # 2 x 500 g
    heavy = commerce.shipping_rates.quote(cart_with(commerce, (MUG, 5)), TO)

    assert [(o.method_code, o.amount) for o in light.options] == [("table", vnd(15_000))]
    assert [(o.method_code, o.amount) for o in heavy.options] == [("table", vnd(25_000))]


def test_a_method_refuses_bad_configuration() -> None:
    with pytest.raises(InvalidShippingMethod):
        MethodSpec("x", "carrier", "VND", carrier="ghn", service="express", markup_percent=80)
    with pytest.raises(InvalidShippingMethod):
        MethodSpec("x", "table_rate", "VND", band_basis="weight",
                   bands=(RateBand(None, 1), RateBand(10, 2)))


# -- the quote is what checkout charges --------------------------------------------------------
def test_checkout_charges_the_chosen_quote_and_taxes_it() -> None:
    commerce = shop()
    methods(commerce)
    commerce.tax.create_rule(CreateTaxRule("VAT 10%", "VN", "VAT", Decimal(10),
                                           applies_to_shipping=True))
    cart_id = cart_with(commerce, (MUG, 1))  # ₫89,000
    flat = commerce.shipping_rates.quote(cart_id, TO).options[0]
    commerce.shipping_rates.select(cart_id, flat.quote_id)

    placed = commerce.checkout.place_order(cart_id, ship_to=TO, shipping_quote_id=flat.quote_id)

    order = commerce.orders.get(placed.order_id)
    assert order.totals.shipping == vnd(30_000)
    assert order.totals.tax == vnd(11_900)  # 10 % of 89,000 and of 30,000
    assert order.totals.total == vnd(130_900)
    assert (order.shipping_method, order.ship_to) == ("flat:flat_rate", TO)


def test_a_free_shipping_promotion_zeroes_the_quoted_shipping() -> None:
    commerce = shop()
    methods(commerce)
    commerce.promotions.create(CreatePromotion("free flat shipping",
                                               FreeShipping(methods=("flat",))))
    cart_id = cart_with(commerce, (MUG, 1))
    flat = commerce.shipping_rates.quote(cart_id, TO).options[0]

    placed = commerce.checkout.place_order(cart_id, ship_to=TO, shipping_quote_id=flat.quote_id)

    order = commerce.orders.get(placed.order_id)
    # The quote is charged and the promotion takes it off again.
    assert (order.totals.shipping, order.totals.discount) == (vnd(30_000), vnd(30_000))
    assert order.totals.total == vnd(89_000)


def test_a_carrier_slower_than_the_budget_falls_back_and_the_order_completes(
        slow: SlowCarrier) -> None:
    commerce = shop(slow, budget_ms=50)
    methods(commerce, fallback=vnd(40_000))
    cart_id = cart_with(commerce, (MUG, 1))
    options = {o.method_code: o for o in commerce.shipping_rates.quote(cart_id, TO).options}
    ghn = options["ghn"]

    placed = commerce.checkout.place_order(cart_id, ship_to=TO, shipping_quote_id=ghn.quote_id)

    assert ghn.source == "fallback"
    order = commerce.orders.get(placed.order_id)
    assert placed.status == "confirmed"
    assert (order.totals.shipping, order.shipping_method) == (vnd(40_000), "ghn:express")


def test_an_expired_quote_is_refused_and_nothing_is_taken() -> None:
    commerce = shop()
    methods(commerce)
    cart_id = cart_with(commerce, (MUG, 1))
    flat = commerce.shipping_rates.quote(cart_id, TO).options[0]
    clock_of(commerce).advance(timedelta(minutes=15))

    with pytest.raises(ShippingQuoteExpired):
        commerce.checkout.place_order(cart_id, ship_to=TO, shipping_quote_id=flat.quote_id)
    assert commerce.cart.get(cart_id).status == "active"


def test_a_quote_for_another_cart_other_contents_or_address_is_refused() -> None:
    commerce = shop()
    methods(commerce)
    cart_id = cart_with(commerce, (MUG, 1))
    other = cart_with(commerce, (MUG, 1))
    flat = commerce.shipping_rates.quote(cart_id, TO).options[0]

    with pytest.raises(ShippingQuoteMismatch):
        commerce.checkout.place_order(other, ship_to=TO, shipping_quote_id=flat.quote_id)
    with pytest.raises(ShippingQuoteMismatch):
        commerce.checkout.place_order(cart_id, ship_to=attrs.evolve(TO, line1="2 Le Loi"),
                                      shipping_quote_id=flat.quote_id)
    commerce.cart.add_item(cart_id, MUG, 1)
    with pytest.raises(ShippingQuoteMismatch):
        commerce.checkout.place_order(cart_id, ship_to=TO, shipping_quote_id=flat.quote_id)
    with pytest.raises(ShippingQuoteMismatch):
        commerce.shipping_rates.select(cart_id, flat.quote_id)


def test_without_a_quote_checkout_charges_no_shipping() -> None:
    commerce = shop()
    methods(commerce)
    cart_id = cart_with(commerce, (MUG, 1))

    placed = commerce.checkout.place_order(cart_id, ship_to=TO)

    order = commerce.orders.get(placed.order_id)
    assert (order.totals.shipping, order.shipping_method) == (vnd(0), None)


def test_breakers_are_named_apart_from_payment_gateways() -> None:
    assert breaker_name("ghn") == "carrier:ghn"


def test_the_embedded_api_ships_to_the_quoted_address_and_a_bare_command_must_name_it() -> None:
    commerce = shop()
    methods(commerce)
    cart_id = cart_with(commerce, (MUG, 1))
    flat = commerce.shipping_rates.quote(cart_id, TO).options[0]

    with pytest.raises(ShippingAddressRequired):
        commerce.handle(PlaceOrder(cart_id, shipping_quote_id=flat.quote_id))
    placed = commerce.checkout.place_order(cart_id, shipping_quote_id=flat.quote_id)

    order = commerce.orders.get(placed.order_id)
    assert (order.ship_to, order.totals.shipping) == (TO, vnd(30_000))
