"""COMMERCE_GATEWAYS and the providers' credentials: the container builds the enabled adapters
behind one router, refuses what cannot work with a clear message, and keeps secrets secret."""

from __future__ import annotations

import logging

import pytest
from pydantic import ValidationError

from adapters.memory import InMemoryBreakerStore
from adapters.redis import RedisBreakerStore
from commerce_core.payment.errors import NoEligibleGateway
from commerce_core.payment.routing import GatewayRouter
from commerce_core.shared.errors import InvalidInput
from entrypoints.container import build_breakers, make_container
from entrypoints.settings import Settings

SECRETS = {
    "stripe_secret_key": "sk_test_51Hidden", "stripe_webhook_secret": "whsec_hidden",
    "paypal_client_id": "paypal-id-hidden", "paypal_client_secret": "paypal-secret-hidden",
    "vnpay_tmn_code": "TMNHIDDEN", "vnpay_hash_secret": "vnpay-secret-hidden",
    "momo_partner_code": "MOMOHIDDEN", "momo_access_key": "momo-access-hidden",
    "momo_secret_key": "momo-secret-hidden",
}


def _settings(**values: object) -> Settings:
    return Settings(database_url="memory://", **values)  # type: ignore[arg-type]


def test_the_fake_alone_is_the_default() -> None:
    container = make_container(_settings())
    commerce = container.commerce()

    assert isinstance(commerce.gateways, GatewayRouter)
    assert commerce.gateways.names == ("fake",)
    assert commerce.gateways.breakers() == {"fake": "closed"}
    assert commerce.ports.gateway is container.gateway()


def test_every_provider_can_be_enabled_and_routed() -> None:
    container = make_container(_settings(
        gateways="stripe,paypal,vnpay,momo", gateway_routes="card=stripe,paypal; "
        "card:VND=vnpay,stripe,paypal; e_wallet=momo", **SECRETS))
    router = container.gateways()

    assert [router.gateway(n).name for n in ("stripe", "paypal", "vnpay", "momo")] == [
        "stripe", "paypal", "vnpay", "momo"]
    assert router.route("card", "USD", None) == ("stripe", "paypal")
    assert router.route("card", "VND", "VN") == ("vnpay", "stripe")  # PayPal takes no VND
    assert router.route("e_wallet", "VND", None) == ("momo",)
    with pytest.raises(NoEligibleGateway):
        router.route("e_wallet", "USD", None)  # MoMo takes VND only
    assert container.ports().gateway.name == "stripe"


def test_the_breaker_numbers_come_from_settings() -> None:
    router = make_container(_settings(
        breaker_failure_threshold=2, breaker_open_seconds=5, breaker_half_open_probes=1,
        breaker_close_after=1)).gateways()

    assert isinstance(router, GatewayRouter)
    assert (router.policy.failure_threshold, router.policy.open_seconds,
            router.policy.half_open_probes, router.policy.close_after) == (2, 5, 1, 1)


def test_breakers_are_shared_through_redis_only_with_the_redis_bus() -> None:
    assert isinstance(build_breakers(_settings()), InMemoryBreakerStore)
    shared = build_breakers(_settings(bus="redis", redis_prefix="shop-a"))
    assert isinstance(shared, RedisBreakerStore)
    assert shared.key("stripe") == "shop-a:breaker:stripe"


def test_an_enabled_provider_without_its_credentials_is_a_clear_error() -> None:
    container = make_container(_settings(gateways="fake,stripe"))

    with pytest.raises(InvalidInput, match="COMMERCE_STRIPE_SECRET_KEY is required"):
        container.gateways()


@pytest.mark.parametrize("gateways", ["", "fake,bogus", "fake,fake"])
def test_an_unknown_or_repeated_gateway_is_refused(gateways: str) -> None:
    with pytest.raises(ValidationError, match="COMMERCE_GATEWAYS"):
        _settings(gateways=gateways)


def test_routes_naming_a_gateway_that_is_not_enabled_are_refused() -> None:
    container = make_container(_settings(gateway_routes="card=stripe"))

    with pytest.raises(InvalidInput, match=r"COMMERCE_GATEWAY_ROUTES: .*not enabled: stripe"):
        container.gateways()


def test_credentials_never_reach_logs_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    settings = _settings(gateways="stripe,paypal,vnpay,momo", **SECRETS)
    router = make_container(settings).gateways()
    logger = logging.getLogger("commerce.test")
    with caplog.at_level(logging.DEBUG):
        logger.info("settings %s %r", settings, settings)
        logger.info("gateways %r", [router.gateway(n) for n in ("stripe", "paypal", "vnpay",
                                                                 "momo")])

    # Terminal and partner codes name the merchant (the adapters show them to tell terminals
    # apart); keys and secrets never show.
    shown = {"vnpay_tmn_code", "momo_partner_code"}
    settings_line, adapters_line = caplog.messages
    for name, secret in SECRETS.items():
        assert secret not in settings_line
        assert name in shown or secret not in adapters_line
