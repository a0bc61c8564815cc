"""The versions of the shop's reference data (ADR 0036).

One row per kind (`tax`, `price_rules`, `promotions`, `warehouses`), moved by database triggers in
the transaction of every write to the tables of that kind (migration 0027), whichever process
writes. `version` counts the changes; `stamp` is new at every change and never the value of a
rolled-back one, so a (version, stamp) pair names one committed state of the kind.
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.tables import metadata
from adapters.sql.tables.common import key

reference_versions = sa.Table(
    "reference_versions", metadata,
    key("kind"),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("stamp", sa.BigInteger, nullable=False),
)
