"""The worker's slower jobs, each on its own interval: reconciliation of reserved counts with
the leak report (hourly), the fulfillment jobs (SLA breaches, auto-completion, expired pick
lists; every 30 minutes), the release of expired idempotency keys (hourly), the payment jobs
(captures a gateway did not answer, holds past their window; every 5 minutes), the sending of
due notifications (every 30 seconds, `FOR UPDATE SKIP LOCKED`), the customer jobs (due
deletions, then the segment evaluator; daily), the shipping jobs (drafts booked every minute,
shipments without news polled every 30 minutes), the return jobs (stale returns cancelled,
failed refunds, restocks and labels retried; every 5 minutes), the loyalty jobs (points
released after the return window, tiers moved; hourly), the sending of due webhook
deliveries (every 5 seconds, `FOR UPDATE SKIP LOCKED`) and the analytics rollups (every 5
minutes: only complete buckets are built, every one missed while the worker was down among
them). Every job is idempotent, so a second worker running them is harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from commerce_core import Commerce
from entrypoints.settings import Settings

log = logging.getLogger("commerce.worker")

Job = Callable[[], dict[str, int]]


class ScheduledJobs:
    """Runs each job when its interval has passed since it last ran (at once on the first
    call); `run_due` returns what the jobs that ran did, by counter name."""

    def __init__(self, commerce: Commerce, settings: Settings,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        inventory, fulfillment, checkout = commerce.inventory, commerce.fulfillment, \
            commerce.checkout

        def reconcile() -> dict[str, int]:
            drifts = inventory.reconcile()
            return {"reserved_corrected": sum(d.corrected for d in drifts),
                    "reserved_uncorrected": sum(not d.corrected for d in drifts),
                    "leaks_reported": inventory.report_leaks()}

        def fulfillment_jobs() -> dict[str, int]:
            return {"sla_breaches": fulfillment.check_sla(),
                    "auto_completed": fulfillment.complete_shipped(),
                    "picklists_expired": fulfillment.expire_picklists()}

        payments = commerce.payments

        def payment_jobs() -> dict[str, int]:
            return {"captures_retried": payments.retry_captures(),
                    "authorizations_expired": payments.expire_authorizations()}

        def release_keys() -> dict[str, int]:
            return {"idempotency_keys_released": checkout.release_idempotency_keys()}

        def send_notifications() -> dict[str, int]:
            return commerce.notifications.send_due(settings.notification_batch).as_dict()
        def customer_jobs() -> dict[str, int]:
            deletions = commerce.customers.process_deletions()
            segments = commerce.customers.evaluate_segments()
            return {"customers_deleted": len(deletions.deleted),
                    "customer_deletions_postponed": len(deletions.postponed),
                    "segment_memberships_added": segments.added,
                    "segment_memberships_removed": segments.removed}

        def return_jobs() -> dict[str, int]:
            return {"returns_expired": commerce.returns.expire_stale(),
                    "return_compensations": commerce.returns.retry_compensations()}

        def ledger_expiry() -> dict[str, int]:
            # Safe in several workers at once: each lot is re-read under its account's lock.
            return {"value_lots_expired": len(commerce.ledger.expire_due())}

        loyalty = commerce.loyalty

        def loyalty_jobs() -> dict[str, int]:
            # Expiry is the ledger's job (below): loyalty hears of it by `ledger.value_expired`.
            released, tiers = loyalty.release(), loyalty.recalculate_tiers()
            return {"loyalty_released": released.processed,
                    "loyalty_points_released": released.points,
                    "loyalty_tiers_changed": tiers.points}

        shipping = commerce.shipping

        def shipping_bookings() -> dict[str, int]:
            return {"shipments_booked": shipping.retry_bookings()}

        def shipping_poll() -> dict[str, int]:
            result = shipping.poll()
            return {"carrier_reports": result.updates, "carrier_reports_applied": result.applied}

        self._jobs: list[tuple[str, float, Job]] = [
            ("reservation reconciliation", settings.reconciliation_interval_seconds, reconcile),
            ("fulfillment jobs", settings.fulfillment_jobs_interval_seconds, fulfillment_jobs),
            ("idempotency keys", settings.idempotency_release_interval_seconds, release_keys),
            ("payment jobs", settings.payment_jobs_interval_seconds, payment_jobs),
            ("customer jobs", settings.customer_jobs_interval_seconds, customer_jobs),
            ("return jobs", settings.returns_jobs_interval_seconds, return_jobs),
            ("loyalty jobs", settings.loyalty_jobs_interval_seconds, loyalty_jobs),
            ("ledger expiry", settings.ledger_expiry_interval_seconds, ledger_expiry),
        ]
        if commerce.ports.carriers is not None:
            self._jobs += [
                ("shipping bookings", settings.shipping_booking_interval_seconds,
                 shipping_bookings),
                ("shipping poll", settings.shipping_poll_interval_seconds, shipping_poll),
            ]
        if commerce.ports.notifications is not None:
            self._jobs.append(("notifications", settings.notification_send_interval_seconds,
                               send_notifications))
        if commerce.ports.webhooks is not None:
            batch = commerce.ports.webhooks.batch

            def send_webhooks() -> dict[str, int]:
                return commerce.webhooks.send_due(batch).as_dict()

            self._jobs.append(("webhooks", settings.webhooks_send_interval_seconds,
                               send_webhooks))
        if commerce.analytics.enabled:
            def analytics_rollups() -> dict[str, int]:
                return commerce.analytics.build_rollups().as_dict()

            self._jobs.append(("analytics rollups", settings.analytics_rollup_interval_seconds,
                               analytics_rollups))
        self._last_run: dict[str, float] = {}

    def run_due(self) -> dict[str, int]:
        done: dict[str, int] = {}
        now = self._monotonic()
        for name, interval, job in self._jobs:
            last = self._last_run.get(name)
            if last is not None and now - last < interval:
                continue
            self._last_run[name] = now  # a failing job waits its interval too, no tight retry
            done.update(job())
            log.debug("%s ran: %s", name, done)
        return done
