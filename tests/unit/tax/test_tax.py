"""Tax rules and calculation (spec §3): specificity, compound and inclusive rules, shipping,
the no-rule policy, and failures that must stop checkout."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commerce_core.pricing.commands import CreatePrice
from commerce_core.pricing.engine import (
    CartLineInput,
    CustomerContext,
    PricingContext,
    PricingInput,
    PricingStage,
    ShippingSelection,
    TaxStatus,
)
from commerce_core.pricing.errors import TaxDestinationRequired
from commerce_core.pricing.ports import NoRulePolicy, TaxableLine, TaxDestination, TaxRequest
from commerce_core.promotion.terms import FreeShipping
from commerce_core.shared.money import Money
from commerce_core.tax.calculation import calculate_tax
from commerce_core.tax.commands import CreateTaxRule
from commerce_core.tax.errors import (
    InvalidTaxRule,
    NoTaxRuleMatched,
    TaxServiceUnavailable,
)
from commerce_core.tax.model import TaxRuleDefinition
from tests.unit.pricing.support import (
    NOW,
    VN,
    line,
    make_shop,
    price,
    promotion,
    quote,
    tax_rule,
    vnd,
)

RICE, BEER = "prod-rice", "prod-beer"


def taxed(amount: int, rules: list[TaxRuleDefinition], *, tax_class: str | None = None,
          categories: tuple[str, ...] = (), shipping: int | None = None,
          destination: TaxDestination = VN, group: str | None = None,
          policy: NoRulePolicy = NoRulePolicy.ZERO_WITH_WARNING) -> tuple[int, int, bool]:
    result = calculate_tax(TaxRequest(
        "VND", destination, (TaxableLine("l1", vnd(amount), tax_class, categories),),
        None if shipping is None else vnd(shipping), group,
    ), rules, at=NOW, policy=policy)
    shipping_tax = result.shipping.tax.amount if result.shipping else 0
    return result.lines[0].tax.amount, shipping_tax, result.no_rule_matched


def test_scenario_27_a_food_line_takes_the_reduced_rate() -> None:
    rules = [tax_rule(10), tax_rule(5, categories=("FOOD",))]

    assert taxed(100_000, rules, categories=("FOOD",))[0] == 5_000
    assert taxed(100_000, rules, categories=("TOYS",))[0] == 10_000


def test_scenario_28_a_compound_rule_applies_on_base_plus_earlier_tax() -> None:
    rules = [tax_rule(10), tax_rule(5, tax_type="EXCISE", is_compound=True)]

    assert taxed(100_000, rules)[0] == 15_500


def test_scenario_29_an_inclusive_rule_extracts_tax_from_the_gross_price() -> None:
    breakdown = quote([line(BEER)], prices=[price(BEER, 110_000)],
                      tax_rules=[tax_rule(10, is_inclusive=True)])

    priced = breakdown.lines[0]
    assert (priced.tax, priced.tax_included, priced.total) == (
        vnd(10_000), vnd(10_000), vnd(110_000))
    assert breakdown.totals.total == vnd(110_000)
    assert calculate_tax(TaxRequest("VND", VN, (TaxableLine("l1", vnd(110_000)),)),
                         [tax_rule(10, is_inclusive=True)], at=NOW).lines[0].net == vnd(100_000)


def test_scenario_30_no_matching_rule_is_reported_not_hidden_as_zero() -> None:
    no_rule = taxed(100_000, [tax_rule(10, country_code="TH")])
    zero_rule = taxed(100_000, [tax_rule(0)])

    assert no_rule == (0, 0, True)
    assert zero_rule == (0, 0, False)
    with pytest.raises(NoTaxRuleMatched):
        taxed(100_000, [], policy=NoRulePolicy.FAIL)


def test_no_rule_matched_shows_in_the_breakdown_as_a_warning() -> None:
    breakdown = quote([line(RICE)], prices=[price(RICE, 50_000)], tax_rules=[])

    assert breakdown.no_tax_rule_matched
    assert breakdown.lines[0].no_tax_rule
    assert [w.code for w in breakdown.warnings] == ["tax.no_rule_matched"]


def test_scenario_31_a_tax_outage_at_confirm_fails_and_never_charges_zero_tax() -> None:
    shop = make_shop()
    shop.handle(CreatePrice(RICE, vnd(50_000)))
    shop.handle(CreateTaxRule("VAT", "VN", "VAT", Decimal(10)))
    cart = PricingInput("VND", (CartLineInput("l1", RICE, 1),), destination=VN)
    shop.tax.down = True

    with pytest.raises(TaxServiceUnavailable):
        shop.pricing.taxes_for(VN, NOW)  # what a confirmation asks for before it writes
    with pytest.raises(TaxServiceUnavailable):
        shop.pricing.quote(cart, CustomerContext("alice"))

    shop.tax.down = False
    assert shop.pricing.quote(cart, CustomerContext("alice")).totals.tax_total == vnd(5_000)


def test_confirming_without_a_destination_is_refused() -> None:
    with pytest.raises(TaxDestinationRequired):
        quote([line(RICE)], prices=[price(RICE, 50_000)], destination=None,
              context=PricingContext(PricingStage.CONFIRM))


def test_before_the_address_tax_is_pending_or_estimated_from_a_default() -> None:
    pending = quote([line(RICE)], prices=[price(RICE, 50_000)], destination=None,
                    tax_rules=[tax_rule(10)])
    estimated = quote([line(RICE)], prices=[price(RICE, 50_000)], destination=None,
                      tax_rules=[tax_rule(10)],
                      context=PricingContext(default_destination=TaxDestination("VN")))

    assert (pending.tax_status, pending.totals.tax_total) == (TaxStatus.PENDING, vnd(0))
    assert (estimated.tax_status, estimated.totals.tax_total) == (
        TaxStatus.ESTIMATED, vnd(5_000))


def test_the_most_specific_location_wins_within_a_tax_type() -> None:
    rules = [tax_rule(10), tax_rule(8, region="HCM"), tax_rule(7, region="HCM", postcode="700*"),
             tax_rule(2, tax_type="EXCISE")]

    assert taxed(100_000, rules)[0] == 7_000 + 2_000
    assert taxed(100_000, rules, destination=TaxDestination("VN", "HN"))[0] == 12_000


def test_a_customer_group_rule_wins_for_that_group() -> None:
    rules = [tax_rule(10), tax_rule(0, customer_group_id="b2b-exempt")]

    assert taxed(100_000, rules, group="b2b-exempt") == (0, 0, False)
    assert taxed(100_000, rules)[0] == 10_000


def test_shipping_is_taxed_only_by_rules_that_say_so() -> None:
    assert taxed(100_000, [tax_rule(10)], shipping=30_000)[1] == 0
    assert taxed(100_000, [tax_rule(10, applies_to_shipping=True)], shipping=30_000)[1] == 3_000


def test_tax_is_computed_on_the_discounted_shipping() -> None:
    breakdown = quote([line(RICE)], prices=[price(RICE, 50_000)],
                      promotions=[promotion("20k shipping", FreeShipping(cap=vnd(20_000)))],
                      shipping=ShippingSelection("standard", vnd(30_000)),
                      tax_rules=[tax_rule(10, applies_to_shipping=True)])

    assert (breakdown.shipping.discount, breakdown.shipping.tax) == (vnd(20_000), vnd(1_000))


def test_a_tax_exempt_customer_pays_no_tax_and_is_not_unmatched() -> None:
    breakdown = quote([line(RICE)], prices=[price(RICE, 50_000)], tax_rules=[tax_rule(10)],
                      customer=CustomerContext("c", tax_exempt=True))

    assert (breakdown.tax_status, breakdown.no_tax_rule_matched) == (TaxStatus.EXEMPT, False)
    assert breakdown.totals.tax_total == vnd(0)


def test_tax_rounds_half_even_per_line_and_sums_to_the_order() -> None:
    lines = (TaxableLine("a", Money(5, "USD")), TaxableLine("b", Money(15, "USD")),
             TaxableLine("c", Money(25, "USD")))

    result = calculate_tax(TaxRequest("USD", TaxDestination("VN"), lines),
                           [tax_rule(10)], at=NOW)

    assert [t.tax.amount for t in result.lines] == [0, 2, 2]
    assert result.tax == Money(4, "USD") == result.rates[0].amount


@pytest.mark.parametrize("rate", ["-1", "100.5", "10.00001"])
def test_a_rate_outside_0_to_100_or_beyond_4_decimals_is_refused(rate: str) -> None:
    with pytest.raises(InvalidTaxRule):
        tax_rule(rate)
