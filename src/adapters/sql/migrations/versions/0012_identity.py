"""Identity: accounts (staff users and customers, unique email per kind, unique username; the
digests of pending reset and verification tokens), sessions (refresh-token families, stored as
SHA-256 hashes), app clients for OAuth2 client credentials, and links of external (OpenID)
identities.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(), nullable=nullable)


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, TIME, nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "accounts",
        _text("id"), _text("kind"), _text("email"), _text("username", nullable=True),
        _text("name"), _text("locale"), _text("customer_id", nullable=True),
        _text("password_hash"), _text("status"),
        sa.Column("roles", sa.Text(), nullable=False),
        sa.Column("permissions_version", sa.Integer(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        _time("locked_until", nullable=True), _text("totp_secret", nullable=True),
        sa.Column("mfa_enabled", sa.Boolean(), nullable=False),
        sa.Column("last_totp_step", sa.BigInteger(), nullable=True),
        sa.Column("recovery_codes", sa.Text(), nullable=False),
        _time("created_at"), _time("updated_at"),
        sa.Column("email_verified", sa.Boolean(), nullable=False),
        _text("verification_hash", nullable=True), _time("verification_expires_at", nullable=True),
        _text("reset_hash", nullable=True), _time("reset_expires_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("kind", "email", name="uq_accounts_kind_email"),
        sa.UniqueConstraint("username", name="uq_accounts_username"),
    )
    op.create_table(
        "sessions",
        _text("id"), _text("account_id"), _text("user_type"), _text("refresh_hash"),
        sa.Column("rotated_hashes", sa.Text(), nullable=False),
        sa.Column("mfa_verified", sa.Boolean(), nullable=False),
        _time("created_at"), _time("last_used_at"), _time("expires_at"),
        _time("revoked_at", nullable=True), _text("revocation_reason", nullable=True),
        _text("user_agent"), _text("ip"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
    )
    op.create_index("ix_sessions_account_id_created_at", "sessions",
                    ["account_id", "created_at"])
    op.create_table(
        "app_clients",
        _text("id"), _text("name"), _text("secret_hash"),
        sa.Column("scopes", sa.Text(), nullable=False), _text("status"), _text("created_by"),
        _time("created_at"), _time("updated_at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_app_clients"),
    )
    op.create_table(
        "oauth_links",
        _text("id"), _text("account_id"), _text("provider"), _text("subject"), _text("email"),
        _time("created_at"), sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_oauth_links"),
    )
    op.create_index("ix_oauth_links_account_id", "oauth_links", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_oauth_links_account_id", table_name="oauth_links")
    op.drop_table("oauth_links")
    op.drop_table("app_clients")
    op.drop_index("ix_sessions_account_id_created_at", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("accounts")
