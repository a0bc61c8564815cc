"""The schema as SQLAlchemy Core tables, one module per context; `migrations/versions` creates
exactly this.

Aggregates map to a root table plus one table per child collection (keyed by parent and
position); money is an integer `*_amount` in minor units next to a `currency`; every root carries
the `version` optimistic locking checks. Tables of different contexts never reference each other.
The column factories they are written with are in `common`.
"""

from __future__ import annotations

import sqlalchemy as sa

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

# Every context's tables, registered on `metadata` once it exists: importing this package gives
# the whole schema (migrations and constraint names read it).
from adapters.sql.tables import (  # noqa: E402
    analytics,
    audit,
    cart,
    catalog,
    checkout,
    customer,
    fraud,
    fulfillment,
    giftcard,
    identity,
    inventory,
    ledger,
    loyalty,
    messaging,
    notification,
    ordering,
    payment,
    pricing,
    promotion,
    reference,
    returns,
    review,
    search,
    shipping,
    shipping_methods,
    tax,
    webhooks,
)

__all__ = [
    "NAMING_CONVENTION", "analytics", "audit", "cart", "catalog", "checkout", "customer", "fraud",
    "fulfillment", "giftcard", "identity", "inventory", "ledger", "loyalty", "messaging",
    "metadata", "notification", "ordering", "payment", "pricing", "promotion", "reference",
    "returns", "review", "search", "shipping", "shipping_methods", "tax", "webhooks",
]
