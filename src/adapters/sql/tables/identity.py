"""Identity tables: accounts (staff and customers) and sessions. Only hashes of passwords,
refresh tokens and recovery codes are stored, and the TOTP seed sealed."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import flag, integer, json_value, key, text, timestamp, version

accounts = sa.Table(
    "accounts", metadata,
    key(),
    text("kind"),  # staff or customer
    text("email"),
    text("username", nullable=True),
    text("name"),
    text("locale"),
    text("customer_id", nullable=True),
    text("password_hash"),
    text("status"),
    json_value("roles"),
    integer("permissions_version"),
    integer("failed_attempts"),
    timestamp("locked_until", nullable=True),
    text("totp_secret", nullable=True),
    flag("mfa_enabled"),
    sa.Column("last_totp_step", sa.BigInteger, nullable=True),
    json_value("recovery_codes"),
    timestamp("created_at"),
    timestamp("updated_at"),
    flag("email_verified"),
    text("verification_hash", nullable=True),
    timestamp("verification_expires_at", nullable=True),
    text("reset_hash", nullable=True),
    timestamp("reset_expires_at", nullable=True),
    version(),
    # The database decides between concurrent registrations of one email.
    sa.UniqueConstraint("kind", "email"),
    sa.UniqueConstraint("username"),
)

sessions = sa.Table(
    "sessions", metadata,
    key(),
    text("account_id"),
    text("user_type"),
    text("refresh_hash"),
    json_value("rotated_hashes"),
    flag("mfa_verified"),
    timestamp("created_at"),
    timestamp("last_used_at"),
    timestamp("expires_at"),
    timestamp("revoked_at", nullable=True),
    text("revocation_reason", nullable=True),
    text("user_agent"),
    text("ip"),
    version(),
    # 0020: the last proof of the account in this session (step-up re-authentication).
    timestamp("authenticated_at", nullable=True),
    sa.Index(None, "account_id", "created_at"),
)

app_clients = sa.Table(
    "app_clients", metadata,
    key(),
    text("name"),
    text("secret_hash"),
    json_value("scopes"),
    text("status"),
    text("created_by"),
    timestamp("created_at"),
    timestamp("updated_at"),
    version(),
)

oauth_links = sa.Table(
    "oauth_links", metadata,
    key(),  # provider|subject: one account per external identity
    text("account_id"),
    text("provider"),
    text("subject"),
    text("email"),
    timestamp("created_at"),
    version(),
    sa.Index(None, "account_id"),
)
