"""A clock tests move by hand, and ids they can predict."""

from __future__ import annotations

import itertools
import threading
import uuid
from datetime import UTC, datetime, timedelta


class FrozenClock:
    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


class SequentialIds:
    """UUID-shaped ids counting up from 1, so tests can name them."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def new_id(self) -> str:
        with self._lock:
            n = next(self._counter)
        # The text of `uuid.UUID(int=n)`, written out directly: a checkout takes about 25 ids,
        # and building a UUID object for each was a visible part of an in-memory order.
        if n >= 1 << 128:
            return str(uuid.UUID(int=n))  # out of range: let `uuid` refuse it
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
