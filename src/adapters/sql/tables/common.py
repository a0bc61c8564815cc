"""The column factories every context's tables are written with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sql.columns import JsonText, UtcDateTime


def key(name: str = "id") -> sa.Column[str]:
    return sa.Column(name, sa.String, primary_key=True)


def parent(name: str, table: str) -> sa.Column[str]:
    """A child row's key to its root: deleted with it."""
    return sa.Column(
        name, sa.String, sa.ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True
    )


def position() -> sa.Column[int]:
    """A child row's place in its collection."""
    return sa.Column("position", sa.Integer, primary_key=True)


def text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String, nullable=nullable)


def long_text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.Text, nullable=nullable)


def integer(name: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=nullable)


def amount(name: str, *, nullable: bool = False) -> sa.Column[int]:
    """Money in integer minor units (its currency is another column)."""
    return sa.Column(name, sa.BigInteger, nullable=nullable)


def counter(name: str) -> sa.Column[int]:
    """Starts at 0 when the row is inserted; only the usage ledger moves it."""
    return sa.Column(name, sa.BigInteger, nullable=False, server_default="0")


def flag(name: str) -> sa.Column[bool]:
    return sa.Column(name, sa.Boolean, nullable=False)


def json_value(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, JsonText, nullable=nullable)


def timestamp(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, UtcDateTime, nullable=nullable)


def version() -> sa.Column[int]:
    """The optimistic lock every root carries."""
    return sa.Column("version", sa.Integer, nullable=False)


def audit() -> list[sa.Column[Any]]:
    return [timestamp("created_at"), timestamp("updated_at"), version()]
