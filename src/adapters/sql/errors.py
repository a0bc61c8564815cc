"""Database constraint violations translated into the errors the ports promise."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from adapters.sql import tables
from commerce_core.catalog.errors import DuplicateSku, DuplicateSlug
from commerce_core.customer.errors import EmailTaken as CustomerEmailTaken
from commerce_core.identity.errors import EmailTaken, UsernameTaken
from commerce_core.inventory.errors import (
    DuplicateDistributor,
    DuplicateWarehouse,
    InvalidStockChange,
)
from commerce_core.returns.errors import ReturnAlreadyOpen
from commerce_core.review.errors import DuplicateReview
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict, ServiceUnavailable
from commerce_core.shipping.errors import DuplicateTrackingNumber
from commerce_core.shipping.rate_errors import DuplicateShippingMethod

# Unique keys the ports name; every primary key means "this id already exists".
_UNIQUE: dict[str, tuple[type[CommerceError], str]] = {
    "uq_product_variants_sku": (DuplicateSku, "SKU already in use"),
    "uq_products_slug": (DuplicateSlug, "slug already in use"),
    "uq_categories_slug": (DuplicateSlug, "slug already in use"),
    "uq_warehouses_code": (DuplicateWarehouse, "warehouse code already in use"),
    "uq_distributors_code": (DuplicateDistributor, "distributor code already in use"),
    # A second fulfillment of one order in one warehouse is a duplicate delivery of its event.
    "uq_fulfillments_order_id_warehouse_id": (
        ConcurrencyConflict, "the order already has a fulfillment in this warehouse"),
    # A second order for one checkout is a concurrent duplicate of one request.
    "uq_orders_checkout_id": (ConcurrencyConflict, "the checkout already has an order"),
    "uq_risk_assessments_order_id": (ConcurrencyConflict, "the order was already assessed"),
    # A notification per correlation id: a repeated request or a redelivered event.
    "uq_notifications_correlation_id": (
        ConcurrencyConflict, "a notification with this correlation id exists"),
    "uq_customers_email": (CustomerEmailTaken, "the email is already registered"),
    # An order has at most one open return.
    "uq_returns_open_order_id": (ReturnAlreadyOpen, "the order already has an open return"),
    "uq_returns_number": (ConcurrencyConflict, "the return number is taken"),
    "uq_accounts_kind_email": (EmailTaken, "an account with this email exists"),
    "uq_accounts_username": (UsernameTaken, "this username is taken"),
    # One delivery per subscription and event: a redelivered event enqueues nothing more.
    "uq_webhook_deliveries_dedupe_key": (
        ConcurrencyConflict, "the event is already enqueued for this subscription"),
    # A second shipment of one package is a redelivered `ready` event.
    "uq_shipments_fulfillment_id_package_id": (
        ConcurrencyConflict, "the package already has a shipment"),
    "uq_shipments_carrier_tracking_number": (
        DuplicateTrackingNumber, "the carrier's tracking number is already used"),
    "uq_shipping_methods_code": (DuplicateShippingMethod, "shipping method code in use"),
    # One live review per customer and product.
    "uq_reviews_live_key": (DuplicateReview, "the customer already reviewed this product"),
    # Referral codes are drawn at random: a clash is retried like any concurrent duplicate.
    "uq_loyalty_accounts_referral_code": (ConcurrencyConflict, "the referral code is taken"),
    # A customer is referred once: a second referral is a concurrent duplicate.
    "uq_loyalty_referrals_referee_id": (
        ConcurrencyConflict, "the customer already has a referrer"),
    # Two cards drawn with one code: the issue is retried with a new one.
    "uq_gift_cards_code_digest": (ConcurrencyConflict, "a gift card has this code"),
    # A posting or hold made twice at once: the retry finds the first.
    "uq_value_postings_account_id_source_source_id_kind": (
        ConcurrencyConflict, "this posting was made already"),
    "uq_value_holds_account_id_reference": (ConcurrencyConflict, "this hold exists already"),
    "uq_value_accounts_kind_owner_unit": (ConcurrencyConflict, "this account exists already"),
}


def _columns_key(table: sa.Table, columns: sa.ColumnCollection[str, sa.Column[object]]) -> str:
    return ", ".join(f"{table.name}.{column.name}" for column in columns)


def _constraint_names() -> dict[str, str]:
    """SQLite reports a unique violation by its columns (`products.slug`): map them to names."""
    names: dict[str, str] = {}
    for table in tables.metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint | sa.PrimaryKeyConstraint):
                names[_columns_key(table, constraint.columns)] = str(constraint.name)
    return names


_BY_COLUMNS = _constraint_names()
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")


def constraint_name(error: IntegrityError) -> str | None:
    """The violated constraint's name, from PostgreSQL's diagnostics or SQLite's message."""
    diag = getattr(error.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return str(name)
    message = str(error.orig)
    unique = _SQLITE_UNIQUE.search(message)
    if unique:
        return _BY_COLUMNS.get(unique.group(1).strip())
    check = _SQLITE_CHECK.search(message)
    return check.group(1) if check else None


# PostgreSQL gave up on a transaction that raced another: retrying with fresh state may succeed.
_RACE_STATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


def translate_failure(error: DBAPIError) -> CommerceError | None:
    """A lost race or a database too busy to answer, as the core's errors; None otherwise."""
    if isinstance(error, IntegrityError):
        return translate(error)
    if getattr(error.orig, "sqlstate", None) in _RACE_STATES:
        return ConcurrencyConflict(f"the database aborted a racing transaction: {error.orig}")
    if isinstance(error, OperationalError) and "database is locked" in str(error.orig):
        return ServiceUnavailable("the SQLite database stayed locked by another writer")
    return None


def translate(error: IntegrityError) -> CommerceError | None:
    """The port's error for a violated constraint, or None when no port names it."""
    name = constraint_name(error)
    if name is None:
        return None
    detail = getattr(getattr(error.orig, "diag", None), "message_detail", None) or str(error.orig)
    if name in _UNIQUE:
        kind, message = _UNIQUE[name]
        return kind(f"{message} ({detail})", constraint=name)
    if name.startswith("uq_") and name.endswith("_idempotency_key"):
        # Whatever the table: a reused key is a concurrent duplicate of one request.
        return ConcurrencyConflict(f"idempotency key already in use ({detail})", constraint=name)
    if name.startswith("pk_"):
        return ConcurrencyConflict(
            f"{name.removeprefix('pk_')} row already exists ({detail})", constraint=name
        )
    if name.startswith(("ck_stock_levels_", "ck_stock_batches_")):
        return InvalidStockChange(f"stock counters would break {name}", constraint=name)
    return None
