"""`price_cart`: the one pure function that prices a cart (spec §0 pipeline).

    base price (4-level lookup, sale, conversion) -> price rules -> promotions -> coupons
    -> tax once, on the discounted lines, by shipping destination -> totals

Lines are processed in a stable order (product, SKU, warehouse, line id), so the result does not
depend on the order the cart lists them in; every rounding is half-even and every split uses
largest-remainder allocation, so the same input always gives the same minor units.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from commerce_core.pricing.currency import ExchangeRate, ExchangeRateTable
from commerce_core.pricing.engine.breakdown import (
    Adjustment,
    AdjustmentKind,
    AppliedOffer,
    InvalidCoupon,
    LineBreakdown,
    PriceBreakdown,
    PriceSource,
    PricingWarning,
    ShippingBreakdown,
    TaxStatus,
    Totals,
)
from commerce_core.pricing.engine.inputs import (
    CartLineInput,
    CustomerContext,
    PriceCatalogue,
    PricingContext,
    PricingInput,
    PricingStage,
)
from commerce_core.pricing.errors import (
    InvalidPricingInput,
    PriceNotFound,
    TaxDestinationRequired,
)
from commerce_core.pricing.model import (
    LOOKUP_ORDER,
    PricePoint,
    ResolvedPrice,
    points_by_product,
    resolve_price,
)
from commerce_core.pricing.ports import (
    LineTax,
    PromotionEvaluator,
    PromotionLine,
    PromotionOutcome,
    PromotionRequest,
    Shopper,
    TaxableLine,
    TaxCalculator,
    TaxRequest,
    TaxResult,
)
from commerce_core.pricing.rules import RuleApplication, RuleSubject, apply_rules
from commerce_core.shared.money import EXPONENTS, Money


@frozen
class _Based:
    """A line after the base-price and rule stages."""

    line: CartLineInput
    source: PriceSource
    list_unit: Money
    base_unit: Money
    unit: Money
    rules: tuple[RuleApplication, ...]


def _check_input(cart: PricingInput) -> list[CartLineInput]:
    if cart.currency not in EXPONENTS:
        raise InvalidPricingInput(f"unknown currency {cart.currency!r}", currency=cart.currency)
    ids = Counter(line.line_id for line in cart.lines)
    if any(n > 1 for n in ids.values()):
        raise InvalidPricingInput("line ids must be unique")
    for line in cart.lines:
        if line.quantity < 1:
            raise InvalidPricingInput(f"line {line.line_id} has quantity {line.quantity}",
                                      line_id=line.line_id, quantity=line.quantity)
    if cart.shipping is not None and (cart.shipping.amount.currency != cart.currency
                                      or cart.shipping.amount.amount < 0):
        raise InvalidPricingInput("shipping is a non-negative amount in the cart's currency")
    return sorted(cart.lines, key=lambda ln: ln.sort_key)


def _base_price(line: CartLineInput, cart: PricingInput, context: PricingContext, at: datetime,
                points: Sequence[PricePoint], rates: ExchangeRateTable,
                warnings: list[PricingWarning]) -> tuple[PriceSource, Money, Money]:
    """The line's list and base unit price in the cart's currency (spec pricing rules 1-2), from
    the price rows of the line's product (`points`)."""
    def lookup(currency: str) -> ResolvedPrice | None:
        return resolve_price(points, product_id=line.product_id, sku=line.sku,
                             warehouse_id=line.warehouse_id, currency=currency, at=at)

    found = lookup(cart.currency)
    if found is not None:
        source = PriceSource(found.point.price_id, found.level, found.on_sale)
        return source, found.list_price, found.unit_price
    # Only another currency has a price: convert it, and say so.
    others = sorted({p.currency for p in points if p.product_id == line.product_id}
                    - {cart.currency})
    candidates = [r for r in (lookup(c) for c in others) if r is not None]
    if not candidates:
        raise PriceNotFound(
            f"no price for product {line.product_id} (SKU {line.sku}) in any currency",
            product_id=line.product_id, sku=line.sku, warehouse_id=line.warehouse_id,
        )
    found = min(candidates, key=lambda r: (LOOKUP_ORDER.index(r.level), r.point.currency))
    rate: ExchangeRate = rates.require(found.point.currency, cart.currency, at=at,
                                       max_age=context.fx_refuse_after)
    if rate.age(at) > context.fx_stale_after:
        warnings.append(PricingWarning(
            "pricing.fx_rate_stale",
            f"the {rate.source}->{rate.target} rate is from {rate.fetched_at.isoformat()}",
            (line.line_id,),
        ))
    source = PriceSource(found.point.price_id, found.level, found.on_sale, converted=True,
                         fx_rate=rate.rate, original_unit_price=found.unit_price)
    return source, rate.convert(found.list_price), rate.convert(found.unit_price)


def _based_lines(lines: Sequence[CartLineInput], cart: PricingInput, customer: CustomerContext,
                 context: PricingContext, at: datetime, prices: PriceCatalogue,
                 rates: ExchangeRateTable, warnings: list[PricingWarning]) -> list[_Based]:
    # Volume rules count every unit of the same SKU, whichever warehouse each line ships from.
    units: Counter[tuple[str, str | None]] = Counter()
    for line in lines:
        units[(line.product_id, line.sku)] += line.quantity
    # Each line looks at its own product's rows only: scanning every row of the cart's products
    # for each line made pricing grow with the square of the lines.
    by_product = points_by_product(prices.prices)
    based = []
    for line in lines:
        source, list_unit, base_unit = _base_price(line, cart, context, at,
                                                   by_product.get(line.product_id, ()), rates,
                                                   warnings)
        subject = RuleSubject(
            product_id=line.product_id, sku=line.sku,
            quantity=units[(line.product_id, line.sku)], warehouse_id=line.warehouse_id,
            category_ids=line.category_ids, attributes=line.attributes,
            customer_segments=customer.segments,
        )
        unit, applied = apply_rules(prices.rules, subject, base_unit, at=at,
                                    timezone=context.timezone)
        based.append(_Based(line, source, list_unit, base_unit, unit, applied))
    return based


def _promotions(based: Sequence[_Based], cart: PricingInput, customer: CustomerContext,
                promotions: PromotionEvaluator, at: datetime) -> PromotionOutcome:
    dest = cart.destination
    request = PromotionRequest(
        currency=cart.currency,
        lines=tuple(PromotionLine(
            line_id=b.line.line_id, product_id=b.line.product_id, quantity=b.line.quantity,
            unit_price=b.unit, sku=b.line.sku, category_ids=b.line.category_ids,
            brand_id=b.line.brand_id,
        ) for b in based),
        coupon_codes=cart.coupon_codes,
        shipping_method=cart.shipping.method if cart.shipping else None,
        shipping_amount=cart.shipping.amount if cart.shipping else None,
        shipping_country=dest.country_code if dest else None,
        shipping_region=dest.region if dest else None,
        shipping_postcode=dest.postcode if dest else None,
        payment_method=cart.payment_method,
    )
    shopper = Shopper(customer.customer_id, customer.segments, customer.completed_orders)
    return promotions.evaluate(request, shopper, at)


def _tax(based: Sequence[_Based], discounted: dict[str, Money], shipping_net: Money | None,
         cart: PricingInput, customer: CustomerContext, context: PricingContext, at: datetime,
         taxes: TaxCalculator | None,
         warnings: list[PricingWarning]) -> tuple[TaxResult | None, TaxStatus]:
    destination, status = cart.destination, TaxStatus.CALCULATED
    if destination is None:
        if context.stage is PricingStage.CONFIRM:
            raise TaxDestinationRequired("confirming needs the shipping address for tax")
        if context.default_destination is None:
            warnings.append(PricingWarning("tax.pending",
                                           "tax is calculated once the address is known"))
            return None, TaxStatus.PENDING
        destination, status = context.default_destination, TaxStatus.ESTIMATED
        warnings.append(PricingWarning(
            "tax.estimated", f"tax estimated for {destination.country_code} until the "
                             "address is known"))
    request = TaxRequest(
        currency=cart.currency, destination=destination,
        lines=tuple(TaxableLine(b.line.line_id, discounted[b.line.line_id], b.line.tax_class,
                                b.line.category_ids) for b in based),
        shipping=shipping_net, customer_group_id=customer.customer_group_id,
        tax_exempt=customer.tax_exempt,
    )
    if taxes is None:
        raise InvalidPricingInput(f"no tax rules were loaded for {destination.country_code}",
                                  country_code=destination.country_code)
    result = taxes.calculate(request, at=at, policy=context.no_tax_rule_policy)
    if result.no_rule_matched:
        warnings.append(PricingWarning(
            "tax.no_rule_matched", "no tax rule matched these lines; they carry no tax",
            result.unmatched_line_ids,
        ))
    return result, TaxStatus.EXEMPT if result.exempt else status


def _offer_kind(coupon_id: str | None) -> AdjustmentKind:
    return AdjustmentKind.COUPON if coupon_id else AdjustmentKind.PROMOTION


def price_cart(
    cart: PricingInput,
    customer: CustomerContext,
    context: PricingContext,
    at: datetime,
    *,
    prices: PriceCatalogue,
    promotions: PromotionEvaluator,
    taxes: TaxCalculator | None,
    rates: ExchangeRateTable,
) -> PriceBreakdown:
    """Price a cart: pure, deterministic and independent of the order of its lines.

    `promotions` and `taxes` were loaded for this cart (`taxes` for its destination's country;
    None only when no destination is known, so tax stays pending).

    Raises `PriceNotFound` for a line without any price (never 0), `ExchangeRateUnavailable` /
    `ExchangeRateTooOld` when a needed conversion is impossible, `TaxDestinationRequired` at
    confirm without an address, and `NoTaxRuleMatched` under the `FAIL` policy.
    """
    currency = cart.currency
    zero = Money.zero(currency)
    warnings: list[PricingWarning] = []
    lines = _check_input(cart)
    based = _based_lines(lines, cart, customer, context, at, prices, rates, warnings)
    outcome = _promotions(based, cart, customer, promotions, at)

    per_line: dict[str, list[Adjustment]] = defaultdict(list)
    shipping_adjustments: list[Adjustment] = []
    for offer in outcome.applied:
        kind = _offer_kind(offer.coupon_id)
        for part in offer.line_discounts:
            per_line[part.line_id].append(
                Adjustment(kind, offer.promotion_id, offer.name, part.amount, offer.coupon_code))
        if offer.shipping_discount.amount:
            shipping_adjustments.append(Adjustment(kind, offer.promotion_id, offer.name,
                                                   offer.shipping_discount, offer.coupon_code))
    discounts = {b.line.line_id: sum((a.amount for a in per_line[b.line.line_id]), zero)
                 for b in based}
    discounted = {b.line.line_id: b.unit * b.line.quantity - discounts[b.line.line_id]
                  for b in based}
    shipping_amount = cart.shipping.amount if cart.shipping else zero
    shipping_net = shipping_amount - outcome.shipping_discount if cart.shipping else None
    tax, tax_status = _tax(based, discounted, shipping_net, cart, customer, context, at,
                           taxes, warnings)
    line_taxes = {lt.line_id: lt for lt in tax.lines} if tax else {}

    breakdown_lines = [
        _line(b, per_line[b.line.line_id], discounts[b.line.line_id],
              discounted[b.line.line_id], line_taxes.get(b.line.line_id), zero)
        for b in based
    ]
    shipping_tax = tax.shipping if tax else None
    shipping = ShippingBreakdown(
        method=cart.shipping.method if cart.shipping else None, amount=shipping_amount,
        discount=outcome.shipping_discount, adjustments=tuple(shipping_adjustments),
        taxes=shipping_tax.taxes if shipping_tax else (),
        tax=shipping_tax.tax if shipping_tax else zero,
        tax_included=shipping_tax.included if shipping_tax else zero,
        total=shipping_amount - outcome.shipping_discount
        + (shipping_tax.tax - shipping_tax.included if shipping_tax else zero),
    )
    subtotal = sum((ln.subtotal for ln in breakdown_lines), zero)
    discount_total = sum((ln.discount for ln in breakdown_lines), zero)
    tax_total = tax.tax if tax else zero
    tax_included = tax.included if tax else zero
    totals = Totals(
        subtotal=subtotal, discount_total=discount_total, shipping=shipping_amount,
        shipping_discount=outcome.shipping_discount, tax_total=tax_total,
        tax_included=tax_included,
        total=subtotal - discount_total + shipping_amount - outcome.shipping_discount
        + tax_total - tax_included,
    )
    return PriceBreakdown(
        currency=currency, priced_at=at, lines=tuple(breakdown_lines), shipping=shipping,
        offers=tuple(
            AppliedOffer(_offer_kind(o.coupon_id), o.promotion_id, o.name, o.discount_type,
                         o.is_stackable, o.item_discount, o.shipping_discount, o.campaign_id,
                         o.coupon_id, o.coupon_code)
            for o in outcome.applied
        ),
        tax_rates=tax.rates if tax else (), tax_status=tax_status,
        no_tax_rule_matched=bool(tax and tax.no_rule_matched), totals=totals,
        invalid_coupons=tuple(InvalidCoupon(r.code, str(r.reason), r.message)
                              for r in outcome.invalid_coupons),
        warnings=tuple(warnings),
    )


def _line(b: _Based, promotion_adjustments: list[Adjustment], discount: Money,
          discounted: Money, line_tax: LineTax | None, zero: Money) -> LineBreakdown:
    quantity = b.line.quantity
    adjustments: list[Adjustment] = []
    if b.base_unit != b.list_unit:
        adjustments.append(Adjustment(AdjustmentKind.SALE, b.source.price_id, "sale price",
                                      (b.list_unit - b.base_unit) * quantity))
    adjustments += [Adjustment(AdjustmentKind.RULE, r.rule_id, r.name,
                               r.unit_discount * quantity) for r in b.rules]
    adjustments += promotion_adjustments
    tax = line_tax.tax if line_tax else zero
    included = line_tax.included if line_tax else zero
    return LineBreakdown(
        line_id=b.line.line_id, product_id=b.line.product_id, sku=b.line.sku,
        warehouse_id=b.line.warehouse_id, quantity=quantity, source=b.source,
        list_unit_price=b.list_unit, base_unit_price=b.base_unit, unit_price=b.unit,
        list_total=b.list_unit * quantity, subtotal=b.unit * quantity,
        adjustments=tuple(a for a in adjustments if a.amount.amount),
        discount=discount, discounted_total=discounted,
        taxes=line_tax.taxes if line_tax else (), tax=tax, tax_included=included,
        total=discounted + tax - included,
        no_tax_rule=bool(line_tax and line_tax.no_rule_matched),
    )
