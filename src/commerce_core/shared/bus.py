"""The message bus: commands to exactly one handler, events to any number of subscribers.

Events reach subscribers only after the transaction that recorded them committed, through the
outbox. In embedded mode the bus relays the events a command committed as soon as the command
returns; in service mode a worker relays the outbox to a broker and consumers call `deliver`.
Every subscriber runs in its own unit of work guarded by the inbox, so a duplicated delivery
changes nothing; one failing subscriber is logged and does not stop the others. A subscriber
that takes batches gets many events in one unit of work (ADR 0040).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, Protocol

import attrs
from attrs import frozen

from commerce_core.shared.cards import refuse_card_numbers
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.events import (
    NO_CAUSALITY,
    Causality,
    EventEnvelope,
    current_causality,
)
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import (
    PendingWrite,
    UnitOfWork,
    in_process_subscribers,
    pending_write,
)
from commerce_core.shared.uow import committed_in_context as _committed

log = logging.getLogger("commerce.bus")

SubscriberFn = Callable[[EventEnvelope, Any], None]
BatchFn = Callable[[Sequence[EventEnvelope], Any], None]
Relay = Callable[[Sequence[EventEnvelope]], int]


class Handle(Protocol):
    """Runs one command and returns its handler's result (the facades' way into the bus);
    `correlation_id` ties the events it causes to the request (its idempotency key)."""

    def __call__(self, command: Any, *, correlation_id: str | None = None) -> Any: ...


Handlers = dict[type[Any], Callable[[Any], Any]]
"""A context's commands, each with its one handler."""


class Reaction(Protocol):
    """A context's event reaction: named (the name keys its inbox rows), for one event type,
    called with the event and the unit of work it runs in."""

    name: str
    event_type: str

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None: ...


@frozen
class Subscriber:
    """A named reaction to one event type; `name` keys its inbox rows, so never rename it.

    `wants` looks at an event before any transaction opens: an event it declines is one the
    subscriber would ignore anyway (a card order for a cash-on-delivery reaction), so it costs
    nothing and records nothing. It must depend on the event alone, never on stored state.
    """

    name: str
    event_type: str
    fn: SubscriberFn
    wants: Callable[[EventEnvelope], bool] = lambda envelope: True
    batch: BatchFn | None = None
    """The same reaction to many events in one unit of work, for a subscriber whose effects
    are only its own records (analytics' facts): the in-process relay hands it every event of
    a pass it wants, under one transaction and one inbox read and write, instead of one
    transaction per event. It must not send events on (they would have no single cause);
    `fn` still serves single deliveries (broker consumers, dead-letter replays)."""

    @classmethod
    def of(cls, reaction: Reaction) -> Subscriber:
        """The subscriber of a reaction; one that declines some events up front says so with
        a `wants(envelope)` method."""
        wants: Callable[[EventEnvelope], bool] | None = getattr(reaction, "wants", None)
        if wants is None:
            return cls(reaction.name, reaction.event_type, reaction)
        return cls(reaction.name, reaction.event_type, reaction, wants)


class CommandRecorder(Protocol):
    """Records commands as they run (the audit trail). `writer` returns the write that joins the
    transaction of the command's first commit, or None for a command it does not record;
    `refused` records a command whose handler refused it, in a transaction of its own."""

    def writer(self, command: Any) -> PendingWrite | None: ...

    def refused(self, command: Any, error: CommerceError) -> None: ...


class MessageBus:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        ids: IdGenerator,
        *,
        dispatch_in_process: bool = True,
        max_attempts: int = 10,
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._handlers: dict[type[Any], Callable[[Any], Any]] = {}
        self._subscribers: dict[str, list[Subscriber]] = {}
        self.dispatch_in_process = dispatch_in_process
        self.max_attempts = max_attempts
        self._recorder: CommandRecorder | None = None
        self._observers: list[Callable[[Sequence[EventEnvelope]], None]] = []

    # -- wiring ---------------------------------------------------------------------------------
    def register(self, command_type: type[Any], handler: Callable[[Any], Any]) -> None:
        if command_type in self._handlers:
            raise ValueError(f"{command_type.__name__} already has a handler")
        self._handlers[command_type] = handler

    def record_with(self, recorder: CommandRecorder) -> None:
        self._recorder = recorder

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.setdefault(subscriber.event_type, []).append(subscriber)

    def observe(self, observer: Callable[[Sequence[EventEnvelope]], None]) -> None:
        """Also hand `observer` every event committed through this bus (a command's, its
        reactions', and pending rows it relays), right after the commit, whoever subscribes
        to them; an event may come twice (a relayed row it saw committed). For live feeds
        (`shared.feed.LocalFeed.publish`); it must not block, and its failure is only logged."""
        self._observers.append(observer)

    def _announce(self, envelopes: Sequence[EventEnvelope]) -> None:
        batch = tuple(envelopes)  # the caller may reuse its list
        for observer in self._observers if batch else ():
            try:
                observer(batch)
            except Exception:  # following events must never fail the command that made them
                log.exception("an event observer failed")

    def subscribers(self) -> list[Subscriber]:
        return [s for group in self._subscribers.values() for s in group]

    def handles(self) -> list[type[Any]]:
        return list(self._handlers)

    def instrument(self, wrap: Callable[[type[Any], Callable[[Any], Any]], Callable[[Any], Any]],
                   *, subscribers: Callable[[Subscriber], SubscriberFn] | None = None,
                   batches: Callable[[Subscriber, BatchFn], BatchFn] | None = None,
                   relay: Callable[[Relay], Relay] | None = None) -> None:
        """Replace every registered handler by `wrap(command_type, handler)` and, if given,
        every subscriber's function by `subscribers(subscriber)`, every batch reaction by
        `batches(subscriber, batch)` and the in-process relay by `relay(relay)` (timing,
        tracing): done once the wiring is complete, by whoever serves this bus."""
        self._handlers = {t: wrap(t, h) for t, h in self._handlers.items()}
        if relay is not None:
            self.relay = relay(self.relay)  # type: ignore[method-assign, assignment]
        if subscribers is not None or batches is not None:
            self._subscribers = {
                event_type: [self._instrumented(s, subscribers, batches) for s in group]
                for event_type, group in self._subscribers.items()
            }

    @staticmethod
    def _instrumented(subscriber: Subscriber,
                      subscribers: Callable[[Subscriber], SubscriberFn] | None,
                      batches: Callable[[Subscriber, BatchFn], BatchFn] | None) -> Subscriber:
        fn = subscribers(subscriber) if subscribers is not None else subscriber.fn
        batch = subscriber.batch
        if batch is not None and batches is not None:
            batch = batches(subscriber, batch)
        return attrs.evolve(subscriber, fn=fn, batch=batch)

    def has_subscribers(self, event_type: str) -> bool:
        return event_type in self._subscribers

    def wanted(self, envelope: EventEnvelope) -> bool:
        """Whether any in-process subscriber will act on this event."""
        return any(s.wants(envelope) for s in self._subscribers.get(envelope.type, ()))

    # -- commands -------------------------------------------------------------------------------
    def handle(self, command: Any, *, correlation_id: str | None = None) -> Any:
        """Run the command's handler; its error propagates. Then relay what it committed."""
        handler = self._handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        refuse_card_numbers(command)
        outer = _committed.get()
        collected: list[EventEnvelope] = [] if outer is None else outer
        collected_token = _committed.set(collected)
        filter_token = in_process_subscribers.set(
            self.wanted if self.dispatch_in_process else None
        )
        causality = current_causality.get()
        causality_token = current_causality.set(
            Causality(
                correlation_id=correlation_id or causality.correlation_id or self._ids.new_id(),
                causation_id=causality.causation_id,
            )
        )
        # Only the outermost command is recorded: what it sends on is part of the same act.
        write = (self._recorder.writer(command)
                 if self._recorder is not None and pending_write.get() is None else None)
        write_token = pending_write.set([write]) if write is not None else None
        try:
            return handler(command)
        except CommerceError as error:
            if write_token is not None and self._recorder is not None:
                pending_write.reset(write_token)
                write_token = None
                self._recorder.refused(command, error)
            raise
        finally:
            if write_token is not None:
                pending_write.reset(write_token)
            current_causality.reset(causality_token)
            _committed.reset(collected_token)
            in_process_subscribers.reset(filter_token)
            if outer is None:
                self._announce(collected)
            if outer is None and self.dispatch_in_process and collected:
                self.relay(collected)

    # -- events ---------------------------------------------------------------------------------
    def deliver(
        self, envelope: EventEnvelope, *, only: Sequence[str] | None = None,
        batched: bool = True,
    ) -> dict[str, str]:
        """Apply one event to its subscribers (each at most once); returns {subscriber: error}.
        With `batched=False` the subscribers that take batches are left out (the relay has
        given them the event already)."""
        failures: dict[str, str] = {}
        for subscriber in self._subscribers.get(envelope.type, []):
            if only is not None and subscriber.name not in only:
                continue
            if not batched and subscriber.batch is not None:
                continue
            if not subscriber.wants(envelope):
                continue
            try:
                self._apply(subscriber, envelope)
            except Exception as exc:  # a subscriber's failure must not stop the others
                log.exception("subscriber %s failed on %s %s", subscriber.name, envelope.type,
                              envelope.id)
                failures[subscriber.name] = f"{type(exc).__name__}: {exc}"
        return failures

    def _apply(self, subscriber: Subscriber, envelope: EventEnvelope) -> None:
        token = current_causality.set(
            Causality(correlation_id=envelope.correlation_id, causation_id=envelope.id)
        )
        try:
            with self._uow() as uow:
                if uow.inbox.seen(subscriber.name, envelope.id):
                    return
                subscriber.fn(envelope, uow)
                uow.inbox.record(subscriber.name, envelope.id)
                uow.commit()
        finally:
            current_causality.reset(token)

    def relay(self, envelopes: Sequence[EventEnvelope]) -> int:
        """Deliver committed events in-process (and what their subscribers commit), then mark them.

        An event any subscriber failed on stays in the outbox, due again after a backoff, so the
        worker retries it; subscribers that succeeded skip it then through their inbox.
        """
        queue = [e for e in envelopes if self.wanted(e)]
        delivered = 0
        collected: list[EventEnvelope] = []
        token = _committed.set(collected)
        filter_token = in_process_subscribers.set(self.wanted)
        try:
            while queue:
                done: list[str] = []
                failed: dict[str, str] = {}
                in_batches = self._deliver_batches(queue)
                for envelope in queue:
                    failures = {**in_batches.get(envelope.id, {}),
                                **self.deliver(envelope, batched=False)}
                    if failures:
                        failed[envelope.id] = "; ".join(f"{k}: {v}" for k, v in failures.items())
                    else:
                        done.append(envelope.id)
                self._mark(done, failed)
                delivered += len(done)
                self._announce(collected)
                queue = [e for e in collected if self.wanted(e)]
                collected.clear()
        finally:
            _committed.reset(token)
            in_process_subscribers.reset(filter_token)
        return delivered

    def _deliver_batches(self, queue: Sequence[EventEnvelope]) -> dict[str, dict[str, str]]:
        """Each batch subscriber's share of `queue` in one unit of work; {event id: {subscriber:
        error}}. A batch that fails is applied again one event at a time, so one bad event
        fails alone and the others are recorded."""
        groups: dict[str, list[tuple[Subscriber, EventEnvelope]]] = {}
        for envelope in queue:
            for subscriber in self._subscribers.get(envelope.type, ()):
                if subscriber.batch is not None and subscriber.wants(envelope):
                    groups.setdefault(subscriber.name, []).append((subscriber, envelope))
        failures: dict[str, dict[str, str]] = {}
        for name, group in groups.items():
            try:
                self._apply_batch(name, group)
            except Exception:
                log.exception("subscriber %s failed on a batch of %d events; applying them one "
                              "by one", name, len(group))
                for subscriber, envelope in group:
                    try:
                        self._apply(subscriber, envelope)
                    except Exception as exc:
                        log.exception("subscriber %s failed on %s %s", name, envelope.type,
                                      envelope.id)
                        failures.setdefault(envelope.id, {})[name] = f"{type(exc).__name__}: {exc}"
        return failures

    def deliver_batch(self, name: str, envelopes: Sequence[EventEnvelope]) -> bool:
        """Apply the events subscriber `name` wants in one unit of work, if it takes batches
        (True: applied, or applied before); False if it does not take batches. A failure
        propagates and nothing of the batch is kept: the caller then delivers one by one."""
        group = [(s, e) for e in envelopes for s in self._subscribers.get(e.type, ())
                 if s.name == name and s.wants(e)]
        if any(s.batch is None for s, _ in group):
            return False
        if group:
            self._apply_batch(name, group)
        return True

    def _apply_batch(self, name: str,
                     group: Sequence[tuple[Subscriber, EventEnvelope]]) -> None:
        # Subscribers sharing a name share one inbox key and, by contract, one batch reaction.
        batch = group[0][0].batch
        assert batch is not None
        token = current_causality.set(NO_CAUSALITY)
        try:
            with self._uow() as uow:
                applied = uow.inbox.seen_among(name, [e.id for _, e in group])
                fresh = list({e.id: e for _, e in group if e.id not in applied}.values())
                if not fresh:
                    return
                batch(fresh, uow)
                uow.inbox.record_all(name, [e.id for e in fresh])
                uow.commit()
        finally:
            current_causality.reset(token)

    def relay_pending(self, limit: int = 100) -> int:
        """One pass of the outbox relay for in-process delivery (the worker's loop calls this)."""
        with self._uow() as uow:
            envelopes = uow.outbox.pending(limit)
        self._announce(envelopes)  # committed elsewhere, or by a command of this process
        idle = [e.id for e in envelopes if not self.wanted(e)]
        self._mark(idle, {})  # nothing in this process listens to them
        return self.relay(envelopes) + len(idle) if envelopes else 0

    def _mark(self, done: list[str], failed: dict[str, str]) -> None:
        if not done and not failed:
            return
        with self._uow() as uow:
            if done:
                uow.outbox.mark_published(done)
            now = self._clock.now()
            for event_id, error in failed.items():
                uow.outbox.mark_failed(event_id, error, now, self.max_attempts)
            uow.commit()


def backoff(attempts: int, *, base: timedelta = timedelta(seconds=1),
            cap: timedelta = timedelta(minutes=5)) -> timedelta:
    """Exponential backoff 1 s · 2ⁿ capped at 5 min (spec: outbox retries)."""
    delay: timedelta = base * (2 ** max(attempts - 1, 0))
    return min(delay, cap)
