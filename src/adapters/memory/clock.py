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
        return self._now  # one attribute read: atomic, and the lock guards only the writers

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

    def new_id(self) -> str:
        # `next` on an `itertools.count` is atomic under the GIL: no lock needed between threads.
        n = next(self._counter)
        # The text of `uuid.UUID(int=n)`, written out directly: a 50-line checkout takes over 250
        # ids, and building a UUID object (or slicing a 32-digit text) for each was a visible
        # part of an in-memory order. Below 2**48 only the last group has digits.
        if n < _LAST_GROUP:
            return f"00000000-0000-0000-0000-{n:012x}"
        if n >= 1 << 128:
            return str(uuid.UUID(int=n))  # out of range: let `uuid` refuse it
        h = f"{n:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_LAST_GROUP = 1 << 48
