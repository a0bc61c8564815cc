"""The permission catalogue: one name per context action, `<area>.<action>`.

Staff roles are sets of these names; every HTTP route and CLI command that is not open to
shoppers declares the one it needs. A new action adds its name here, so the catalogue is the
single list an auditor reads.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    CATALOG_READ = "catalog.read"
    CATALOG_WRITE = "catalog.write"
    INVENTORY_READ = "inventory.read"
    INVENTORY_ADJUST = "inventory.adjust"
    INVENTORY_MANAGE = "inventory.manage"
    PRICING_READ = "pricing.read"
    PRICING_WRITE = "pricing.write"
    PROMOTIONS_WRITE = "promotions.write"
    ORDERS_READ = "orders.read"
    ORDERS_UPDATE = "orders.update"
    ORDERS_CANCEL = "orders.cancel"
    FULFILLMENT_READ = "fulfillment.read"
    FULFILLMENT_WRITE = "fulfillment.write"
    PAYMENTS_READ = "payments.read"
    PAYMENTS_CAPTURE = "payments.capture"
    PAYMENTS_VOID = "payments.void"
    PAYMENTS_REFUND = "payments.refund"
    FRAUD_READ = "fraud.read"
    FRAUD_REVIEW = "fraud.review"
    SEARCH_ANALYTICS = "search.analytics"
    SEARCH_REINDEX = "search.reindex"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_MANAGE = "customers.manage"
    CUSTOMERS_ERASE = "customers.erase"
    USERS_READ = "users.read"
    USERS_MANAGE = "users.manage"
    ROLES_MANAGE = "roles.manage"
    ROLES_ASSIGN = "roles.assign"
    SESSIONS_REVOKE = "sessions.revoke"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    NOTIFICATIONS_READ = "notifications.read"
    NOTIFICATIONS_MANAGE = "notifications.manage"
    RETURNS_READ = "returns.read"
    RETURNS_MANAGE = "returns.manage"
    EVENTS_MANAGE = "events.manage"
    METRICS_READ = "metrics.read"
    SHIPPING_READ = "shipping.read"
    SHIPPING_MANAGE = "shipping.manage"
    SHIPPING_CONFIGURE = "shipping.configure"
    SYSTEM_ADMIN = "system.admin"
    WEBHOOKS_MANAGE = "webhooks.manage"
    REVIEWS_MODERATE = "reviews.moderate"
    REVIEWS_REPLY = "reviews.reply"
    ANALYTICS_READ = "analytics.read"
    ANALYTICS_MANAGE = "analytics.manage"
    LOYALTY_READ = "loyalty.read"
    LOYALTY_ADJUST = "loyalty.adjust"
    LOYALTY_CONFIGURE = "loyalty.configure"
    GIFTCARDS_READ = "giftcards.read"
    GIFTCARDS_MANAGE = "giftcards.manage"
    LEDGER_READ = "ledger.read"


ALL_PERMISSIONS: frozenset[str] = frozenset(p.value for p in Permission)
