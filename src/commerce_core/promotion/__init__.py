"""Promotion: campaigns with budgets, promotions, coupons, and their usage lifecycle.

Choices where the spec is silent or contradicts itself:

- Promotions are NOT stackable unless created so: a forgotten flag must not double a discount.
- Order: higher `priority` first, ties in creation order. A matched promotion with
  `stop_rules_processing` removes every promotion after it, whether or not it wins the stacking.
- "Best" non-stackable = largest total (items + shipping) on the cart before any promotion;
  ties go to the higher priority, then the older promotion.
- The chosen promotions apply one after another, automatic ones before coupons (spec pipeline:
  promotions, then coupons), each on what is left: percentages compound, fixed amounts are
  capped by what is left, nothing goes below zero, the order discount never exceeds the order.
- Minimum order amounts and tier thresholds are measured on the subtotal after price rules and
  before promotions; tiers include their lower bound.
- A promotion naming amounts (fixed off, caps, minimums, bundle price) applies only to carts in
  that currency; a campaign budget counts in its own currency, and its promotions apply only to
  carts in that currency.
- When a campaign's remaining budget is below a discount, evaluation shows the discount capped
  at the remaining budget; recording the usage still re-checks the budget atomically and refuses
  if another order spent it meanwhile (`BudgetExceeded`).
- Recording a usage re-checks the active flags, every limit and the budget atomically, but not
  the promotion's time window: the discount was validated when the order was priced and is
  locked into it (an offer ending between pricing and placement is honoured).
- Per-customer limits need a customer id: a guest gets `coupon.customer_required`. First-order
  coupons need a known customer with no completed order.
- Buy X get Y: within one pool the dearest units are bought and the cheapest got; buy A get B
  lets each unit play one role; a "get" set must be complete. Bundles are made of the cheapest
  units. Fixed-per-unit discounts are capped per line.
- Every code the shopper typed that gives nothing is reported with a stable reason, including
  `coupon.not_combinable` when it lost to a better exclusive offer.
- Usage lifecycle: `applied` at order placement, `redeemed` when the order is delivered or
  completed, `cancelled` when it is cancelled or refunded before that; a redeemed usage stays
  redeemed (a refund after delivery does not give the coupon back).
- Bulk coupon codes are `PREFIX-XXXX-XXXX` over an alphabet without 0/O/1/I, single-use by
  default, announced by one `promotion.bulk_coupons_generated` event per batch.
"""
