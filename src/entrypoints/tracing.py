"""OpenTelemetry traces of the path a request takes: the HTTP request, the command the message
bus runs for it (the use case), each unit of work it opens and its commit (with the events the
commit wrote to the outbox), and each subscriber that reacts to those events (in process, or in
the worker). Off unless `COMMERCE_TRACING` says otherwise:

- `off`: nothing is wrapped; no cost.
- `on`: spans go to the process's global tracer provider, whatever the embedding application
  configured (none: the OpenTelemetry API's no-op provider).
- `console`: an SDK provider printing spans to standard output (needs `opentelemetry-sdk`,
  the `tracing` extra).
- `otlp`: an SDK provider exporting over OTLP/HTTP, configured by the standard
  `OTEL_EXPORTER_OTLP_*` variables (needs the `tracing` extra).

Units of work are traced by wrapping the factory of the ports before the `Commerce` is built
(`traced_ports`); commands and subscribers by the bus's `instrument` once it is wired
(`instrument`); HTTP requests by `TracingMiddleware`. Trace context does not travel through
Redis: a worker's subscriber span starts its own trace and carries the event's correlation id.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Literal

import attrs
from opentelemetry import context, trace
from opentelemetry.trace import SpanKind, Tracer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from commerce_core.app import Commerce
from commerce_core.ports import Ports
from commerce_core.shared.bus import BatchFn, Relay, Subscriber, SubscriberFn
from commerce_core.shared.events import EventEnvelope

TracingMode = Literal["off", "on", "console", "otlp"]
# Whether a command is running in this context, and the span of the outermost one, whose events
# the bus relays in process right after it returns (the relay span's parent).
_in_command: ContextVar[bool] = ContextVar("tracing_in_command", default=False)
_relaying_for: ContextVar[trace.SpanContext | None] = ContextVar("tracing_relaying_for",
                                                                  default=None)
INSTRUMENTATION = "commerce_core"
UNMATCHED_ROUTE = "(unmatched)"


@functools.cache
def tracer_for(mode: TracingMode) -> Tracer | None:
    """The tracer for a `COMMERCE_TRACING` mode (None when off); an SDK provider is set up once
    per process and made the global one."""
    if mode == "off":
        return None
    if mode == "on":
        return trace.get_tracer(INSTRUMENTATION)
    try:
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    except ImportError as error:  # pragma: no cover - depends on what is installed
        raise RuntimeError(f"COMMERCE_TRACING={mode} needs the 'tracing' extra "
                           "(opentelemetry-sdk)") from error
    provider = TracerProvider()
    if mode == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider.get_tracer(INSTRUMENTATION)


# -- units of work --------------------------------------------------------------------------
class TracedUnitOfWork:
    """A unit of work in a `unit_of_work` span from `__enter__` to `__exit__`; its commit in a
    `commit` child span that says how many events went to the outbox, and of which types.
    Everything else is the wrapped unit of work's."""

    def __init__(self, inner: Any, tracer: Tracer) -> None:
        self._inner, self._tracer = inner, tracer
        self._span: trace.Span | None = None
        self._token: object | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> TracedUnitOfWork:
        self._span = self._tracer.start_span("unit_of_work")
        self._token = context.attach(trace.set_span_in_context(self._span))
        try:
            self._inner.__enter__()
        except BaseException:
            self._close()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self._inner.__exit__(exc_type, exc, tb)
        finally:
            if exc is not None and self._span is not None:
                self._span.record_exception(exc)
                self._span.set_status(trace.StatusCode.ERROR, type(exc).__name__)
            self._close()

    def _close(self) -> None:
        if self._token is not None:
            context.detach(self._token)  # type: ignore[arg-type]
            self._token = None
        if self._span is not None:
            self._span.end()
            self._span = None

    def commit(self) -> None:
        with self._tracer.start_as_current_span("commit") as span:
            self._inner.commit()
            committed: list[EventEnvelope] = self._inner.committed
            span.set_attribute("outbox.events", len(committed))
            span.set_attribute("outbox.event_types", sorted({e.type for e in committed}))


@attrs.frozen
class TracedUnitOfWorkFactory:
    """Opens traced units of work; the wrapped factory's attributes stay reachable."""

    inner: Any
    tracer: Tracer

    def __call__(self) -> Any:
        return TracedUnitOfWork(self.inner(), self.tracer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def traced_ports(ports: Ports, tracer: Tracer) -> Ports:
    """`ports` whose units of work are traced (before the `Commerce` is built over them)."""
    return attrs.evolve(ports, uow=TracedUnitOfWorkFactory(ports.uow, tracer))


# -- commands and subscribers ---------------------------------------------------------------
def instrument(commerce: Commerce, tracer: Tracer) -> None:
    """Every command the bus runs in a `command <Name>` span, every subscriber call in an
    `event <type> <subscriber>` span."""

    def command(command_type: type[Any], handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
        name = command_type.__name__

        def run(message: Any) -> Any:
            outermost = not _in_command.get()
            depth = _in_command.set(True)
            try:
                with tracer.start_as_current_span(f"command {name}") as span:
                    span.set_attribute("commerce.command", name)
                    if outermost:
                        # The bus relays the outermost command's events once it returns.
                        _relaying_for.set(span.get_span_context())
                    return handler(message)
            finally:
                _in_command.reset(depth)

        return run

    def relay(inner: Relay) -> Relay:
        def run(envelopes: Sequence[EventEnvelope]) -> int:
            parent = _relaying_for.get()
            _relaying_for.set(None)
            ctx = (trace.set_span_in_context(trace.NonRecordingSpan(parent))
                   if parent is not None else None)
            with tracer.start_as_current_span("relay", context=ctx) as span:
                span.set_attribute("outbox.events", len(envelopes))
                return inner(envelopes)

        return run

    def subscriber(wired: Subscriber) -> SubscriberFn:
        fn, title = wired.fn, f"event {wired.event_type} {wired.name}"

        def run(envelope: EventEnvelope, uow: Any) -> None:
            with tracer.start_as_current_span(title, kind=SpanKind.CONSUMER) as span:
                span.set_attribute("commerce.event.type", envelope.type)
                span.set_attribute("commerce.event.id", envelope.id)
                span.set_attribute("commerce.subscriber", wired.name)
                if envelope.correlation_id:
                    span.set_attribute("commerce.correlation_id", envelope.correlation_id)
                fn(envelope, uow)

        return run

    def batch(wired: Subscriber, fn: BatchFn) -> BatchFn:
        title = f"events {wired.name}"

        def run(envelopes: Sequence[EventEnvelope], uow: Any) -> None:
            with tracer.start_as_current_span(title, kind=SpanKind.CONSUMER) as span:
                span.set_attribute("commerce.subscriber", wired.name)
                span.set_attribute("commerce.events", len(envelopes))
                fn(envelopes, uow)

        return run

    commerce.bus.instrument(command, subscribers=subscriber, batches=batch, relay=relay)


# -- HTTP -----------------------------------------------------------------------------------
class TracingMiddleware:
    """One server span per HTTP request, named by method and route template once routed."""

    def __init__(self, app: ASGIApp, tracer: Tracer) -> None:
        self.app, self.tracer = app, tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self.tracer.start_as_current_span(method, kind=SpanKind.SERVER) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
                span.update_name(f"{method} {route}")
                span.set_attribute("http.request.method", method)
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", status)
