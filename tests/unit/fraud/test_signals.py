"""The signals one by one, the thresholds at their edges, the cap, and the policy's checks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commerce_core.fraud.events import SignalScore
from commerce_core.fraud.model import Decision, RiskAssessment, Thresholds
from commerce_core.fraud.ports import Anonymity, GeoFacts, History, RiskFacts, RiskRequest
from commerce_core.fraud.services import FraudPolicy, RiskScreen
from commerce_core.fraud.signals import built_in
from commerce_core.shared.money import Money

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SMALL = Money(100_000, "VND")


def facts(*, amount: Money = SMALL, geo: GeoFacts | None = None,
          history: History | None = None, **request: str) -> RiskFacts:
    return RiskFacts(RiskRequest(**request), amount, geo or GeoFacts(), history, NOW)


def scores(policy: FraudPolicy, given: RiskFacts) -> dict[str, SignalScore]:
    return {s.name: s.evaluate(given) for s in built_in(policy)}


@pytest.mark.parametrize(("score", "decision"), [
    (0, Decision.ALLOW), (49, Decision.ALLOW), (50, Decision.REVIEW), (75, Decision.REVIEW),
    (76, Decision.BLOCK), (100, Decision.BLOCK),
])
def test_the_spec_thresholds_at_their_edges(score: int, decision: Decision) -> None:
    assert Thresholds().decide(score) is decision


def test_the_score_is_capped_at_100_and_unavailable_signals_add_nothing() -> None:
    assessment = RiskAssessment.record(
        assessment_id="a", order_id="o", checkout_id="c", amount=Money(1, "VND"),
        signals=[SignalScore("blocklist", 100, "listed", True),
                 SignalScore("velocity", 25, "many", True),
                 SignalScore("custom", 40, "could not tell", False)],
        thresholds=Thresholds(), email=None, client_ip=None, card_hash=None, now=NOW)

    assert (assessment.score, assessment.decision) == (100, Decision.BLOCK)
    assert assessment.explain() == ["score 100/100: block", "+100 blocklist: listed",
                                    " +25 velocity: many", " n/a custom: could not tell"]


def test_every_signal_says_why_it_cannot_tell_when_its_input_is_missing() -> None:
    found = scores(FraudPolicy(), facts(amount=Money(100, "JPY")))

    assert {name: (s.available, s.explanation) for name, s in found.items()} == {
        "anonymous_ip": (False, "no client IP given"),
        "ip_country_mismatch": (False, "no client IP given"),
        "high_risk_country": (False, "neither billing nor IP country is known"),
        "high_amount": (False, "no high-amount threshold for JPY"),
        "velocity": (False, "no email, IP or card fingerprint to count by"),
        "address_mismatch": (False, "billing or shipping country not given"),
        "blocklist": (False, "no email or IP to check"),
        "new_customer": (False, "no email to look the customer up by"),
        "unusual_amount": (False, "no earlier order of this email in JPY to compare with"),
    }
    assert all(s.points == 0 for s in found.values())


def test_the_signals_that_fire_give_the_spec_points_and_say_why() -> None:
    policy = FraudPolicy(high_risk_countries=["ng"], blocked_networks=["192.0.2.0/24"])
    given = facts(
        amount=Money(300_000_000, "VND"), email="x@example.com", client_ip="192.0.2.8",
        billing_country="NG", shipping_country="VN",
        geo=GeoFacts("US", None, Anonymity(public_proxy=True), None),
        history=History(email_attempts=10, email_orders=2,
                        email_average=Money(50_000_000, "VND")))

    found = {n: (s.points, s.explanation) for n, s in scores(policy, given).items()}

    assert found == {
        "anonymous_ip": (30, "the address is public_proxy"),
        "ip_country_mismatch": (20, "IP country US differs from billing country NG"),
        "high_risk_country": (25, "billing NG on the high-risk list"),
        "high_amount": (20, "300,000,000 VND is above the threshold of 250000000 minor units"),
        "velocity": (25, "11 by this email in 24 h (limit 10)"),
        "address_mismatch": (10, "billing country NG differs from shipping country VN"),
        "blocklist": (100, "IP 192.0.2.8 (in 192.0.2.0/24) on the blocklist"),
        "new_customer": (0, "2 earlier order(s) of this email"),
        "unusual_amount": (15, "300,000,000 VND is over 3x this email's average order of "
                               "50,000,000 VND"),
    }


def test_the_shipping_country_stands_in_for_a_missing_billing_country() -> None:
    given = facts(client_ip="192.0.2.8", shipping_country="VN",
                  geo=GeoFacts("VN", None, Anonymity(), None))

    found = scores(FraudPolicy(), given)["ip_country_mismatch"]

    assert (found.points, found.explanation) == (0, "IP country VN is the shipping country")


def test_weights_and_the_signals_that_run_are_the_shops_to_choose() -> None:
    policy = FraudPolicy(weights={"new_customer": 0, "velocity": 40},
                         signals=("velocity", "new_customer"))
    given = facts(email="a@example.com", history=History(email_attempts=20))

    found = {n: s.points for n, s in scores(policy, given).items()}

    assert found == {"velocity": 40, "new_customer": 0}


@pytest.mark.parametrize("bad", [
    {"weights": {"telepathy": 10}}, {"weights": {"velocity": 101}},
    {"signals": ("telepathy",)}, {"blocked_networks": ("not-a-network",)},
])
def test_a_policy_naming_what_does_not_exist_is_refused_when_made(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FraudPolicy(**bad)  # type: ignore[arg-type]


class Exploding:
    name = "exploding"

    def evaluate(self, facts: RiskFacts) -> SignalScore:
        raise RuntimeError("boom")


class LargeBasket:
    """A shop's own signal, added next to the built-in ones."""

    name = "large_basket"

    def evaluate(self, facts: RiskFacts) -> SignalScore:
        return SignalScore(self.name, 50, "a shop rule", True)


def test_a_failing_signal_is_recorded_as_unavailable_and_a_shops_own_signal_counts() -> None:
    screen = RiskScreen(extra_signals=[Exploding(), LargeBasket()])

    found = {s.name: RiskScreen._evaluate(s, facts()) for s in screen.signals}

    assert found["exploding"] == SignalScore("exploding", 0, "the signal failed (RuntimeError)",
                                             False)
    assert found["large_basket"].points == 50
