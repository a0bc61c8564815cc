"""What fraud offers checkout: the risk screen. `request` checks what checkout knows and
`locate` asks GeoIP, both before any transaction opens (a slow lookup never holds a lock);
`assess` scores the order and stores the assessment inside the checkout's transaction, so the
order, its stock and its risk are committed together."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
from collections.abc import Sequence
from datetime import datetime

from commerce_core.fraud.errors import GeoDataUnavailable, InvalidRiskInput
from commerce_core.fraud.events import SignalScore
from commerce_core.fraud.model import RiskAssessment
from commerce_core.fraud.ports import (
    FraudUnitOfWork,
    GeoFacts,
    GeoIp,
    History,
    RiskFacts,
    RiskRequest,
    RiskSignal,
)
from commerce_core.fraud.queries import RiskVerdict
from commerce_core.fraud.signals import FraudPolicy, built_in, unavailable
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money

__all__ = ["FraudPolicy", "RiskScreen", "verdict"]

log = logging.getLogger("commerce.fraud")

# A run of 12 or more digits (spaces and dashes allowed) is a card number, not a fingerprint.
_CARD_NUMBER = re.compile(r"[\d \-]*\d(?:[ \-]*\d){11,}[\d \-]*")
_COUNTRY = re.compile(r"[A-Z]{2}")


def card_hash(fingerprint: str) -> str:
    """Only a digest of the gateway's fingerprint is kept: equal cards still match."""
    return hashlib.sha256(f"fraud-card:{fingerprint}".encode()).hexdigest()


class RiskScreen:
    """The risk check of checkout, built once from the shop's policy, its GeoIP lookup and any
    signals the embedding shop adds to the built-in ones."""

    def __init__(self, policy: FraudPolicy | None = None, geoip: GeoIp | None = None,
                 extra_signals: Sequence[RiskSignal] = ()) -> None:
        self.policy = policy or FraudPolicy()
        self._geoip = geoip
        self.signals: list[RiskSignal] = [*built_in(self.policy), *extra_signals]

    @property
    def enabled(self) -> bool:
        return self.policy.enabled

    def request(self, *, email: str | None, client_ip: str | None,
                billing_country: str | None, shipping_country: str | None,
                card_fingerprint: str | None, customer_id: str | None) -> RiskRequest:
        """What checkout knows, checked and normalised; the card fingerprint becomes its
        digest here, so nothing after this point holds it."""
        ip = None
        if client_ip:
            try:
                ip = str(ipaddress.ip_address(client_ip.strip()))
            except ValueError:
                raise InvalidRiskInput(f"{client_ip!r} is not an IP address",
                                       field="client_ip") from None
        country = billing_country.strip().upper() if billing_country else None
        if country is not None and not _COUNTRY.fullmatch(country):
            raise InvalidRiskInput(f"{billing_country!r} is not an ISO 3166 alpha-2 code",
                                   field="billing_country")
        fingerprint = card_fingerprint.strip() if card_fingerprint else None
        if fingerprint is not None and (_CARD_NUMBER.fullmatch(fingerprint)
                                        or len(fingerprint) > 200):
            raise InvalidRiskInput("card_fingerprint takes the gateway's card fingerprint, "
                                   "never a card number", field="card_fingerprint")
        return RiskRequest(
            email=email.strip().lower() if email else None, client_ip=ip,
            billing_country=country, shipping_country=shipping_country,
            card_fingerprint=card_hash(fingerprint) if fingerprint else None,
            customer_id=customer_id,
        )

    def locate(self, request: RiskRequest) -> GeoFacts:
        """The GeoIP answers for the request's address. Fails open: a missing database, an
        unknown address or a failing lookup leaves the answer out with the reason."""
        ip = request.client_ip
        if ip is None or not self.enabled:
            return GeoFacts()
        if self._geoip is None:
            return GeoFacts(None, "no GeoIP database configured", None,
                            "no anonymous-IP database configured")
        country: str | None = None
        country_gap: str | None = None
        try:
            country = self._geoip.country(ip)
        except GeoDataUnavailable as gap:
            country_gap = gap.message
        except Exception as exc:  # a lookup must never stop a checkout
            log.warning("GeoIP country lookup failed: %s", type(exc).__name__)
            country_gap = f"GeoIP country lookup failed ({type(exc).__name__})"
        try:
            return GeoFacts(country, country_gap, self._geoip.anonymity(ip), None)
        except GeoDataUnavailable as gap:
            return GeoFacts(country, country_gap, None, gap.message)
        except Exception as exc:
            log.warning("GeoIP anonymity lookup failed: %s", type(exc).__name__)
            return GeoFacts(country, country_gap, None,
                            f"anonymous-IP lookup failed ({type(exc).__name__})")

    def assess(self, uow: FraudUnitOfWork, request: RiskRequest, geo: GeoFacts, *,
               order_id: str, checkout_id: str, amount: Money, now: datetime,
               ids: IdGenerator) -> RiskVerdict | None:
        """Score the order and store the assessment in the caller's transaction; None when
        the shop turned the risk check off. Reads earlier assessments once, and only when the
        request has an email, IP or card to look them up by."""
        if not self.enabled:
            return None
        history: History | None = None
        if request.email or request.client_ip or request.card_fingerprint:
            history = uow.risk_assessments.history(
                email=request.email, ip=request.client_ip, card=request.card_fingerprint,
                currency=amount.currency, since=now - self.policy.velocity_window)
        facts = RiskFacts(request, amount, geo, history, now)
        assessment = RiskAssessment.record(
            assessment_id=ids.new_id(), order_id=order_id, checkout_id=checkout_id,
            amount=amount, signals=[self._evaluate(s, facts) for s in self.signals],
            thresholds=self.policy.thresholds, email=request.email, client_ip=request.client_ip,
            card_hash=request.card_fingerprint, now=now,
        )
        uow.risk_assessments.add(assessment)
        return RiskVerdict(assessment.id, assessment.score, assessment.decision)

    @staticmethod
    def _evaluate(signal: RiskSignal, facts: RiskFacts) -> SignalScore:
        try:
            return signal.evaluate(facts)
        except Exception as exc:  # a broken signal is a gap in the evidence, not an outage
            log.exception("fraud signal %s failed", signal.name)
            return unavailable(signal.name, f"the signal failed ({type(exc).__name__})")


def verdict(uow: FraudUnitOfWork, order_id: str) -> RiskVerdict | None:
    """The order's verdict, if it was assessed (a checkout resumed after a crash)."""
    found = uow.risk_assessments.for_order(order_id)
    return None if found is None else RiskVerdict(found.id, found.score, found.decision)
