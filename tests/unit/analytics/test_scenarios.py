"""The spec's analytics scenarios (search-analytics B, 14-21) and the rules behind them."""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

from commerce_core.analytics.errors import DeadLetterNotFound, InvalidPeriod, MalformedEvent
from commerce_core.analytics.ports import DeadLetter
from commerce_core.analytics.queries import CurrencyRevenue, Period, Ratio
from tests.unit.analytics.support import ANALYTICS, DAY1, Events, day, shop

D = DAY1.date()


def test_revenue_is_captured_minus_refunded_and_aov_divides_by_paid_orders() -> None:
    commerce, _ = shop()
    e = Events()

    commerce.analytics.record([
        e.captured("p1", "o1", 1_000_000, DAY1), e.captured("p2", "o2", 500_000, DAY1),
        e.refunded("p1", "o1", 200_000, DAY1 + timedelta(hours=1))])

    assert commerce.analytics.revenue(day(D)).totals == (
        CurrencyRevenue("VND", 1_500_000, 200_000, 1_300_000, paid_orders=2, aov=650_000),)


def test_the_same_payment_event_twice_counts_once() -> None:
    commerce, _ = shop()
    e = Events()
    capture = e.captured("p1", "o1", 1_000_000, DAY1)

    commerce.analytics.record([capture])
    commerce.analytics.record([capture])
    commerce.bus.deliver(capture, only=ANALYTICS)

    assert commerce.analytics.revenue(day(D)).totals[0].captured == 1_000_000


def test_a_capture_step_arriving_under_a_second_event_id_counts_once() -> None:
    commerce, _ = shop()
    e = Events()

    commerce.analytics.record([e.captured("p1", "o1", 400, DAY1, total=400),
                               e.captured("p1", "o1", 400, DAY1, total=400),
                               e.captured("p1", "o1", 600, DAY1, total=1_000)])

    assert commerce.analytics.revenue(day(D)).totals[0].captured == 1_000


def test_currencies_are_never_summed_together() -> None:
    commerce, _ = shop()
    e = Events()

    commerce.analytics.record([e.captured("p1", "o1", 500_000, DAY1),
                               e.captured("p2", "o2", 2_500, DAY1, currency="USD"),
                               e.refunded("p2", "o2", 500, DAY1, currency="USD")])

    totals = {r.currency: (r.captured, r.refunded, r.net)
              for r in commerce.analytics.revenue(day(D)).totals}
    assert totals == {"USD": (2_500, 500, 2_000), "VND": (500_000, 0, 500_000)}


def test_an_event_failing_its_schema_lands_in_the_dead_letters_and_changes_no_metric(
        caplog: pytest.LogCaptureFixture) -> None:
    commerce, _ = shop()
    e = Events()
    broken = e.envelope("payment.captured", DAY1, "p1", {
        "payment_id": "p1", "order_id": "o1", "amount": {"amount": "1000", "currency": "VND"},
        "email": "lan.nguyen@example.com"})

    failures = commerce.bus.deliver(broken, only=ANALYTICS)
    commerce.bus.deliver(broken, only=ANALYTICS)

    assert failures == {}  # parked in the subscriber's own transaction: nothing to retry
    (letter,) = commerce.analytics.dead_letters()
    assert (letter.event_id, letter.event_type) == (broken.id, "payment.captured")
    assert "amount must be an amount" in letter.error
    assert "lan.nguyen" not in str(letter.payload)
    assert commerce.analytics.revenue(day(D)).totals == ()
    assert "parked" in caplog.text


def test_a_dead_letter_still_unreadable_stays_when_replayed() -> None:
    commerce, _ = shop()
    unknown_version = attrs.evolve(Events().captured("p1", "o1", 700, DAY1), version=2)
    commerce.bus.deliver(unknown_version, only=ANALYTICS)
    (letter,) = commerce.analytics.dead_letters()

    with pytest.raises(MalformedEvent):
        commerce.analytics.replay_dead_letter(letter.id)

    assert commerce.analytics.dead_letters() == [letter]


def test_a_dead_letter_readable_after_a_fix_is_read_once_and_leaves() -> None:
    commerce, clock = shop()
    capture = Events().captured("p1", "o1", 700, DAY1)
    with commerce.ports.uow() as uow:  # parked by an earlier, stricter release
        uow.analytics.park(DeadLetter("dl-1", capture.id, capture.type, 1, DAY1, "p1",
                                      capture.payload, "refused then", clock.now()))
        uow.commit()

    assert commerce.analytics.replay_dead_letter("dl-1") == 1

    assert commerce.analytics.dead_letters() == []
    assert commerce.analytics.revenue(day(D)).totals[0].captured == 700
    with pytest.raises(DeadLetterNotFound):
        commerce.analytics.replay_dead_letter("dl-1")


def test_an_ip_address_keeps_its_network_only_and_no_email_is_stored() -> None:
    commerce, _ = shop()
    e = Events()
    order = e.order_created("o1", DAY1)
    order = attrs.evolve(order, payload={
        **order.payload, "ip": "203.0.113.57", "email": "lan.nguyen@example.com",
        "user_agent": "Mozilla/5.0"})

    commerce.analytics.record([order])

    with commerce.ports.uow() as uow:
        (fact,) = uow.analytics.facts(DAY1, DAY1 + timedelta(seconds=1))
    assert fact.client_ip == "203.0.113.0"
    assert "example.com" not in repr(fact)
    assert "lan.nguyen" not in repr(fact)
    assert fact.customer_key not in (None, "cust-1")
    assert fact.user_agent_hash == hashlib.sha256(b"Mozilla/5.0").hexdigest()[:16]


def test_a_cohort_of_ten_january_customers_of_whom_four_return_in_february() -> None:
    commerce, _ = shop()
    e = Events()
    january = datetime(2026, 1, 10, tzinfo=UTC)
    events = [e.order_created(f"jan-{n}", january, customer=f"c{n}") for n in range(10)]
    events += [e.order_created(f"feb-{n}", january + timedelta(days=31), customer=f"c{n}")
               for n in range(4)]

    commerce.analytics.record(events)

    report = commerce.analytics.cohorts(commerce.analytics.period(date(2026, 1, 1),
                                                                  date(2026, 2, 28)))
    (cohort,) = report.cohorts
    assert (cohort.cohort, cohort.customers) == (date(2026, 1, 1), 10)
    assert cohort.retention == (Ratio(10, 10), Ratio(4, 10))
    assert cohort.retention[1].percent == 40.0


def test_after_three_days_down_the_worker_builds_every_missed_day() -> None:
    commerce, clock = shop(now=DAY1)
    e = Events()
    commerce.analytics.record([e.order_created(f"o{n}", DAY1 + timedelta(days=n))
                               for n in range(4)])
    commerce.analytics.build_rollups()
    clock.advance(timedelta(days=3))

    built = commerce.analytics.build_rollups()

    assert built.days == 3
    series = commerce.analytics.series("day", Period(DAY1 - timedelta(days=1),
                                                     DAY1 + timedelta(days=5)),
                                       ["orders_created"])
    assert [(v.bucket.date(), v.value) for v in series] == [
        (D + timedelta(days=n), 1) for n in range(3)]
    assert commerce.analytics.build_rollups().days == 0


def test_delivered_arriving_before_shipped_leaves_the_order_delivered() -> None:
    commerce, _ = shop()
    e = Events()
    created = e.order_created("o1", DAY1)
    shipped = e.status("o1", "shipped", DAY1 + timedelta(hours=5))
    delivered = e.status("o1", "delivered", DAY1 + timedelta(hours=9))

    for event in (created, delivered, shipped):
        commerce.bus.deliver(event, only=ANALYTICS)

    assert [(s.status, s.count) for s in commerce.analytics.orders(day(D)).statuses] == [
        ("delivered", 1)]


def test_a_type_at_seventy_percent_of_its_seven_day_average_raises_the_alert(
        caplog: pytest.LogCaptureFixture) -> None:
    commerce, clock = shop(now=DAY1)
    e = Events()
    events = [e.order_created(f"o{d}-{n}", DAY1 + timedelta(days=d, minutes=n))
              for d in range(7) for n in range(10)]
    events += [e.order_created(f"o7-{n}", DAY1 + timedelta(days=7, minutes=n))
               for n in range(7)]
    events += [e.order_created(f"o8-{n}", DAY1 + timedelta(days=8, minutes=n))
               for n in range(8)]
    commerce.analytics.record(events)
    clock.advance(timedelta(days=9))

    built = commerce.analytics.build_rollups()

    eighth_day = datetime.combine(D + timedelta(days=7), datetime.min.time(), UTC)
    overview = commerce.analytics.overview(day(eighth_day.date()))
    (alert,) = overview.alerts
    assert (alert.day, alert.event_type, alert.count, alert.average) == (
        eighth_day, "order.created", 7, 10.0)
    assert built.alerts == 1  # 8 of a 9.57 average is above 80 %: no alert on the ninth day
    assert "reconciliation" in caplog.text


def test_a_late_event_makes_the_next_run_build_its_day_again() -> None:
    commerce, clock = shop(now=DAY1)
    e = Events()
    commerce.analytics.record([e.captured("p1", "o1", 100, DAY1)])
    clock.advance(timedelta(days=1))
    commerce.analytics.build_rollups()

    commerce.analytics.record([e.captured("p2", "o2", 50, DAY1 + timedelta(hours=1))])
    clock.advance(timedelta(minutes=5))
    commerce.analytics.build_rollups()

    (net,) = commerce.analytics.series("day", day(D), ["revenue_net"])
    assert (net.dimension, net.value) == ("VND", 150)


def test_days_are_counted_in_the_shop_timezone() -> None:
    commerce, _ = shop(timezone="Asia/Ho_Chi_Minh")
    e = Events()
    late_evening_utc = datetime(2026, 3, 2, 18, tzinfo=UTC)  # 01:00 on the 3rd in Hanoi

    commerce.analytics.record([e.captured("p1", "o1", 100, late_evening_utc)])

    (revenue_day,) = commerce.analytics.revenue(
        commerce.analytics.period(date(2026, 3, 3), date(2026, 3, 3))).days
    assert revenue_day.day == date(2026, 3, 3)
    assert commerce.analytics.revenue(
        commerce.analytics.period(date(2026, 3, 2), date(2026, 3, 2))).totals == ()


def test_a_period_ending_before_it_starts_is_refused() -> None:
    commerce, _ = shop()

    with pytest.raises(InvalidPeriod):
        commerce.analytics.period(date(2026, 3, 2), date(2026, 3, 1))
    with pytest.raises(InvalidPeriod):
        commerce.analytics.period(date(1, 1, 1), date(1, 1, 2))


def test_reports_of_a_shop_without_analytics_say_it_is_off() -> None:
    from adapters.memory import bundle
    from commerce_core import Commerce
    from commerce_core.analytics.errors import AnalyticsUnavailable

    commerce = Commerce(bundle())

    with pytest.raises(AnalyticsUnavailable):
        commerce.analytics.overview(day(D))
    assert not commerce.analytics.enabled
    assert logging.getLogger("commerce.analytics")  # the module logs under this name


def test_rfm_scores_customers_in_quintiles_by_pseudonym_only() -> None:
    commerce, _ = shop()
    e = Events()
    events = []
    for n in range(5):  # customer n orders n + 1 times, the later the greater n
        for k in range(n + 1):
            order = f"o{n}-{k}"
            at = DAY1 + timedelta(days=2 * n, minutes=k)
            events += [e.order_created(order, at, customer=f"cust-{n}"),
                       e.captured(f"p{n}-{k}", order, 1_000 * (n + 1), at)]
    commerce.analytics.record(events)

    report = commerce.analytics.rfm(commerce.analytics.period(D, D + timedelta(days=10)))

    assert report.currency == "VND"
    best, *_, worst = report.customers
    assert (best.frequency, best.monetary, best.r, best.f, best.m) == (5, 25_000, 5, 5, 5)
    assert (worst.frequency, worst.monetary, worst.r, worst.f, worst.m) == (1, 1_000, 1, 1, 1)
    assert best.segment == "champions"
    assert all(not row.customer.startswith("cust-") for row in report.customers)
    assert sum(s.customers for s in report.segments) == 5
