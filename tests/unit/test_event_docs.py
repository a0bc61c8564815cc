"""The event catalogue is generated from the code, and real payloads match its schemas."""

from __future__ import annotations

import json

import jsonschema

from entrypoints import eventdocs
from tests.shop import MUG, SHIRT, cart_with, every_event, make_commerce, stock_shop


def test_the_committed_event_docs_are_up_to_date() -> None:
    assert eventdocs.main(["--check"]) == 0, "run: uv run python -m entrypoints.eventdocs"


def test_every_payload_of_a_whole_journey_matches_its_published_schema() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1), (MUG, 2)))
    commerce.payments.capture(placed.order_id)
    commerce.orders.cancel(placed.order_id)
    _, schemas = eventdocs.render()

    with commerce.ports.uow() as uow:
        envelopes = every_event(uow)
    for envelope in envelopes:
        jsonschema.validate(envelope.payload, json.loads(schemas[envelope.type]))
    assert len({e.type for e in envelopes}) >= 15
