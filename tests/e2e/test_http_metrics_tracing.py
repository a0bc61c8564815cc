"""Traces of a checkout over HTTP: request → command → units of work and their commits (with
the events written to the outbox) → the subscribers that react; off by default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Tracer

import adapters.memory
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.app import Commerce, VariantSpec
from commerce_core.shared.money import Money
from entrypoints.http import create_app
from entrypoints.settings import Settings
from entrypoints.tracing import TracingMiddleware, instrument, traced_ports
from tests.e2e.conftest import OPERATOR_TOKEN, Api, seed_shop, settings
from tests.e2e.tokens import shopper_client
from tests.unit.analytics.support import ANALYTICS, analytics_ports


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer(exporter: InMemorySpanExporter) -> Tracer:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("test")


@pytest.fixture
def traced_api(tracer: Tracer) -> Iterator[Api]:
    ports = adapters.memory.bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                                   ids=SequentialIds())
    commerce = Commerce(traced_ports(ports, tracer))
    instrument(commerce, tracer)
    seed_shop(commerce)
    app = create_app(commerce, settings())
    app.add_middleware(TracingMiddleware, tracer=tracer)
    with shopper_client(app) as client:
        yield Api(client, commerce)


def _children(spans: tuple[ReadableSpan, ...], parent: ReadableSpan) -> list[ReadableSpan]:
    assert parent.context is not None
    return [s for s in spans
            if s.parent is not None and s.parent.span_id == parent.context.span_id]


def test_a_checkout_is_one_trace_from_the_request_to_the_subscribers(
        traced_api: Api, exporter: InMemorySpanExporter) -> None:
    cart_id = traced_api.filled_cart(("LINEN-SHIRT-M", 1))
    exporter.clear()

    assert traced_api.place_order(cart_id, key="traced-1").status_code == 201

    spans = exporter.get_finished_spans()
    (request,) = [s for s in spans if s.name == "POST /orders"]
    assert request.parent is None
    assert request.attributes is not None
    assert request.attributes["http.response.status_code"] == 201
    assert {s.context.trace_id for s in spans if s.context} == {request.context.trace_id}

    (command,) = [s for s in _children(spans, request) if s.name.startswith("command ")]
    assert command.name == "command PlaceOrder"
    below = _children(spans, command)
    units = [u for u in below if u.name == "unit_of_work"]
    assert units
    # Then the relay of what it committed (nothing in this shop reacts to these events).
    assert {u.name for u in below} == {"unit_of_work", "relay"}
    commits = [c for u in units for c in _children(spans, u) if c.name == "commit"]
    assert commits
    attributes: list[dict[str, Any]] = [dict(c.attributes or {}) for c in commits]
    written = {t for a in attributes for t in a["outbox.event_types"]}
    assert {"checkout.started", "checkout.completed"} <= written
    assert sum(a["outbox.events"] for a in attributes) >= len(written)



def test_the_subscribers_that_react_are_in_the_command_s_trace(
        traced_api: Api, exporter: InMemorySpanExporter) -> None:
    exporter.clear()
    # Embedded: the trace starts at the command. After it, the bus relays its events in
    # process, each subscriber in its own unit of work.
    traced_api.commerce.catalog.create_product(
        "Silk scarf", "silk-scarf", [VariantSpec("SILK-SCARF", Money(90_000, "VND"))],
        publish=True)

    spans = exporter.get_finished_spans()
    (command,) = [s for s in spans if s.name == "command CreateProduct"]
    assert command.parent is None
    assert command.context is not None
    reactions = [s for s in spans if s.name.startswith("event ")]
    assert {(s.attributes or {})["commerce.event.type"] for s in reactions} >= {
        "catalog.product_created"}
    (relay,) = [s for s in spans if s.name == "relay"]
    assert relay.parent is not None
    assert relay.parent.span_id == command.context.span_id
    for reaction in reactions:
        assert reaction.context is not None
        assert reaction.parent is not None
        assert reaction.context.trace_id == command.context.trace_id
        (unit,) = [s for s in spans if s.context and s.context.span_id == reaction.parent.span_id]
        assert unit.name == "unit_of_work"
        assert unit.parent is not None
        assert unit.parent.span_id == relay.context.span_id


def test_a_batch_subscriber_is_one_span_for_the_events_of_a_pass(
        tracer: Tracer, exporter: InMemorySpanExporter) -> None:
    ports = attrs.evolve(adapters.memory.bundle(gateway=ScriptedPaymentGateway(),
                                                clock=FrozenClock(), ids=SequentialIds()),
                         analytics=analytics_ports())
    commerce = Commerce(traced_ports(ports, tracer))
    instrument(commerce, tracer)
    seed_shop(commerce)
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    exporter.clear()

    commerce.checkout.place_order(cart_id, idempotency_key="traced-batch")

    spans = exporter.get_finished_spans()
    (batch,) = [s for s in spans if s.name == f"events {ANALYTICS[0]}"]
    attributes: dict[str, Any] = dict(batch.attributes or {})
    assert attributes["commerce.subscriber"] == ANALYTICS[0]
    assert attributes["commerce.events"] >= 5  # checkout started … completed, in one span
    (relay,) = [s for s in spans if s.name == "relay"]
    assert batch.context is not None
    assert relay.context is not None
    assert batch.context.trace_id == relay.context.trace_id


def test_a_refused_command_is_an_error_span(traced_api: Api,
                                            exporter: InMemorySpanExporter) -> None:
    cart_id = traced_api.new_cart()
    exporter.clear()

    assert traced_api.place_order(cart_id, key="traced-2").status_code == 409

    (command,) = [s for s in exporter.get_finished_spans() if s.name == "command PlaceOrder"]
    assert not command.status.is_ok
    assert [e.name for e in command.events] == ["exception"]


def test_tracing_is_off_by_default_and_on_by_the_setting(commerce: Commerce) -> None:
    assert Settings(database_url="memory://").tracing == "off"
    plain = create_app(commerce, settings())
    assert TracingMiddleware not in [getattr(m, 'cls', None) for m in plain.user_middleware]
    traced = create_app(commerce, Settings(database_url="memory://",
                                           operator_token=OPERATOR_TOKEN, tracing="on"))
    assert TracingMiddleware in [getattr(m, 'cls', None) for m in traced.user_middleware]
