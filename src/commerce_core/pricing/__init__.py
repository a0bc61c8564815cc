"""Pricing: list prices, sale prices, price rules, currency conversion, and the price engine.

The engine (`price_cart`) is where pricing, promotion and tax meet: it reads promotion's and
tax's pure evaluation modules, never their storage. Choices where the spec is silent:

- Lookup: SKU+warehouse, SKU, product+warehouse, product; only rows active and effective at the
  pricing time count. Windows include their start and exclude their end. At most one active row
  per (product, SKU, warehouse, currency) covers a moment; overlapping rows are refused on write.
- A sale price applies inside its own optional window; outside it the base price applies.
- Conversion happens only when the cart's currency has no price at any level; then the most
  specific level among other currencies wins (ties: currency code). Each unit price is converted
  once, rounded half-even. Rates older than 1 h are used but flagged; older than 24 h, refused.
- Price rules: higher `priority` first, ties in creation order; each acts on the unit price left
  by the previous one; a rule never raises a price nor takes it below 0; amount-based actions
  apply only to prices in their own currency; volume tiers count every unit of the SKU in the
  cart, whichever warehouse its lines ship from.
- `subtotal` is after sale prices and price rules (they change the item's price, like catalog
  rules); `discount_total` holds promotions and coupons only. The per-line explanation lists the
  sale and rule reductions too, so its adjustments add up to (list total - discounted total).
- Inclusive tax stays inside prices: `totals.tax_included` says how much, and the tax an order
  adds on top is `totals.tax_added` (= tax_total - tax_included).
- `price.updated` sequence numbers grow per product but may have gaps (a refused bulk item).
- Bulk updates set the row of each key effective now (creating it if absent) and keep its end
  date; a key repeated in one request is refused for the repeats, not for the whole request.
"""
