"""Analytics' handlers and its subscriber, built from what the composition root gives it."""

from __future__ import annotations

from typing import Any

from commerce_core.analytics.commands import (
    BuildRollups,
    DiscardDeadLetter,
    RecordEvents,
    ReplayDeadLetter,
)
from commerce_core.analytics.errors import AnalyticsUnavailable
from commerce_core.analytics.handlers import (
    AnalyticsContext,
    BuildRollupsHandler,
    DiscardDeadLetterHandler,
    RecordAnalyticsEvent,
    RecordEventsHandler,
    ReplayDeadLetterHandler,
)
from commerce_core.analytics.intake import known_types
from commerce_core.analytics.ports import AnalyticsPorts, AnalyticsUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

COMMANDS = (RecordEvents, BuildRollups, ReplayDeadLetter, DiscardDeadLetter)


def _unavailable(cmd: Any) -> Any:
    raise AnalyticsUnavailable("analytics is not configured: build the ports with "
                               "analytics=AnalyticsPorts(pseudonym_key=...)")


class AnalyticsWiring:
    """Without `AnalyticsPorts` the context is off: no subscriber, every command refused."""

    def __init__(self, uow: UnitOfWorkFactory[AnalyticsUnitOfWork], clock: Clock,
                 ids: IdGenerator, ports: AnalyticsPorts | None) -> None:
        self.context = None if ports is None else AnalyticsContext(uow, clock, ids, ports)

    def handlers(self) -> Handlers:
        c = self.context
        if c is None:
            return dict.fromkeys(COMMANDS, _unavailable)
        return {
            RecordEvents: RecordEventsHandler(c),
            BuildRollups: BuildRollupsHandler(c),
            ReplayDeadLetter: ReplayDeadLetterHandler(c),
            DiscardDeadLetter: DiscardDeadLetterHandler(c),
        }

    def subscribers(self) -> list[Subscriber]:
        """One subscriber name over every event type analytics reads (one inbox key, one
        consumer group in service mode)."""
        c = self.context
        if c is None:
            return []
        record = RecordAnalyticsEvent(c)
        return [Subscriber(record.name, event_type, record, batch=record.batch)
                for event_type in known_types()]
