"""Counting the SQL statements and transactions a use case sends (SQLAlchemy's engine
events): what the statement-budget tests pin, never a time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import attrs
import sqlalchemy as sa


@attrs.define
class Counted:
    statements: int = 0
    transactions: int = 0

    @property
    def figures(self) -> tuple[int, int]:
        return self.statements, self.transactions


@contextmanager
def counting(engine: sa.Engine) -> Iterator[Counted]:
    """Every statement sent and every transaction begun on `engine` inside the block."""
    counted = Counted()

    def statement(*_: object) -> None:
        counted.statements += 1

    def begin(*_: object) -> None:
        counted.transactions += 1

    sa.event.listen(engine, "before_cursor_execute", statement)
    sa.event.listen(engine, "begin", begin)
    try:
        yield counted
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
        sa.event.remove(engine, "begin", begin)
