"""What fraud consumes (the GeoIP lookup, pluggable signals, its storage) and the data they
exchange. A signal is a plain object with a `name` and `evaluate(facts)`: an embedding shop adds
its own next to the built-in ones (`Commerce(fraud_signals=...)`)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from commerce_core.fraud.events import SignalScore
from commerce_core.fraud.model import Decision, RiskAssessment
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.shared.money import Money

__all__ = [
    "Anonymity", "Decision", "FraudUnitOfWork", "GeoFacts", "GeoIp", "History",
    "RiskAssessmentRepository", "RiskFacts", "RiskRequest", "RiskSignal", "SignalScore",
]


@frozen
class Anonymity:
    """What the Anonymous-IP database says of an address; all False when it has no entry (a
    real database lists anonymous networks only, so absence means an ordinary address)."""

    vpn: bool = False
    public_proxy: bool = False
    tor_exit_node: bool = False
    hosting_provider: bool = False
    residential_proxy: bool = False
    network: str | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        names = ("vpn", "public_proxy", "tor_exit_node", "hosting_provider",
                 "residential_proxy")
        return tuple(name for name in names if getattr(self, name))


class GeoIp(Protocol):
    """Where an address is and whether it hides someone. Local lookups (microseconds); any
    failure is `GeoDataUnavailable` with a reason, never another exception the caller must
    know: no database configured, an unreadable one, an address the country database lacks."""

    def country(self, ip: str) -> str:
        """The ISO 3166 alpha-2 country of the address."""
        ...

    def anonymity(self, ip: str) -> Anonymity: ...


@frozen
class RiskRequest:
    """What checkout knows of the shopper when it asks for a score. Every field may be missing;
    the signals that need a missing one say so and add nothing."""

    email: str | None = None
    client_ip: str | None = None
    billing_country: str | None = None
    shipping_country: str | None = None
    card_fingerprint: str | None = None  # the gateway's fingerprint of the card, never a number
    customer_id: str | None = None


@frozen
class GeoFacts:
    """The GeoIP answers for the request's address, looked up before any transaction opens;
    `*_gap` says why an answer is missing."""

    country: str | None = None
    country_gap: str | None = "no client IP given"
    anonymity: Anonymity | None = None
    anonymity_gap: str | None = "no client IP given"


@frozen
class History:
    """What the shop's own assessments say of the request's email, address and card: attempts
    in the velocity window before this one, and the email's past orders that went ahead
    (allowed, or approved on review) with their average value in the order's currency."""

    email_attempts: int = 0
    ip_attempts: int = 0
    card_attempts: int = 0
    email_orders: int = 0
    email_average: Money | None = None


@frozen
class RiskFacts:
    """Everything a signal may look at."""

    request: RiskRequest
    amount: Money
    geo: GeoFacts
    history: History | None  # None: nothing to look the request up by (no email, IP or card)
    now: datetime


class RiskSignal(Protocol):
    """One explainable factor of the score. `evaluate` returns its points and a sentence, or
    an unavailable score (no points) when it cannot tell; an exception it raises is recorded
    as unavailable too, so a broken signal never stops a checkout."""

    @property
    def name(self) -> str: ...

    def evaluate(self, facts: RiskFacts) -> SignalScore: ...


class RiskAssessmentRepository(Protocol):
    def add(self, assessment: RiskAssessment) -> None: ...

    def get(self, assessment_id: str) -> RiskAssessment:
        """The assessment, or `AssessmentNotFound`."""
        ...

    def for_order(self, order_id: str) -> RiskAssessment | None:
        """The order's assessment (one per order)."""
        ...

    def pending_reviews(self, limit: int, offset: int = 0) -> list[RiskAssessment]:
        """Assessments waiting for a staff decision, oldest first."""
        ...

    def history(self, *, email: str | None, ip: str | None, card: str | None, currency: str,
                since: datetime) -> History:
        """Counts over earlier assessments, in one read: attempts since `since` with this
        email, IP or card (hashed fingerprint); past orders of the email that went ahead, and
        their average amount in `currency`. A None key counts nothing."""
        ...


class FraudUnitOfWork(OrderingUnitOfWork, Protocol):
    """Rejecting a reviewed order cancels it in the same transaction."""

    @property
    def risk_assessments(self) -> RiskAssessmentRepository: ...

