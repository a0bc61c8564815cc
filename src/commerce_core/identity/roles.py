"""The built-in staff roles: each a set of names from the permission catalogue.

Roles are code, not data: a role's meaning changes with a release, reviewed like any change,
and the list an auditor reads is this module. A user holds role names; the permissions a
token grants are resolved from them when the token is checked, so changing this table takes
effect at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from commerce_core.identity.errors import UnknownRole
from commerce_core.shared.permissions import ALL_PERMISSIONS
from commerce_core.shared.permissions import Permission as P  # noqa: N817 - the table reads better


def _names(*permissions: P) -> frozenset[str]:
    return frozenset(p.value for p in permissions)


BUILT_IN_ROLES: Mapping[str, frozenset[str]] = MappingProxyType({
    "SUPER_ADMIN": ALL_PERMISSIONS,
    "USER_ADMIN": _names(P.USERS_READ, P.USERS_MANAGE, P.ROLES_ASSIGN, P.SESSIONS_REVOKE,
                         P.AUDIT_READ),
    "ORDER_ADMIN": _names(P.ORDERS_READ, P.ORDERS_UPDATE, P.ORDERS_CANCEL, P.FULFILLMENT_READ,
                          P.FULFILLMENT_WRITE, P.PAYMENTS_READ, P.PAYMENTS_REFUND,
                          P.CUSTOMERS_READ, P.INVENTORY_READ, P.CATALOG_READ, P.FRAUD_READ,
                          P.RETURNS_READ, P.RETURNS_MANAGE, P.SHIPPING_READ,
                          P.SHIPPING_MANAGE, P.SHIPPING_CONFIGURE),
    "FINANCE_ADMIN": _names(P.PAYMENTS_READ, P.PAYMENTS_CAPTURE, P.PAYMENTS_VOID,
                            P.PAYMENTS_REFUND, P.ORDERS_READ, P.FRAUD_READ, P.FRAUD_REVIEW,
                            P.METRICS_READ, P.AUDIT_READ, P.RETURNS_READ, P.LOYALTY_READ),
    "CS_AGENT": _names(P.ORDERS_READ, P.ORDERS_UPDATE, P.CUSTOMERS_READ, P.CUSTOMERS_MANAGE,
                       P.PAYMENTS_READ, P.PAYMENTS_REFUND, P.FULFILLMENT_READ, P.CATALOG_READ,
                       P.NOTIFICATIONS_READ, P.RETURNS_READ, P.RETURNS_MANAGE,
                       P.SHIPPING_READ, P.LOYALTY_READ, P.LOYALTY_ADJUST),
    "PRODUCT_ADMIN": _names(P.CATALOG_READ, P.CATALOG_WRITE, P.PRICING_READ, P.PRICING_WRITE,
                            P.PROMOTIONS_WRITE, P.INVENTORY_READ, P.INVENTORY_ADJUST,
                            P.INVENTORY_MANAGE, P.SEARCH_REINDEX, P.LOYALTY_READ,
                            P.LOYALTY_CONFIGURE),
    "CONTENT_ADMIN": _names(P.CATALOG_READ, P.CATALOG_WRITE, P.SEARCH_REINDEX,
                            P.NOTIFICATIONS_READ, P.NOTIFICATIONS_MANAGE, P.REVIEWS_MODERATE,
                            P.REVIEWS_REPLY),
    "SELLER_OPS": _names(P.CATALOG_READ, P.INVENTORY_READ, P.INVENTORY_ADJUST,
                         P.FULFILLMENT_READ, P.FULFILLMENT_WRITE, P.ORDERS_READ,
                         P.RETURNS_READ, P.RETURNS_MANAGE, P.SHIPPING_READ, P.SHIPPING_MANAGE,
                         P.REVIEWS_REPLY),
    "ANALYTICS_VIEWER": _names(P.ANALYTICS_READ, P.SEARCH_ANALYTICS, P.METRICS_READ,
                               P.ORDERS_READ, P.CATALOG_READ, P.PRICING_READ,
                               P.INVENTORY_READ),
})


# Ceilings of a single refund by role, in VND (spec identity §2): a role that may refund and is
# not listed here refunds without a ceiling.
REFUND_LIMITS: Mapping[str, int] = MappingProxyType({
    "CS_AGENT": 2_000_000,
    "ORDER_ADMIN": 10_000_000,
})


def refund_limit_of(roles: Iterable[str]) -> int | None:
    """The highest ceiling the roles give; None when one of them refunds without a ceiling."""
    limits: list[int] = []
    for role in roles:
        if P.PAYMENTS_REFUND.value not in BUILT_IN_ROLES.get(role, frozenset()):
            continue
        if role not in REFUND_LIMITS:
            return None
        limits.append(REFUND_LIMITS[role])
    return max(limits) if limits else None


def check_role(name: str) -> str:
    if name not in BUILT_IN_ROLES:
        raise UnknownRole(f"no role {name!r}; known: {', '.join(sorted(BUILT_IN_ROLES))}",
                          role=name)
    return name


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    """The union of the roles' permissions; a name no longer known grants nothing."""
    granted: set[str] = set()
    for role in roles:
        granted |= BUILT_IN_ROLES.get(role, frozenset())
    return frozenset(granted)


# Actions that need the account to have proved itself recently in this session (spec §1 rule
# 1: step-up re-authentication for sensitive admin actions): who is staff, what they may do,
# and which apps hold credentials.
STEP_UP: frozenset[str] = frozenset({P.USERS_MANAGE.value, P.ROLES_ASSIGN.value,
                                     P.SYSTEM_ADMIN.value})
