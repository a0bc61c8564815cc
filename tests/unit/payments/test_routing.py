"""Gateway routing and circuit breakers (spec payment §5, ADR 0011): eligibility, preference
order, and a breaker that opens after consecutive failures, lets probes through after its
open period and closes after successful probes. Time comes from a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory import FrozenClock, InMemoryBreakerStore, Outcome, ScriptedPaymentGateway
from commerce_core import Money
from commerce_core.payment.errors import (
    CircuitOpen,
    GatewayTimeout,
    GatewayUnavailable,
    NoEligibleGateway,
)
from commerce_core.payment.ports import AuthorizationRequest
from commerce_core.payment.routing import (
    BreakerPolicy,
    GatewayProfile,
    GatewayRouter,
    RoutingTable,
    admit,
)

USD_EUR = GatewayProfile(currencies=frozenset({"USD", "EUR"}))


def _request(key: str, currency: str = "VND") -> AuthorizationRequest:
    return AuthorizationRequest(payment_id="p", order_id="o", amount=Money(100_000, currency),
                                method="card", idempotency_key=key)


def _router(*gateways: ScriptedPaymentGateway, clock: FrozenClock,
            policy: BreakerPolicy | None = None, routes: str | None = None,
            profiles: dict[str, GatewayProfile] | None = None) -> GatewayRouter:
    return GatewayRouter(gateways, breakers=InMemoryBreakerStore(), clock=clock,
                         policy=policy, routes=RoutingTable.parse(routes) if routes else None,
                         profiles=profiles)


def _fail(router: GatewayRouter, name: str, times: int, start: int = 0) -> None:
    for n in range(start, start + times):
        with pytest.raises(GatewayUnavailable):
            router.authorize(name, _request(f"k{n}"))


def _authorizations(gateway: ScriptedPaymentGateway) -> int:
    return sum(1 for op, _ in gateway.calls if op == "authorize")


def test_the_breaker_opens_after_five_consecutive_failures_and_then_calls_nothing() -> None:
    clock = FrozenClock()
    stripe = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    router = _router(stripe, clock=clock)

    _fail(router, "stripe", 4)
    assert router.breakers() == {"stripe": "closed"}
    _fail(router, "stripe", 1, start=4)
    assert router.breakers() == {"stripe": "open"}

    stripe.default = Outcome.APPROVE
    with pytest.raises(CircuitOpen):
        router.authorize("stripe", _request("k-open"))
    assert _authorizations(stripe) == 5  # the sixth never reached the gateway


def test_a_success_or_a_decline_resets_the_count_and_a_timeout_counts() -> None:
    clock = FrozenClock()
    stripe = ScriptedPaymentGateway(name="stripe")
    router = _router(stripe, clock=clock)

    stripe.script(*[Outcome.ERROR] * 4, Outcome.DECLINE, *[Outcome.ERROR] * 4)
    _fail(router, "stripe", 4)
    assert not router.authorize("stripe", _request("declined")).approved
    _fail(router, "stripe", 4, start=10)
    assert router.breakers() == {"stripe": "closed"}

    stripe.script(Outcome.TIMEOUT)
    with pytest.raises(GatewayTimeout):
        router.authorize("stripe", _request("late"))
    assert router.breakers() == {"stripe": "open"}


def test_after_the_open_period_three_probes_pass_and_three_successes_close_it() -> None:
    clock = FrozenClock()
    stripe = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    router = _router(stripe, clock=clock)
    _fail(router, "stripe", 5)

    clock.advance(timedelta(seconds=59))
    assert router.breakers() == {"stripe": "open"}
    clock.advance(timedelta(seconds=1))
    assert router.breakers() == {"stripe": "half_open"}

    stripe.default = Outcome.APPROVE
    for n in range(2):
        assert router.authorize("stripe", _request(f"probe-{n}")).approved
    assert router.breakers() == {"stripe": "half_open"}
    assert router.authorize("stripe", _request("probe-2")).approved
    assert router.breakers() == {"stripe": "closed"}


def test_a_failed_probe_opens_it_again_for_the_full_period() -> None:
    clock = FrozenClock()
    stripe = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    router = _router(stripe, clock=clock)
    _fail(router, "stripe", 5)
    clock.advance(timedelta(seconds=60))

    _fail(router, "stripe", 1, start=5)

    assert router.breakers() == {"stripe": "open"}
    clock.advance(timedelta(seconds=59))
    with pytest.raises(CircuitOpen):
        router.authorize("stripe", _request("too-soon"))


def test_no_more_than_the_allowed_probes_are_in_flight_at_once() -> None:
    clock = FrozenClock()
    policy = BreakerPolicy(failure_threshold=2, open_seconds=10, half_open_probes=3,
                           close_after=3)
    store = InMemoryBreakerStore()
    stripe = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    router = GatewayRouter([stripe], breakers=store, clock=clock, policy=policy)
    _fail(router, "stripe", 2)
    clock.advance(timedelta(seconds=10))

    now = clock.now().timestamp()
    admitted = [store.update("stripe", lambda s: admit(s, now, policy)) for _ in range(4)]

    assert admitted == [True, True, True, False]
    # Probes that never report back (their process died) do not keep it half open for good.
    clock.advance(timedelta(seconds=10))
    later = clock.now().timestamp()
    assert store.update("stripe", lambda s: admit(s, later, policy)) is True


def test_the_thresholds_come_from_the_policy() -> None:
    clock = FrozenClock()
    stripe = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    router = _router(stripe, clock=clock, policy=BreakerPolicy(failure_threshold=2,
                                                               open_seconds=5, close_after=1))
    _fail(router, "stripe", 2)
    assert router.breakers() == {"stripe": "open"}
    clock.advance(timedelta(seconds=5))
    stripe.default = Outcome.APPROVE

    router.authorize("stripe", _request("probe"))

    assert router.breakers() == {"stripe": "closed"}


def test_the_most_specific_rule_orders_the_gateways_and_ineligible_ones_drop_out() -> None:
    clock = FrozenClock()
    gateways = [ScriptedPaymentGateway(name=n) for n in ("stripe", "paypal", "vnpay")]
    router = _router(
        *gateways, clock=clock,
        routes="card=stripe,paypal; card:VND=vnpay,stripe,paypal; card:USD:VN=paypal,stripe",
        profiles={"paypal": USD_EUR, "vnpay": GatewayProfile(currencies=frozenset({"VND"}))},
    )

    assert router.route("card", "VND", None) == ("vnpay", "stripe")  # PayPal takes no VND
    assert router.route("card", "USD", "VN") == ("paypal", "stripe")
    assert router.route("card", "USD", "US") == ("stripe", "paypal")
    assert router.route("card", "eur", None) == ("stripe", "paypal")


def test_no_eligible_gateway_is_a_clear_refusal() -> None:
    router = _router(ScriptedPaymentGateway(name="paypal"), clock=FrozenClock(),
                     profiles={"paypal": USD_EUR})

    with pytest.raises(NoEligibleGateway, match="no payment gateway takes card payments in VND"):
        router.route("card", "VND", "VN")
    rules = _router(ScriptedPaymentGateway(name="stripe"), clock=FrozenClock(),
                    routes="e_wallet=stripe", profiles={
                        "stripe": GatewayProfile(methods=frozenset({"card"}))})
    with pytest.raises(NoEligibleGateway):
        rules.route("e_wallet", "VND", None)


def test_a_gateway_whose_breaker_is_open_goes_last() -> None:
    clock = FrozenClock()
    stripe = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    router = _router(stripe, ScriptedPaymentGateway(name="paypal"), clock=clock)
    assert router.route("card", "USD", None) == ("stripe", "paypal")

    _fail(router, "stripe", 5)

    assert router.route("card", "USD", None) == ("paypal", "stripe")


@pytest.mark.parametrize("text", ["card", "card=", "=stripe", "a:b:c:d=stripe"])
def test_a_malformed_routing_rule_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="routing rule"):
        RoutingTable.parse(text)


def test_rules_naming_a_gateway_that_is_not_enabled_are_refused() -> None:
    with pytest.raises(ValueError, match="not enabled: paypal"):
        _router(ScriptedPaymentGateway(name="stripe"), clock=FrozenClock(),
                routes="card=stripe,paypal")


def test_an_unknown_gateway_name_is_unavailable_not_a_crash() -> None:
    router = _router(ScriptedPaymentGateway(name="stripe"), clock=FrozenClock())

    with pytest.raises(GatewayUnavailable, match="no payment gateway named 'momo'"):
        router.gateway("momo")


def test_a_router_of_one_unguarded_gateway_never_refuses_a_call() -> None:
    fake = ScriptedPaymentGateway(default=Outcome.ERROR)
    router = GatewayRouter.single(fake)
    _fail(router, "fake", 8)
    fake.default = Outcome.APPROVE

    assert router.authorize("fake", _request("again")).approved
    assert router.breakers() == {}
