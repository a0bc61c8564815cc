"""Properties of quiet hours and retry delays, over any moment, window and attempt."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from commerce_core.notification.model import Preferences, RetryPolicy

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1),
                       timezones=st.just(UTC))
clock_times = st.times().map(lambda t: f"{t.hour:02d}:{t.minute:02d}")


def inside(local: time, start: time, end: time) -> bool:
    if start < end:
        return start <= local < end
    return local >= start or local < end


@given(moments, clock_times, clock_times)
def test_quiet_hours_end_at_the_next_window_end_or_not_at_all(
    now: datetime, start: str, end: str,
) -> None:
    preferences = Preferences("cus", quiet_start=start, quiet_end=end)
    s, e = time.fromisoformat(start), time.fromisoformat(end)
    local = now.astimezone(HCM)
    local_time = local.time()

    until = preferences.quiet_until(now)

    if s == e or not inside(local_time, s, e):
        assert until is None
    else:
        assert until is not None
        assert now < until <= now + timedelta(days=1)
        assert until.astimezone(HCM).time() == e
        # Nothing between now and the end of the window is outside it.
        assert all(inside((now + step).astimezone(HCM).time(), s, e)
                   for step in (timedelta(0), (until - now) / 2))


@given(st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=2**32))
def test_a_retry_waits_within_20_percent_of_5_min_doubling_capped_at_1_hour(
    attempt: int, seed: int,
) -> None:
    nominal = min(timedelta(minutes=5) * 2 ** (attempt - 1), timedelta(hours=1))

    delay = RetryPolicy().delay(attempt, random.Random(seed))

    assert nominal * 0.8 <= delay <= nominal * 1.2
