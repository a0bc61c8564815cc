"""RiskAssessmentRepository contract: assessments read back whole, one per order, the review
queue, and the one read of earlier attempts and orders the velocity and history signals use."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.fraud.events import SignalScore
from commerce_core.fraud.model import Decision, ReviewStatus, RiskAssessment, Thresholds
from commerce_core.fraud.ports import History
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.money import Money
from tests.contract.builders import state
from tests.contract.conftest import Store


def assess(store: Store, order_id: str, points: int, *, email: str | None = "a@example.com",
           ip: str | None = "203.0.113.9", card: str | None = None, amount: int = 100_000,
           currency: str = "VND") -> RiskAssessment:
    assessment = RiskAssessment.record(
        assessment_id=store.ids.new_id(), order_id=order_id, checkout_id=f"co-{order_id}",
        amount=Money(amount, currency),
        signals=[SignalScore("velocity", points, "many attempts", True),
                 SignalScore("anonymous_ip", 0, "no GeoIP database configured", False)],
        thresholds=Thresholds(), email=email, client_ip=ip, card_hash=card,
        now=store.clock.now())
    with store.uow() as uow:
        uow.risk_assessments.add(assessment)
        uow.commit()
    return assessment


def history(store: Store, *, email: str | None = "a@example.com",
            ip: str | None = "203.0.113.9", card: str | None = None,
            currency: str = "VND") -> History:
    with store.uow() as uow:
        return uow.risk_assessments.history(
            email=email, ip=ip, card=card, currency=currency,
            since=store.clock.now() - timedelta(hours=24))


def test_an_assessment_reads_back_as_it_was_added_by_id_and_by_order(store: Store) -> None:
    added = assess(store, "o-1", 60)

    with store.uow() as uow:
        by_id = uow.risk_assessments.get(added.id)
        by_order = uow.risk_assessments.for_order("o-1")
        missing = uow.risk_assessments.for_order("o-2")

    assert by_order is not None
    assert state(by_id) == state(by_order) == state(added)
    assert by_id.signals[1] == SignalScore("anonymous_ip", 0, "no GeoIP database configured",
                                           False)
    assert (by_id.score, by_id.decision, by_id.review) == (60, Decision.REVIEW,
                                                           ReviewStatus.PENDING)
    assert missing is None


def test_an_order_has_one_assessment(store: Store) -> None:
    assess(store, "o-1", 10)

    with pytest.raises(ConcurrencyConflict):
        assess(store, "o-1", 20)


def test_the_queue_holds_pending_reviews_oldest_first_until_decided(store: Store) -> None:
    first = assess(store, "o-1", 60)
    store.clock.advance(timedelta(minutes=1))
    assess(store, "o-2", 10)  # allowed: never queued
    store.clock.advance(timedelta(minutes=1))
    third = assess(store, "o-3", 70)
    store.clock.advance(timedelta(minutes=1))
    fourth = assess(store, "o-4", 55)

    with store.uow() as uow:
        queued = [a.order_id for a in uow.risk_assessments.pending_reviews(10)]
        paged = [a.order_id for a in uow.risk_assessments.pending_reviews(1, offset=1)]
        uow.risk_assessments.get(third.id).approve("ops", "known buyer", now=store.clock.now())
        uow.risk_assessments.get(first.id).reject("ops", "stolen card", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        after = [a.order_id for a in uow.risk_assessments.pending_reviews(10)]
        rejected = uow.risk_assessments.get(first.id)

    assert queued == ["o-1", "o-3", "o-4"]
    assert paged == ["o-3"]
    assert after == [fourth.order_id]
    assert (rejected.review, rejected.reviewed_by, rejected.review_note) == (
        ReviewStatus.REJECTED, "ops", "stolen card")


def test_history_counts_recent_attempts_per_key_and_the_emails_orders(store: Store) -> None:
    assess(store, "old", 0, amount=900_000)  # allowed, outside the window
    store.clock.advance(timedelta(hours=25))
    assess(store, "o-1", 0, amount=100_000, card="card-1")  # allowed
    assess(store, "o-2", 60, amount=500_000, card="card-1")  # review, pending: no order yet
    assess(store, "o-3", 90, amount=700_000)  # blocked
    assess(store, "o-4", 0, email="b@example.com", ip="198.51.100.1", card="card-1")
    assess(store, "o-5", 0, amount=5_000, currency="USD")  # allowed, another currency

    found = history(store, card="card-1")

    # 5 in the window share the email, 4 the IP, 3 the card; 3 orders went ahead (old, o-1,
    # o-5); the VND ones average (900,000 + 100,000) / 2.
    assert found == History(email_attempts=4, ip_attempts=4, card_attempts=3, email_orders=3,
                            email_average=Money(500_000, "VND"))


def test_history_of_keys_nobody_used_is_empty_and_none_counts_nothing(store: Store) -> None:
    assess(store, "o-1", 0)

    assert history(store, email="new@example.com", ip="192.0.2.1") == History()
    assert history(store, email=None, ip=None, card=None) == History()
    assert history(store, email=None) == History(ip_attempts=1)


def test_an_approved_review_counts_as_an_order_of_the_email(store: Store) -> None:
    reviewed = assess(store, "o-1", 60, amount=300_000)
    with store.uow() as uow:
        uow.risk_assessments.get(reviewed.id).approve("ops", "", now=store.clock.now())
        uow.commit()

    assert history(store) == History(email_attempts=1, ip_attempts=1, email_orders=1,
                                     email_average=Money(300_000, "VND"))
