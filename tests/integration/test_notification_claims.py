"""PostgreSQL senders claim due notifications with SKIP LOCKED: two senders never take the same
message, and a message a sender holds is taken by nobody else until it commits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.notification.model import Category, Channel, Notification


@pytest.fixture
def factory(postgres_url: str) -> Iterator[sql.SqlUnitOfWorkFactory]:
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=SequentialIds(), pool_size=3)
    uow = ports.uow
    assert isinstance(uow, sql.SqlUnitOfWorkFactory)
    try:
        yield uow
    finally:
        uow.dispose()


def test_a_second_sender_skips_the_notifications_the_first_one_holds(
    factory: sql.SqlUnitOfWorkFactory,
) -> None:
    now = FrozenClock().now()
    with factory() as uow:
        for i in range(5):
            uow.notifications.add(Notification.create(
                notification_id=f"n-{i}", correlation_id=f"c-{i}", recipient_id="cus-1",
                channel=Channel.EMAIL, category=Category.TRANSACTIONAL, template_id="t",
                locale="vi", data={}, address="a@example.vn", subject="s", text="t", html="",
                send_at=now + timedelta(seconds=i), expires_at=None, source_event_id=None,
                source_event_type=None, now=now))
        uow.commit()
    later, stale = now + timedelta(minutes=1), now - timedelta(minutes=10)

    with factory() as first, factory() as second:
        taken_first = [n.id for n in first.notifications.claim_due(later, 2, stale)]
        taken_second = [n.id for n in second.notifications.claim_due(later, 10, stale)]
    with factory() as after:
        taken_again = [n.id for n in after.notifications.claim_due(later, 10, stale)]

    assert taken_first == ["n-0", "n-1"]
    assert taken_second == ["n-2", "n-3", "n-4"]
    assert taken_again == [f"n-{i}" for i in range(5)]
