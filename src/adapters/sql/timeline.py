"""`OrderTimeline` over the outbox: the outbox keeps every committed event (rows are marked
published, never deleted), so an order's history is read back from it (ADR 0024)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.sql.codec import Row
from adapters.sql.outbox import _ENVELOPE, _envelope
from adapters.sql.search import read_engine
from adapters.sql.tables.messaging import outbox
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.feed import ORDER_KEY, concerns_order

_o = outbox.c
_ESCAPE = "\\"
# The primary key bounds the scan (`id > after`); the payload test is a prefilter on the JSON
# text (written by orjson, without spaces), confirmed on the decoded payload.
_EVENTS = (
    sa.select(*_ENVELOPE)
    .where(
        _o.id > sa.bindparam("after"),
        sa.or_(_o.aggregate_id == sa.bindparam("order_id"),
               # As text: the JSON column would encode the pattern as a JSON string.
               sa.type_coerce(_o.payload, sa.Text).like(
                   sa.bindparam("pattern", type_=sa.Text), escape=_ESCAPE)),
    )
    .order_by(_o.id)
    .limit(sa.bindparam("limit"))
)


def _like_literal(text: str) -> str:
    return text.replace(_ESCAPE, _ESCAPE * 2).replace("%", f"{_ESCAPE}%").replace(
        "_", f"{_ESCAPE}_")


class SqlOrderTimeline:
    """Reads on its own connections, outside any unit of work: what committed is visible, and
    no write lock is taken (SQLite) nor transaction held open (PostgreSQL)."""

    def __init__(self, engine: Engine) -> None:
        self._reader = read_engine(engine)

    def events(self, order_id: str, *, after: str | None, limit: int) -> list[EventEnvelope]:
        params = {"after": after or "", "order_id": order_id, "limit": limit,
                  "pattern": f'%"{ORDER_KEY}":"{_like_literal(order_id)}"%'}
        with self._reader.connect() as connection:
            rows: list[Row] = list(connection.execute(_EVENTS, params))
            found = [_envelope(row) for row in rows]
        return [envelope for envelope in found if concerns_order(envelope, order_id)]
