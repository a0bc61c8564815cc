"""Analytics use cases: the subscriber that reads each event in the transaction of its inbox
row, batch recording, the rollup run, and dead-letter replay."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commerce_core.analytics.commands import (
    BuildRollups,
    DiscardDeadLetter,
    RecordEvents,
    ReplayDeadLetter,
)
from commerce_core.analytics.errors import MalformedEvent
from commerce_core.analytics.intake import to_fact
from commerce_core.analytics.model import DeadLetter, Fact
from commerce_core.analytics.ports import AnalyticsPorts, AnalyticsStore, AnalyticsUnitOfWork
from commerce_core.analytics.privacy import Pseudonyms, minimised
from commerce_core.analytics.queries import RollupReport
from commerce_core.analytics.rollups import DAY, GRAINS, HOUR, Rollups
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.analytics")

SUBSCRIBER = "analytics.record_event"  # keys the inbox rows: never rename


class AnalyticsContext:
    """What every analytics handler is built from."""

    def __init__(self, uow: UnitOfWorkFactory[AnalyticsUnitOfWork], clock: Clock,
                 ids: IdGenerator, ports: AnalyticsPorts) -> None:
        self.uow, self.clock, self.ids, self.ports = uow, clock, ids, ports
        self.pseudonyms = Pseudonyms(ports.pseudonym_key)
        self.zone = ZoneInfo(ports.timezone)

    def read_into(self, store: AnalyticsStore, envelopes: Sequence[EventEnvelope]) -> int:
        """Record the facts of `envelopes` in one batch; park the malformed ones. Returns how
        many facts were new."""
        now = self.clock.now()
        facts: list[Fact] = []
        for envelope in envelopes:
            try:
                facts.append(to_fact(envelope, self.pseudonyms, now))
            except MalformedEvent as error:
                self.park(store, envelope, error)
        return len(store.record(facts)) if facts else 0

    def park(self, store: AnalyticsStore, envelope: EventEnvelope, error: MalformedEvent) -> None:
        # Fail closed: the event is kept aside, nothing of it reaches the metrics, and the
        # inbox row committed with the dead letter stops redeliveries from retrying it.
        log.warning("analytics parked %s %s as a dead letter: %s", envelope.type, envelope.id,
                    error)
        payload = envelope.payload if isinstance(envelope.payload, dict) else {}
        store.park(DeadLetter(
            id=self.ids.new_id(), event_id=envelope.id, event_type=envelope.type,
            version=envelope.version, occurred_at=envelope.occurred_at,
            aggregate_id=envelope.aggregate_id, payload=minimised(payload), error=str(error),
            failed_at=self.clock.now()))


class RecordAnalyticsEvent:
    """The one subscriber: each event analytics reads becomes a fact in the transaction that
    writes its inbox row (dedupe and write commit together)."""

    name = SUBSCRIBER

    def __init__(self, context: AnalyticsContext) -> None:
        self._c = context

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        self._c.read_into(uow.analytics, [envelope])

    def batch(self, envelopes: Sequence[EventEnvelope], uow: Any) -> None:
        """Many events in one transaction: what the in-process relay hands a pass's events to
        (facts only, no events sent on)."""
        self._c.read_into(uow.analytics, envelopes)


class RecordEventsHandler:
    def __init__(self, context: AnalyticsContext) -> None:
        self._c = context

    def __call__(self, cmd: RecordEvents) -> int:
        with self._c.uow() as uow:
            recorded = self._c.read_into(uow.analytics, cmd.envelopes)
            uow.commit()
        return recorded


class BuildRollupsHandler:
    def __init__(self, context: AnalyticsContext) -> None:
        self._c = context

    def __call__(self, cmd: BuildRollups) -> RollupReport:
        c = self._c
        now = c.clock.now()
        built = dict.fromkeys(GRAINS, 0)
        alerts = 0
        with c.uow() as uow:
            rollups = Rollups(uow.analytics, c.zone, timedelta(days=c.ports.history_days))
            for grain in GRAINS:
                due = rollups.due(grain, now)
                if due is None:
                    continue
                built[grain] = rollups.build(grain, *due, ran_at=now)
                if grain == DAY:
                    alerts = len(rollups.reconcile(*due, now=now))
            uow.commit()
        return RollupReport(built[HOUR], built[DAY], alerts, now)


class ReplayDeadLetterHandler:
    def __init__(self, context: AnalyticsContext) -> None:
        self._c = context

    def __call__(self, cmd: ReplayDeadLetter) -> int:
        c = self._c
        with c.uow() as uow:
            letter = uow.analytics.dead_letter(cmd.dead_letter_id)
            envelope = EventEnvelope(letter.event_id, letter.event_type, letter.version,
                                     letter.occurred_at, letter.aggregate_id,
                                     dict(letter.payload))
            fact = to_fact(envelope, c.pseudonyms, c.clock.now())  # still malformed: raises
            recorded = len(uow.analytics.record([fact]))
            uow.analytics.discard_dead_letter(letter.id)
            uow.commit()
        return recorded


class DiscardDeadLetterHandler:
    def __init__(self, context: AnalyticsContext) -> None:
        self._c = context

    def __call__(self, cmd: DiscardDeadLetter) -> None:
        with self._c.uow() as uow:
            uow.analytics.dead_letter(cmd.dead_letter_id)
            uow.analytics.discard_dead_letter(cmd.dead_letter_id)
            uow.commit()
