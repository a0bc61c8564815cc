"""Tax: rules by destination, product class/category and customer group; exact calculation.

Choices where the spec is silent:

- `rate` is a percentage (10 means 10%) with at most 4 decimals; the spec's fraction 0.1000 is
  stored as 10.0000.
- Within one tax type only the most specific rule applies to a line: the location decides first
  (postcode, then region, then country), then a rule naming the product's tax class or category
  beats one for all products, then a customer-group rule beats one for everybody, then priority,
  then the older rule. Different tax types add up (VAT + excise, VAT + import duty).
- Inclusive rules are extracted first (the amount is gross for them), then plain rules apply to
  the net, then compound rules to the net plus every tax before them. A rule cannot be both
  compound and inclusive.
- Shipping is taxed only by rules flagged `applies_to_shipping`; their product filters do not
  apply to shipping. Shipping without such a rule is untaxed and raises no warning.
- Tax is rounded half-even per line and per rule; order and per-rate totals are sums of those,
  so they always reconcile with the lines.
- A line no rule covers is `no_rule_matched` (never confused with a 0% rule); the default policy
  charges 0 with a warning, `NoRulePolicy.FAIL` refuses. A tax-exempt customer is reported as
  exempt, not as unmatched.
- A rule source that fails raises `TaxServiceUnavailable`; no caller substitutes 0. Confirming
  needs the destination; a quote without it shows tax as pending, or estimates it from a
  configured default location.
"""
