"""Human-readable explanation of a priced cart, line by line.

For every line the adjustments listed add up exactly to (list total - discounted total), so a
support agent can answer "why did I pay this?" from the text alone.
"""

from __future__ import annotations

from commerce_core.pricing.engine.breakdown import PriceBreakdown
from commerce_core.shared.money import Money


def explain(breakdown: PriceBreakdown) -> list[str]:
    out: list[str] = []
    for line in breakdown.lines:
        source = line.source
        origin = source.level.value + (" (sale)" if source.on_sale else "")
        if source.converted:
            origin += f", converted from {source.original_unit_price} at {source.fx_rate}"
        out.append(f"{line.sku or line.product_id} x{line.quantity}: list "
                   f"{line.list_unit_price} each = {line.list_total} [{origin}]")
        for adjustment in line.adjustments:
            code = f" code {adjustment.coupon_code}" if adjustment.coupon_code else ""
            out.append(f"  - {adjustment.kind.value} {adjustment.name!r}{code}: "
                       f"-{adjustment.amount}")
        out.append(f"  = {line.discounted_total} before tax")
        for tax in line.taxes:
            how = " included" if tax.inclusive else " compound" if tax.compound else ""
            out.append(f"  + {tax.tax_type} {tax.rate}%{how}: {tax.amount}")
        if line.no_tax_rule:
            out.append("  ! no tax rule matched this line")
        out.append(f"  line total {line.total}")
    t, s = breakdown.totals, breakdown.shipping
    out.append(f"subtotal {t.subtotal}")
    if t.discount_total.amount:
        out.append(f"discounts -{t.discount_total}")
    if s.method is not None:
        out.append(f"shipping ({s.method}) {s.amount}")
        for adjustment in s.adjustments:
            out.append(f"  - {adjustment.kind.value} {adjustment.name!r}: -{adjustment.amount}")
        for tax in s.taxes:
            out.append(f"  + {tax.tax_type} {tax.rate}% on shipping: {tax.amount}")
    for rate in breakdown.tax_rates:
        note = " (included in prices)" if rate.inclusive else ""
        out.append(f"tax {rate.tax_type} {rate.rate}% {rate.name!r}: {rate.amount}{note}")
    out.append(f"tax {breakdown.tax_status.value}: {t.tax_total}")
    for coupon in breakdown.invalid_coupons:
        out.append(f"coupon {coupon.code} not applied: {coupon.message} ({coupon.reason})")
    for warning in breakdown.warnings:
        out.append(f"warning {warning.code}: {warning.message}")
    out.append(f"total {t.total}")
    return out


def unexplained(breakdown: PriceBreakdown) -> list[str]:
    """Lines whose adjustments do not add up to (list - final); empty when all is explained.
    The breakdown's constructors already refuse such numbers; this is the auditor's check."""
    problems = []
    for line in breakdown.lines:
        taken = sum((a.amount for a in line.adjustments), Money.zero(breakdown.currency))
        if line.list_total - taken != line.discounted_total:
            problems.append(line.line_id)
    return problems
