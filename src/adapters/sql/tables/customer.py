"""Customer tables: the customer with their preferences, their addresses and segment
memberships, and the segment definitions."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import (
    flag,
    json_value,
    key,
    parent,
    position,
    text,
    timestamp,
    version,
)

customers = sa.Table(
    "customers", metadata,
    key(),
    # Normalised (trimmed, lower case): the unique key decides between racing registrations.
    sa.Column("email", sa.String, nullable=False, unique=True),
    text("first_name"),
    text("last_name"),
    text("phone", nullable=True),
    sa.Column("date_of_birth", sa.Date, nullable=True),
    text("gender", nullable=True),
    text("customer_type"),
    text("status"),
    flag("email_verified"),
    flag("phone_verified"),
    text("registration_source"),
    text("customer_group"),
    flag("pref_email_marketing"),
    flag("pref_sms_marketing"),
    flag("pref_push"),
    flag("pref_newsletter"),
    flag("pref_data_sharing"),
    flag("pref_analytics_tracking"),
    flag("pref_cookie_consent"),
    flag("pref_order_updates"),
    flag("pref_promotional_emails"),
    text("pref_language"),
    text("pref_currency"),
    json_value("pref_custom"),
    timestamp("last_login_at", nullable=True),
    timestamp("deletion_scheduled_at", nullable=True),
    text("deletion_reason", nullable=True),
    timestamp("deleted_at", nullable=True),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
    # The deletion job reads the due ones; lists filter by status and group.
    sa.Index(None, "deletion_scheduled_at"),
    sa.Index(None, "status"),
    sa.Index(None, "customer_group"),
)

customer_addresses = sa.Table(
    "customer_addresses", metadata,
    parent("customer_id", "customers"),
    position(),
    text("address_id"),
    text("kind"),
    text("label"),
    text("first_name"),
    text("last_name"),
    text("phone"),
    text("line1"),
    text("line2", nullable=True),
    text("location_id"),
    text("ward"),
    text("district", nullable=True),
    text("province"),
    text("country_code"),
    text("postal_code", nullable=True),
    text("company", nullable=True),
    flag("is_default"),
    flag("is_verified"),
    timestamp("created_at"),
)

customer_segment_members = sa.Table(
    "customer_segment_members", metadata,
    parent("customer_id", "customers"),
    position(),
    text("segment_id"),
    sa.Index(None, "segment_id"),
)

customer_segments = sa.Table(
    "customer_segments", metadata,
    key(),
    text("name"),
    json_value("rules"),  # [{field, operator, value, weight}]
    flag("is_active"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
)
