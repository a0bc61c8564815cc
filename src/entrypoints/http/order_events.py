"""An order's status as it changes: `GET /orders/{id}/events`, Server-Sent Events (ADR 0024).

The stream carries the order's committed events of the configured contexts (order, payment,
fulfillment, shipping, returns), each as its public projection. A connection first subscribes
to the live feed, then replays the order's stored events (all of them, or those after
`Last-Event-ID`), then sends what the feed brings, skipping ids already sent: no gap, no
duplicate. A client that falls `COMMERCE_ORDER_STREAM_QUEUE_SIZE` events behind is told to
reconnect (`event: reconnect`) and the stream ends; it resumes from its last id.

Protocol and examples: docs/order-status-stream.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated, Any, Final, cast

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Header, Request
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from commerce_core.app import Commerce
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.feed import EventFeed, LocalFeed, OrderEvents, OrderTimeline
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import ShopperDep, permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.problems import HttpProblem
from entrypoints.settings import Settings

log = logging.getLogger("commerce.http.order_events")

router = APIRouter(prefix="/orders", tags=["orders"])
admin = APIRouter(prefix="/orders", tags=["orders admin"])

REPLAY_PAGE: Final = 200
# Events of an order are recorded after the order itself; a UUIDv7 order id therefore bounds
# where its history starts in the outbox's key order, give or take clock skew between processes.
CLOCK_SKEW_MS: Final = 60_000
STREAM_HEADERS: Final = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_OVERFLOW: Final = object()  # the marker a slow client's queue ends with


def build_order_feed(commerce: Commerce, settings: Settings) -> EventFeed:
    """The live feed for these settings: Redis Streams in service mode (every process sees
    every event), else the events this process's bus commits."""
    contexts = _contexts(settings)
    if settings.bus == "redis":
        from adapters.redis import StreamLayout, connect
        from adapters.redis.feed import RedisEventFeed

        return RedisEventFeed(connect(settings.redis_url), contexts,
                              layout=StreamLayout(prefix=settings.redis_prefix))
    feed = LocalFeed()
    commerce.bus.observe(feed.publish)
    return feed


def _contexts(settings: Settings) -> list[str]:
    return [c.strip() for c in settings.order_stream_contexts.split(",") if c.strip()]


class StreamSlots:
    """Open streams per client address in this process, at most `limit` each."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> bool:
        with self._lock:
            held = self._open.get(client, 0)
            if held >= self.limit:
                return False
            self._open[client] = held + 1
            return True

    def give_back(self, client: str) -> None:
        with self._lock:
            held = self._open.get(client, 0) - 1
            if held > 0:
                self._open[client] = held
            else:
                self._open.pop(client, None)

    def held(self, client: str) -> int:
        with self._lock:
            return self._open.get(client, 0)


class OrderStreams:
    """What every order stream of one app shares: the feed, the timeline, the rules, the
    settings, and the open streams."""

    def __init__(self, feed: EventFeed, timeline: OrderTimeline | None, settings: Settings,
                 ) -> None:
        self.feed, self.timeline = feed, timeline
        self.rules = OrderEvents(_contexts(settings))
        self.heartbeat = settings.order_stream_heartbeat_seconds
        self.retry_ms = settings.order_stream_retry_ms
        self.capacity = settings.order_stream_queue_size
        self.slots = StreamSlots(settings.order_stream_max_per_client)
        self.open = 0  # streams open now (tests and metrics read it)

    @classmethod
    def build(cls, commerce: Commerce, settings: Settings,
              feed: EventFeed | None = None) -> OrderStreams:
        return cls(feed or build_order_feed(commerce, settings), commerce.ports.timeline,
                   settings)


def streams_of(app: FastAPI) -> OrderStreams:
    return cast(OrderStreams, app.state.order_streams)


class Follower:
    """One stream's view of the feed: the order's events, queued on the stream's event loop.
    `deliver` runs in whichever thread publishes; at most `capacity` events wait, after which
    the queue ends with the overflow marker and takes nothing more."""

    def __init__(self, loop: asyncio.AbstractEventLoop, order_id: str, rules: OrderEvents,
                 capacity: int) -> None:
        self._loop, self._order_id, self._rules = loop, order_id, rules
        self._capacity = capacity
        self._queue: asyncio.Queue[object] = asyncio.Queue(capacity + 1)
        self.overflowed = False

    def deliver(self, batch: Sequence[EventEnvelope]) -> None:
        mine = [e for e in batch if self._rules.admits(e, self._order_id)]
        if not mine:
            return
        with contextlib.suppress(RuntimeError):  # a closed loop: the stream is gone
            self._loop.call_soon_threadsafe(self._put, mine)

    def _put(self, envelopes: list[EventEnvelope]) -> None:
        for envelope in envelopes:
            if self.overflowed:
                return
            if self._queue.qsize() >= self._capacity:
                self.overflowed = True
                self._queue.put_nowait(_OVERFLOW)
                return
            self._queue.put_nowait(envelope)

    async def next(self, timeout: float) -> object | None:
        """The next queued event, the overflow marker, or None after `timeout` of quiet."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


def frame(envelope: EventEnvelope, rules: OrderEvents) -> str:
    """One SSE message: the event id (what `Last-Event-ID` resumes from) and its projection."""
    data = json.dumps(rules.view(envelope), separators=(",", ":"))
    return f"id: {envelope.id}\ndata: {data}\n\n"


RECONNECT_FRAME: Final = (
    "event: reconnect\n"
    'data: {"reason":"too_slow","detail":"The client fell too far behind; reconnect with '
    'Last-Event-ID to resume."}\n\n'
)


def replay_floor(order_id: str) -> str | None:
    """A key below every event of the order when its id is a UUIDv7 (the order's time less
    the clock skew allowance); None otherwise (the whole outbox is looked through)."""
    try:
        parsed = uuid.UUID(order_id)
    except ValueError:
        return None
    if parsed.version != 7:
        return None
    ms = max((parsed.int >> 80) - CLOCK_SKEW_MS, 0)
    return str(uuid.UUID(int=ms << 80))


def _last_event_id(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise HttpProblem(422, "order_stream.invalid_last_event_id",
                          "Last-Event-ID must be the id of an event this stream sent.") from None


async def event_stream(
    streams: OrderStreams, follower: Follower, order_id: str, last_event_id: str | None,
) -> AsyncIterator[str]:
    rules = streams.rules
    yield f"retry: {streams.retry_ms}\n\n"
    sent: set[str] = set()
    if streams.timeline is not None:
        floor = replay_floor(order_id)
        cursor = max(last_event_id or "", floor or "") or None
        timeline = streams.timeline
        while True:
            page = await anyio.to_thread.run_sync(
                functools.partial(timeline.events, order_id, after=cursor, limit=REPLAY_PAGE))
            for envelope in page:
                if rules.admits(envelope, order_id) and envelope.id not in sent:
                    sent.add(envelope.id)
                    yield frame(envelope, rules)
            if len(page) < REPLAY_PAGE:
                break
            cursor = page[-1].id
    while True:
        item = await follower.next(streams.heartbeat)
        if item is None:
            yield ": keep-alive\n\n"
            continue
        if item is _OVERFLOW:
            yield RECONNECT_FRAME
            return
        envelope = cast(EventEnvelope, item)
        if envelope.id in sent or (last_event_id is not None and envelope.id <= last_event_id):
            continue
        sent.add(envelope.id)
        yield frame(envelope, rules)


class EventStreamResponse(StreamingResponse):
    """A streaming response that watches for the client leaving while it waits for events
    (not only when a write fails), and runs `on_close` however the stream ends."""

    media_type = "text/event-stream"

    def __init__(self, content: AsyncIterator[str], on_close: Callable[[], None]) -> None:
        super().__init__(content, headers=STREAM_HEADERS)
        self._on_close = on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            async with anyio.create_task_group() as group:
                async def watch() -> None:
                    await self.listen_for_disconnect(receive)
                    group.cancel_scope.cancel()

                group.start_soon(watch)
                with contextlib.suppress(OSError):  # the client left in the middle of a write
                    await self.stream_response(send)
                group.cancel_scope.cancel()
        finally:
            self._on_close()


async def open_stream(request: Request, order_id: str, last_event_id: str | None,
                      ) -> EventStreamResponse:
    streams = streams_of(request.app)
    resume = _last_event_id(last_event_id)
    client = request.app.state.rate_limits.client_of(request)
    if not streams.slots.take(client):
        raise HttpProblem(429, "order_stream.too_many_streams",
                          f"At most {streams.slots.limit} order event streams may be open from "
                          "one address at once.", headers={"Retry-After": "5"})
    follower = Follower(asyncio.get_running_loop(), order_id, streams.rules, streams.capacity)
    try:
        unsubscribe = await anyio.to_thread.run_sync(streams.feed.subscribe, follower.deliver)
    except BaseException:
        streams.slots.give_back(client)
        raise
    streams.open += 1
    closed = False

    def close() -> None:
        nonlocal closed
        if not closed:
            closed = True
            unsubscribe()
            streams.slots.give_back(client)
            streams.open -= 1

    return EventStreamResponse(event_stream(streams, follower, order_id, resume), close)


LastEventId = Annotated[str | None, Header(
    alias="Last-Event-ID", max_length=64,
    description="The id of the last event received: the stream resumes after it (browsers "
                "send it when they reconnect).")]
_DOCUMENTED: dict[int | str, dict[str, Any]] = {200: {"content": {"text/event-stream": {}},
                     "description": "Server-Sent Events: one message per event of the order"}}


@router.get("/{order_id}/events", status_code=200, response_class=EventStreamResponse,
            responses=_DOCUMENTED,
            summary="The order's status changes as Server-Sent Events, for its customer or the "
                    "holder of its cart's token")
async def order_events(order_id: str, request: Request, commerce: CommerceDep,
                       shopper: ShopperDep, last_event_id: LastEventId = None,
                       ) -> EventStreamResponse:
    await anyio.to_thread.run_sync(shopper.order, commerce, order_id)
    return await open_stream(request, order_id, last_event_id)


@admin.get("/{order_id}/events", status_code=200, response_class=EventStreamResponse,
           responses=_DOCUMENTED,
           summary="Any order's status changes as Server-Sent Events, for staff",
           dependencies=[permit(Permission.ORDERS_READ)])
async def admin_order_events(order_id: str, request: Request, commerce: CommerceDep,
                             last_event_id: LastEventId = None) -> EventStreamResponse:
    await anyio.to_thread.run_sync(commerce.orders.get, order_id)  # 404 for an unknown order
    return await open_stream(request, order_id, last_event_id)
