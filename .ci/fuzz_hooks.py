"""Schemathesis hooks for `.ci/fuzz`: generated *valid* bodies follow the cross-field rules that
JSON Schema cannot state and the OpenAPI document states in the fields' descriptions. Nothing
else is changed, and bodies generated to be invalid are left alone.

The rules, each named by the function that enforces it:
- `a_gift_card_expires_after_it_is_issued`: a new gift card's expiry is in the future.
- `a_gift_card_amount_names_its_card`: an order's `gift_card_amount` comes with its
  `gift_card_code`.
- `windows_end_after_they_start`: an end instant follows its start (campaigns, promotions, price
  rules, prices and their sales, tax rules); a price row with no `effective_from` starts now.
- `amounts_share_one_currency`: every amount of a price row, a promotion or a product's variants
  is in one currency, and so are a price rule's tiers.
- `a_sale_is_below_the_base_price`: a sale price is below the base price.
- `tiers_rise_strictly`: volume tiers have strictly increasing minimum quantities.
- `skus_are_unique`: a product's variants have distinct SKUs (case-insensitive).
- `max_level_is_not_below_min_level`: a stock item's max level (0 = none) is not below its min.
- `passwords_follow_the_policy`: a new password has an upper- and a lower-case letter, a digit
  and a special character (its length the schema states).
- `analytics_periods_are_datable` (query): a report's `from` and `to` days fall in 1970-9000,
  `to` is not before `from` (missing: today, and 30 days back), and they span at most 1100 days.
- `a_dashboard_shows_a_year_at_most` (query): the dashboard's period, so made, spans at most
  366 days.
- `loyalty_rules_are_coherent`: a tier table starts at 0 with rising thresholds and distinct
  codes, the earn rates are keyed by currency codes and include the shop's; a campaign ends
  after it starts, a bonus one awards at least a point, and it names no tier (the tier table
  may have changed); an adjustment is not 0.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis
from schemathesis import GenerationMode

Body = dict[str, Any]

WINDOWS = {
    "/admin/campaigns": [("starts_at", "ends_at")],
    "/admin/promotions": [("starts_at", "ends_at")],
    "/admin/price-rules": [("starts_at", "ends_at")],
    "/admin/prices": [("effective_from", "effective_to"), ("sale_starts_at", "sale_ends_at")],
    "/admin/prices/{price_id}": [("sale_starts_at", "sale_ends_at")],
    "/admin/tax-rules": [("effective_from", "effective_to")],
}


def _instant(value: object) -> datetime | None:
    try:
        instant = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return instant if instant is not None and instant.tzinfo is not None else None


STARTS_NOW = {("/admin/prices", "effective_from")}


def windows_end_after_they_start(body: Body, path: str) -> None:
    for start, end in WINDOWS.get(path, []):
        begins, ends = _instant(body.get(start)), _instant(body.get(end))
        if begins is None and (path, start) in STARTS_NOW and ends is not None:
            if ends <= datetime.now(UTC):
                body[end] = None
            continue
        if begins is None or ends is None or ends > begins:
            continue
        if ends < begins:
            body[start], body[end] = body[end], body[start]
        else:
            body[end] = None  # an open end is always after the start


def _amounts(body: Body, path: str) -> list[Body]:
    names = {"/admin/prices": ("base_price", "sale_price"),
             "/admin/prices/{price_id}": ("base_price", "sale_price"),
             "/admin/promotions": ("amount", "minimum_order_amount", "maximum_discount_amount")}
    found = [body.get(n) for n in names.get(path, ())]
    if path == "/admin/products":
        found = [v.get("price") for v in body.get("variants") or [] if isinstance(v, dict)]
    if path == "/admin/price-rules":
        found = [t.get("unit_price") for t in body.get("tiers") or [] if isinstance(t, dict)]
    return [m for m in found if isinstance(m, dict) and isinstance(m.get("currency"), str)]


def amounts_share_one_currency(body: Body, path: str) -> None:
    amounts = _amounts(body, path)
    for money in amounts[1:]:
        money["currency"] = amounts[0]["currency"]


def a_sale_is_below_the_base_price(body: Body, path: str) -> None:
    base, sale = body.get("base_price"), body.get("sale_price")
    if (path.startswith("/admin/prices") and isinstance(base, dict) and isinstance(sale, dict)
            and sale.get("amount", 0) >= base.get("amount", 1)):
        sale["amount"] = base["amount"] - 1


def tiers_rise_strictly(body: Body, path: str) -> None:
    tiers = body.get("tiers")
    if path == "/admin/price-rules" and isinstance(tiers, list):
        by_minimum = {t["min_quantity"]: t for t in tiers if isinstance(t, dict)}
        body["tiers"] = [by_minimum[m] for m in sorted(by_minimum)]


def skus_are_unique(body: Body, path: str) -> None:
    variants = body.get("variants")
    if path == "/admin/products" and isinstance(variants, list):
        seen: dict[str, Any] = {}
        for variant in variants:
            seen.setdefault(str(variant.get("sku", "")).upper(), variant)
        body["variants"] = list(seen.values())


def max_level_is_not_below_min_level(body: Body, path: str) -> None:
    low, high = body.get("min_level", 0), body.get("max_level", 0)
    if path.endswith("/settings") and high and high < low:
        body["min_level"], body["max_level"] = high, low


PASSWORDS = {"/auth/register", "/admin/users", "/auth/password/reset"}


def passwords_follow_the_policy(body: Body, path: str) -> None:
    password = body.get("password")
    if path in PASSWORDS and isinstance(password, str):
        body["password"] = "Aa1!" + password[4:] if len(password) >= 8 else password


def webhook_targets_answer(body: Body, path: str) -> None:
    """A target must resolve; the fuzz server allows private targets, so the loopback does."""
    if path.startswith("/admin/webhooks") and isinstance(body.get("url"), str):
        body["url"] = "http://127.0.0.1:9/fuzz"


def webhooks_name_known_event_types(body: Body, path: str) -> None:
    if path.startswith("/admin/webhooks") and isinstance(body.get("event_types"), list):
        body["event_types"] = ["order.paid"]


def shipping_methods_are_coherent(body: Body, path: str) -> None:
    """Each type's own fields (a rate, bands, a carrier), amounts in the method's currency,
    estimated days in order."""
    if not path.startswith("/admin/shipping-methods") or "type" not in body:
        return
    currency = body.get("currency") or "VND"
    for field in ("rate", "min_order_amount", "fallback"):
        if isinstance(body.get(field), dict):
            body[field]["currency"] = currency
    kind = body["type"]
    if kind == "flat_rate" and body.get("rate") is None:
        body["rate"] = {"amount": 30000, "currency": currency}
    if kind == "table_rate":
        body["band_basis"] = body.get("band_basis") or "weight"
        body["bands"] = [{"up_to": None, "amount": 25000}]
    if kind == "carrier":
        body["carrier"], body["service"] = "fake", "standard"
    low, high = body.get("estimated_days_min"), body.get("estimated_days_max")
    if isinstance(low, int) and isinstance(high, int) and high < low:
        body["estimated_days_min"], body["estimated_days_max"] = high, low
    elif high is not None and low is None and isinstance(high, int):
        body["estimated_days_min"] = 0


def loyalty_rules_are_coherent(body: Body, path: str) -> None:
    if path == "/admin/loyalty/program":
        tiers = body.get("tiers")
        if isinstance(tiers, list):
            for n, tier in enumerate(t for t in tiers if isinstance(t, dict)):
                tier["code"], tier["threshold"] = f"tier_{n}", n * 1000
        rates = body.get("earn_rates")
        if isinstance(rates, dict):
            body["earn_rates"] = {k: v for k, v in rates.items()
                                  if re.fullmatch(r"[A-Z]{3}", k) and isinstance(v, int)}
            body["earn_rates"]["VND"] = 1000
    elif path == "/admin/loyalty/campaigns":
        if body.get("kind") == "bonus" and not body.get("bonus_points"):
            body["bonus_points"] = 1
        if "eligible_tiers" in body:
            body["eligible_tiers"] = []
        begins, ends = _instant(body.get("starts_at")), _instant(body.get("ends_at"))
        if begins is not None and ends is not None and ends <= begins:
            body["ends_at"] = (begins + timedelta(days=1)).isoformat()
    elif path.startswith("/admin/loyalty/accounts/") and body.get("points") == 0:
        body["points"] = 1


def a_gift_card_expires_after_it_is_issued(body: Body, path: str) -> None:
    if path != "/admin/gift-cards" or not isinstance(body.get("expires_at"), str):
        return
    try:
        expires = datetime.fromisoformat(body["expires_at"])
    except ValueError:
        return
    if (expires if expires.tzinfo else expires.replace(tzinfo=UTC)) <= datetime.now(UTC):
        body.pop("expires_at")


def a_gift_card_amount_names_its_card(body: Body, path: str) -> None:
    if path == "/orders" and body.get("gift_card_code") is None:
        body.pop("gift_card_amount", None)


RULES = (a_gift_card_expires_after_it_is_issued, a_gift_card_amount_names_its_card,
         loyalty_rules_are_coherent, webhook_targets_answer,
         webhooks_name_known_event_types, shipping_methods_are_coherent,
         windows_end_after_they_start, amounts_share_one_currency,
         a_sale_is_below_the_base_price, tiers_rise_strictly, skus_are_unique,
         max_level_is_not_below_min_level, passwords_follow_the_policy)


# The operations with such rules; a case hook on every operation would slow generation down.
RULED = (r"^/admin/(campaigns|promotions|price-rules|prices(/\{price_id\})?|tax-rules|products"
         r"|stock/\{sku\}/\{warehouse\}/settings|users|webhooks(/\{subscription_id\}(/replay)?)?"
         r"|shipping-methods(/\{code\})?|analytics/[a-z]+|loyalty/(program|campaigns"
         r"|accounts/\{customer_id\}/adjustments))$"
         r"|^/auth/(register|password/reset)$|^/orders$|^/admin/gift-cards$")


@schemathesis.hook.apply_to(path_regex=RULED)
def map_case(context: Any, case: Any) -> Any:
    meta = getattr(case, "meta", None)
    valid = meta is None or meta.generation.mode == GenerationMode.POSITIVE
    if valid and isinstance(case.body, dict):
        for rule in RULES:
            rule(case.body, case.operation.path)
    if valid and isinstance(case.query, dict):
        if case.operation.path.startswith("/admin/analytics/"):
            analytics_periods_are_datable(case.query)
            if case.operation.path == "/admin/analytics/dashboard":
                a_dashboard_shows_a_year_at_most(case.query)
        else:
            a_replay_range_does_not_end_before_it_starts(case.query)
    return case

def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


ANALYTICS_DAYS = (date(1970, 1, 1), date(9000, 12, 31))
ANALYTICS_SPAN = timedelta(days=1099)  # first to last day included: 1100 days


def analytics_periods_are_datable(query: Body) -> None:
    low, high = ANALYTICS_DAYS
    last = _day(query.get("to")) or datetime.now(UTC).date()
    first = _day(query.get("from")) or last - timedelta(days=29)
    first, last = min(max(first, low), high), min(max(last, low), high)
    if last < first:
        first, last = last, first
    if last - first > ANALYTICS_SPAN:
        last = first + ANALYTICS_SPAN
    query["from"], query["to"] = first.isoformat(), last.isoformat()

def a_replay_range_does_not_end_before_it_starts(query: Body) -> None:
    start, end = _instant(query.get("from")), _instant(query.get("to"))
    if start is not None and end is not None and end < start:
        query["from"], query["to"] = query["to"], query["from"]


def a_dashboard_shows_a_year_at_most(query: Body) -> None:
    """The dashboard's `to` is not before its `from`, at most 366 days in all."""
    first, last = _day(query.get("from")), _day(query.get("to"))
    if first is None or last is None:
        return
    if last < first:
        first, last = last, first
    last = min(last, first + timedelta(days=365))
    query["from"], query["to"] = first.isoformat(), last.isoformat()
