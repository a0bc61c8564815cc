"""The worker's interval jobs: reconciliation with the leak report, the fulfillment jobs, and the
release of expired idempotency keys, the payment jobs, the sending of due notifications."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory import FrozenClock
from entrypoints.consumer.scheduled import ScheduledJobs
from entrypoints.settings import Settings
from tests.shop import SHIRT, make_commerce
from tests.unit.analytics.support import DAY1, Events
from tests.unit.analytics.support import shop as analytics_shop
from tests.unit.notification.support import CUSTOMER, notifying_shop
from tests.unit.shipping.support import order, ready, shipping_shop


def test_interval_jobs_run_at_once_then_only_when_their_interval_passed() -> None:
    now = [1000.0]
    jobs = ScheduledJobs(make_commerce(), Settings(database_url="memory://",
                                                   reconciliation_interval_seconds=60,
                                                   fulfillment_jobs_interval_seconds=30,
                                                   idempotency_release_interval_seconds=60,
                                                   payment_jobs_interval_seconds=60,
                                                   customer_jobs_interval_seconds=60,
                                                   returns_jobs_interval_seconds=60,
                                                   ledger_expiry_interval_seconds=60,
                                                   loyalty_jobs_interval_seconds=60,
                                                   shipping_booking_interval_seconds=60,
                                                   shipping_poll_interval_seconds=60),
                         monotonic=lambda: now[0])

    first = jobs.run_due()
    now[0] += 31
    second = jobs.run_due()
    now[0] += 30
    third = jobs.run_due()

    assert set(first) == {"reserved_corrected", "reserved_uncorrected", "leaks_reported",
                          "sla_breaches", "auto_completed", "picklists_expired",
                          "idempotency_keys_released", "captures_retried",
                          "authorizations_expired", "customers_deleted",
                          "customer_deletions_postponed", "segment_memberships_added",
                          "segment_memberships_removed", "returns_expired",
                          "return_compensations", "value_lots_expired", "loyalty_released",
                          "loyalty_points_released", "loyalty_tiers_changed", "shipments_booked",
                          "carrier_reports", "carrier_reports_applied"}
    assert set(second) == {"sla_breaches", "auto_completed", "picklists_expired"}
    assert set(third) == set(first)


def test_the_worker_sends_due_notifications_on_their_interval() -> None:
    commerce = notifying_shop()
    commerce.notifications.request(CUSTOMER, "sms", "promotion", {"title": "t", "body": "b"})
    now = [1000.0]
    jobs = ScheduledJobs(commerce, Settings(database_url="memory://",
                                            notification_send_interval_seconds=30),
                         monotonic=lambda: now[0])

    first = jobs.run_due()
    commerce.notifications.request(CUSTOMER, "sms", "promotion", {"title": "t", "body": "c"})
    now[0] += 10
    early = jobs.run_due()
    now[0] += 20
    later = jobs.run_due()

    assert first["notifications_sent"] == 1
    assert "notifications_sent" not in early
    assert later["notifications_sent"] == 1


def test_the_worker_books_draft_shipments_and_polls_the_carriers() -> None:
    commerce, carrier = shipping_shop()
    order_id = order(commerce, (SHIRT, 1))
    ready(commerce, order_id)
    now = [1000.0]
    jobs = ScheduledJobs(commerce, Settings(database_url="memory://"), monotonic=lambda: now[0])

    first = jobs.run_due()
    (shipment,) = commerce.shipping.for_order(order_id)
    assert shipment.tracking_number is not None
    carrier.advance(shipment.tracking_number, "picked_up")
    clock = commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    clock.advance(timedelta(hours=2))
    now[0] += 1800
    later = jobs.run_due()

    assert (first["shipments_booked"], shipment.status.value) == (1, "booked")
    assert later["carrier_reports_applied"] == 1
    assert commerce.shipping.get(shipment.id).status.value == "picked_up"


def test_the_worker_builds_the_analytics_rollups_on_their_interval() -> None:
    commerce, clock = analytics_shop()
    commerce.analytics.record([Events().order_created("o1", DAY1)])
    now = [1000.0]
    jobs = ScheduledJobs(commerce, Settings(database_url="memory://",
                                            analytics_rollup_interval_seconds=300),
                         monotonic=lambda: now[0])

    clock.advance(timedelta(days=1))
    first = jobs.run_due()
    now[0] += 100
    early = jobs.run_due()

    assert first["analytics_days_built"] == 1
    assert first["analytics_hours_built"] == 24  # from the first fact's hour to now
    assert "analytics_days_built" not in early
