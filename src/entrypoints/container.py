"""The dependency-injection container: picks adapters from settings and builds the core.

Embedding apps never need it: they call `Commerce(adapters.memory.bundle())` or
`Commerce(adapters.sql.bundle(url))` directly. The HTTP app, the CLI and the worker use it.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import redis
from dependency_injector import containers, providers
from pydantic import SecretStr

from adapters.carriers.registry import CarrierRegistry
from adapters.locations import load_directory, sample_path
from adapters.memory import InMemoryBreakerStore, Outcome, ScriptedPaymentGateway
from adapters.memory import bundle as memory_bundle
from adapters.memory.shipping_methods import InMemoryRateCache
from adapters.redis import RedisBreakerStore, StreamLayout, connect
from commerce_core.analytics.ports import AnalyticsPorts
from commerce_core.app import Commerce, Ports
from commerce_core.customer.ports import LocationDirectory
from commerce_core.fraud.model import Thresholds
from commerce_core.fraud.ports import GeoIp
from commerce_core.fraud.services import FraudPolicy
from commerce_core.fulfillment.model import FulfillmentPolicy
from commerce_core.giftcard.ports import GiftCardSettings
from commerce_core.identity.ports import IdentityKit
from commerce_core.inventory.model import ReservationPolicy
from commerce_core.loyalty.steps import LoyaltyPolicy
from commerce_core.notification.ports import Channel, LinkUrls, NotificationPorts, Notifier
from commerce_core.payment.ports import BreakerStore, GatewayRouting, PaymentGateway, TenderPolicy
from commerce_core.payment.routing import (
    BreakerPolicy,
    GatewayProfile,
    GatewayRouter,
    RoutingTable,
)
from commerce_core.returns.model import ReturnPolicy
from commerce_core.review.model import ReviewPolicy
from commerce_core.search.analysis import Synonyms
from commerce_core.search.model import SearchSettings
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.ids import IdGenerator, Uuid7Generator
from commerce_core.shared.principal import Authenticator
from commerce_core.shipping.ports import ShippingRateCache
from commerce_core.shipping.rates import RatesPolicy
from commerce_core.webhooks.ports import RetryPolicy, WebhookPorts
from entrypoints.identity_keys import build_identity_kit, sealing_key
from entrypoints.settings import Settings
from entrypoints.tracing import instrument, traced_ports, tracer_for

if TYPE_CHECKING:
    from cryptography.x509 import Certificate


def build_gateway(settings: Settings) -> PaymentGateway:
    """The fake gateway (always built: the demo and tests script it; it is routed to only
    when COMMERCE_GATEWAYS lists `fake`)."""
    return ScriptedPaymentGateway(default=Outcome(settings.fake_gateway_default))


def _items(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _pairs(value: str, setting: str) -> dict[str, int]:
    pairs: dict[str, int] = {}
    for item in _items(value):
        name, _, number = item.partition("=")
        try:
            pairs[name.strip()] = int(number)
        except ValueError:
            raise InvalidInput(f"{setting}: {item!r} is not NAME=integer",
                               setting=setting) from None
    return pairs


def build_fraud_policy(settings: Settings) -> FraudPolicy:
    """COMMERCE_FRAUD_*; a malformed value stops the start with the setting's name."""
    if settings.fraud_review_from > settings.fraud_block_above:
        raise InvalidInput("COMMERCE_FRAUD_REVIEW_FROM is above COMMERCE_FRAUD_BLOCK_ABOVE",
                           setting="COMMERCE_FRAUD_REVIEW_FROM")
    try:
        return FraudPolicy(
            enabled=settings.fraud_enabled,
            thresholds=Thresholds(settings.fraud_block_above, settings.fraud_review_from),
            weights=_pairs(settings.fraud_weights, "COMMERCE_FRAUD_WEIGHTS"),
            **({"signals": tuple(_items(settings.fraud_signals))}
               if settings.fraud_signals.strip() else {}),
            high_risk_countries=_items(settings.fraud_high_risk_countries),
            high_amounts={k.upper(): v for k, v in _pairs(
                settings.fraud_high_amounts, "COMMERCE_FRAUD_HIGH_AMOUNTS").items()},
            velocity_limit=settings.fraud_velocity_limit,
            velocity_window=timedelta(hours=settings.fraud_velocity_window_hours),
            blocked_email_domains=_items(settings.fraud_blocked_email_domains),
            blocked_networks=tuple(_items(settings.fraud_blocked_ips)),
            unusual_factor=settings.fraud_unusual_factor,
        )
    except ValueError as exc:
        raise InvalidInput(f"COMMERCE_FRAUD_*: {exc}") from exc


def build_geoip(settings: Settings) -> GeoIp | None:
    """MaxMind readers when a database is configured; a missing or broken file makes its
    signals unavailable rather than stopping the shop."""
    if not settings.geoip_country_db and not settings.geoip_anonymous_db:
        return None
    from adapters.geoip import MaxMindGeoIp  # imported only when configured

    return MaxMindGeoIp(settings.geoip_country_db, settings.geoip_anonymous_db)


def _secret(settings: Settings, name: str) -> str:
    value = getattr(settings, name)
    if not isinstance(value, SecretStr) or not value.get_secret_value():
        raise InvalidInput(f"COMMERCE_{name.upper()} is required by an enabled payment gateway",
                           setting=f"COMMERCE_{name.upper()}")
    return value.get_secret_value()


def _paypal_trust_roots(settings: Settings) -> list[Certificate] | None:
    """The roots offline PayPal verification trusts; `None` to verify through PayPal's API."""
    if settings.paypal_webhook_verification == "api":
        return None
    from pathlib import Path

    from adapters.payments.paypal import load_trust_roots

    setting = "COMMERCE_PAYPAL_TRUST_ROOTS"
    text = settings.paypal_trust_roots.strip()
    try:
        pem = text.encode() if text.startswith("-----BEGIN") else Path(text).read_bytes()
        return load_trust_roots(pem)
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{setting} must name a PEM bundle of the roots offline PayPal "
                           "webhook verification trusts", setting=setting) from exc


# What each provider takes: PayPal no VND, VNPay and MoMo only VND (their adapters refuse
# the rest, so routing leaves them out instead of sending a payment to fail).
def gateway_profiles() -> dict[str, GatewayProfile]:
    from adapters.payments.paypal import CURRENCY_DECIMALS

    vnd = GatewayProfile(currencies=frozenset({"VND"}))
    return {"paypal": GatewayProfile(currencies=frozenset(CURRENCY_DECIMALS)),
            "vnpay": vnd, "momo": vnd,
            "cod": GatewayProfile(methods=frozenset({"cod", "cash_on_delivery"})),
            "bank_transfer": GatewayProfile(methods=frozenset({"bank_transfer"}))}


# Cash on delivery and bank transfer take their own method only; without a rule of the shop's,
# that method goes to them (and not to the first card gateway listed).
_OFFLINE_ROUTES = {"cod": "cod=cod; cash_on_delivery=cod", "bank_transfer":
                   "bank_transfer=bank_transfer"}


def build_provider(settings: Settings, name: str, clock: Clock) -> PaymentGateway:
    """One real provider adapter from its settings; a missing credential is a clear error."""
    import httpx

    from adapters import payments

    if name == "cod":
        return payments.CashOnDeliveryGateway(
            ceilings={settings.currency: settings.cod_ceiling} if settings.cod_ceiling else {})
    if name == "bank_transfer":
        if not settings.bank_transfer_instructions_url:
            raise InvalidInput("COMMERCE_BANK_TRANSFER_INSTRUCTIONS_URL is required by the "
                               "bank_transfer gateway",
                               setting="COMMERCE_BANK_TRANSFER_INSTRUCTIONS_URL")
        return payments.BankTransferGateway(
            instructions_url=settings.bank_transfer_instructions_url)
    client = httpx.Client(timeout=settings.gateway_timeout_seconds)
    if name == "stripe":
        return payments.StripeGateway(
            client, api_key=_secret(settings, "stripe_secret_key"),
            webhook_secret=_secret(settings, "stripe_webhook_secret"), clock=clock)
    if name == "paypal":
        base = ("https://api-m.paypal.com" if settings.paypal_mode == "live"
                else "https://api-m.sandbox.paypal.com")
        return payments.PayPalGateway(
            client, credentials=payments.PayPalCredentials(
                _secret(settings, "paypal_client_id"), _secret(settings, "paypal_client_secret"),
                settings.paypal_webhook_id),
            clock=clock, base_url=base, trust_roots=_paypal_trust_roots(settings))
    if name == "vnpay":
        return payments.VnpayGateway(
            client, credentials=payments.VnpayCredentials(
                _secret(settings, "vnpay_tmn_code"), _secret(settings, "vnpay_hash_secret")),
            clock=clock, payment_url=settings.vnpay_payment_url,
            api_url=settings.vnpay_api_url, return_url=settings.vnpay_return_url)
    if name == "momo":
        return payments.MomoGateway(
            client, credentials=payments.MomoCredentials(
                _secret(settings, "momo_partner_code"), _secret(settings, "momo_access_key"),
                _secret(settings, "momo_secret_key")),
            clock=clock, ipn_url=settings.momo_ipn_url,
            redirect_url=settings.momo_redirect_url, base_url=settings.momo_endpoint)
    raise InvalidInput(f"unknown payment gateway {name!r}", gateway=name)


def build_breakers(settings: Settings) -> BreakerStore:
    """Shared through Redis when the event bus runs on it (every process sees one breaker per
    gateway), else this process's memory. Short timeouts: Redis being slow must not slow a
    checkout, and the store reads a breaker it cannot reach as closed."""
    if settings.bus != "redis":
        return InMemoryBreakerStore()
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=0.5,
                                  socket_connect_timeout=0.5, retry=Retry(NoBackoff(), 1))
    return RedisBreakerStore(client, prefix=settings.redis_prefix)


def build_router(settings: Settings, fake: PaymentGateway, breakers: BreakerStore,
                 clock: Clock) -> GatewayRouting:
    gateways = [fake if name == "fake" else build_provider(settings, name, clock)
                for name in settings.gateway_names]
    offline = [_OFFLINE_ROUTES[n] for n in settings.gateway_names if n in _OFFLINE_ROUTES]
    routes = "; ".join([*offline, settings.gateway_routes]) if offline else (
        settings.gateway_routes)
    try:
        return GatewayRouter(
            gateways, profiles=gateway_profiles(),
            routes=RoutingTable.parse(routes) if routes else None,
            breakers=breakers, clock=clock,
            policy=BreakerPolicy(settings.breaker_failure_threshold,
                                 settings.breaker_open_seconds,
                                 settings.breaker_half_open_probes,
                                 settings.breaker_close_after))
    except ValueError as exc:
        raise InvalidInput(f"COMMERCE_GATEWAY_ROUTES: {exc}") from exc


def _required(settings: Settings, name: str, setting_for: str) -> str:
    value = getattr(settings, name)
    text = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not text:
        raise InvalidInput(f"COMMERCE_{name.upper()} is required by {setting_for}",
                           setting=f"COMMERCE_{name.upper()}")
    return str(text)


def build_notifications(settings: Settings) -> NotificationPorts | None:
    """COMMERCE_NOTIFY_*: one provider per channel; a channel without one is not offered."""
    if not settings.notifications_enabled:
        return None
    import httpx

    from adapters import notify

    notifiers: dict[Channel, Notifier] = {}
    if settings.notify_email == "smtp":
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        notifiers[Channel.EMAIL] = notify.SmtpEmailNotifier(notify.SmtpSettings(
            settings.smtp_host, settings.smtp_port, settings.smtp_sender,
            settings.smtp_username, password, settings.smtp_starttls,
            settings.notify_timeout_seconds))
    if settings.notify_sms == "twilio":
        notifiers[Channel.SMS] = notify.TwilioSmsNotifier(
            httpx.Client(timeout=settings.notify_timeout_seconds),
            account_sid=_required(settings, "twilio_account_sid", "COMMERCE_NOTIFY_SMS=twilio"),
            auth_token=_required(settings, "twilio_auth_token", "COMMERCE_NOTIFY_SMS=twilio"),
            sender=_required(settings, "twilio_from", "COMMERCE_NOTIFY_SMS=twilio"),
            status_callback=settings.twilio_status_callback_url)
    if settings.notify_push == "fcm":
        token = _required(settings, "fcm_access_token", "COMMERCE_NOTIFY_PUSH=fcm")
        notifiers[Channel.PUSH] = notify.FcmPushNotifier(
            httpx.Client(timeout=settings.notify_timeout_seconds),
            project_id=_required(settings, "fcm_project_id", "COMMERCE_NOTIFY_PUSH=fcm"),
            access_token=lambda: token)
    links = LinkUrls(settings.identity_reset_link, settings.identity_verify_link)
    return NotificationPorts(notify.JinjaRenderer(), notifiers, links=links)


def build_ports(
    settings: Settings, gateway: PaymentGateway, clock: Clock, ids: IdGenerator,
    gateways: GatewayRouting | None = None, breakers: BreakerStore | None = None,
) -> Ports:
    if settings.database_url.startswith("memory://"):
        ports = memory_bundle(gateway=gateway, clock=clock, ids=ids)
    else:
        from adapters import sql  # imported only when configured: it loads SQLAlchemy, drivers

        ports = sql.bundle(
            settings.database_url, gateway=gateway, clock=clock, ids=ids,
            pool_size=settings.database_pool_size,
        )
    if settings.search_index == "elasticsearch":
        from adapters import elasticsearch  # imported only when configured

        ports = attrs.evolve(ports, search_index=elasticsearch.index(settings.elasticsearch_url))
    if gateways is not None:
        # `gateway` is the first enabled one, the gateway of embedders that ask for one.
        ports = attrs.evolve(ports, gateways=gateways,
                             gateway=gateways.gateway(settings.gateway_names[0]))
    geoip = build_geoip(settings)
    if geoip is not None:
        ports = attrs.evolve(ports, geoip=geoip)
    notifications = build_notifications(settings)
    if notifications is not None:
        ports = attrs.evolve(ports, notifications=notifications)
    ports = attrs.evolve(ports, carriers=build_carriers(settings, clock))
    ports = attrs.evolve(ports, locations=build_locations(settings),
                         identity=build_identity_kit(settings),
                         rate_cache=build_rate_cache(settings, clock),
                         carrier_breakers=breakers)
    webhooks = build_webhooks(settings, ports.identity)
    return attrs.evolve(ports, webhooks=webhooks, analytics=build_analytics(settings))


def build_analytics(settings: Settings) -> AnalyticsPorts | None:
    """COMMERCE_ANALYTICS_*: the pseudonym key given, or one derived from identity's sealing
    key (so a shop without the setting keeps the same pseudonyms across restarts)."""
    if not settings.analytics_enabled:
        return None
    given = settings.analytics_pseudonym_key
    key = (given.get_secret_value().encode() if given is not None
           else hmac.new(sealing_key(settings).encode(), b"commerce analytics pseudonyms",
                         hashlib.sha256).digest())
    return AnalyticsPorts(key, timezone=settings.analytics_timezone,
                          history_days=settings.analytics_history_days)


def build_webhooks(settings: Settings, identity: IdentityKit | None) -> WebhookPorts | None:
    """COMMERCE_WEBHOOKS_*: signing secrets sealed with identity's sealing key."""
    if not settings.webhooks_enabled or identity is None:
        return None
    from adapters import webhooks  # imported only when configured: it loads httpx

    return webhooks.kit(
        identity.sealer, allow_private=settings.webhooks_allow_private_targets,
        connect_timeout=settings.webhooks_connect_timeout_seconds,
        read_timeout=settings.webhooks_timeout_seconds,
        policy=RetryPolicy(max_attempts=settings.webhooks_max_attempts,
                           disable_after=settings.webhooks_disable_after),
        batch=settings.webhooks_batch)


def build_carriers(settings: Settings, clock: Clock | None = None) -> CarrierRegistry:
    """COMMERCE_CARRIERS: one adapter per listed carrier; a missing credential is a clear
    error at startup, not a failed booking later."""
    import httpx

    from adapters.carriers.fake import FakeCarrier

    clock = clock or SystemClock()
    timeout = settings.carrier_timeout_seconds
    registry = CarrierRegistry()
    for name in settings.carrier_names:
        if name == "fake":
            secret = settings.fake_carrier_webhook_secret
            registry.add(FakeCarrier(clock=clock, secret=secret.get_secret_value())
                         if secret else FakeCarrier(clock=clock))
        elif name == "ghn":
            from adapters.carriers import ghn

            needed = "COMMERCE_CARRIERS=ghn"
            shop_id = _required(settings, "ghn_shop_id", needed)
            if not shop_id.isdigit():
                raise InvalidInput("COMMERCE_GHN_SHOP_ID is GHN's numeric shop id",
                                   setting="COMMERCE_GHN_SHOP_ID")
            registry.add(ghn.GhnCarrier(
                _required(settings, "ghn_token", needed), int(shop_id),
                base_url=ghn.DEV_URL if settings.ghn_sandbox else ghn.PROD_URL,
                from_district_id=settings.ghn_from_district_id,
                from_ward_code=settings.ghn_from_ward_code or None,
                webhook_token=_required(settings, "ghn_webhook_token", needed),
                http=httpx.Client(timeout=timeout), timeout=timeout, clock=clock))
        elif name == "grab":
            from adapters.carriers.grab import GrabCarrier

            needed = "COMMERCE_CARRIERS=grab"
            registry.add(GrabCarrier(
                _required(settings, "grab_client_id", needed),
                _required(settings, "grab_client_secret", needed),
                sandbox=settings.grab_sandbox,
                webhook_secret=_required(settings, "grab_webhook_secret", needed),
                http=httpx.Client(timeout=timeout), timeout=timeout, clock=clock))
    return registry


def build_rate_cache(settings: Settings, clock: Clock) -> ShippingRateCache:
    """Carriers' rate answers: shared through Redis when the event bus runs on it."""
    if settings.bus != "redis":
        return InMemoryRateCache(clock)
    from adapters.redis.shipping_rates import RedisRateCache

    return RedisRateCache(connect(settings.redis_url), prefix=settings.redis_prefix)


def build_locations(settings: Settings) -> LocationDirectory:
    """The location hierarchy from `COMMERCE_LOCATIONS_FILE`, else the shipped sample."""
    path = Path(settings.locations_file) if settings.locations_file else sample_path()
    return load_directory(path)


def build_reservation_policy(settings: Settings) -> ReservationPolicy:
    return ReservationPolicy(
        ttl_by_method={
            "cod": timedelta(minutes=settings.reservation_ttl_cod_minutes),
            "bank_transfer": timedelta(minutes=settings.reservation_ttl_bank_transfer_minutes),
            "card": timedelta(minutes=settings.reservation_ttl_card_minutes),
            "e_wallet": timedelta(minutes=settings.reservation_ttl_e_wallet_minutes),
            "installment": timedelta(minutes=settings.reservation_ttl_installment_minutes),
        },
        default_ttl=timedelta(minutes=settings.reservation_ttl_default_minutes),
        max_extension_factor=settings.reservation_max_extension_factor,
    )


def build_return_policy(settings: Settings) -> ReturnPolicy:
    """COMMERCE_RETURNS_*; a malformed address stops the start with the setting's name."""
    address = None
    if settings.returns_address:
        try:
            address = PostalAddress.from_dict(json.loads(settings.returns_address))
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidInput(f"COMMERCE_RETURNS_ADDRESS: {exc}",
                               setting="COMMERCE_RETURNS_ADDRESS") from exc
    return ReturnPolicy(
        window_days=settings.returns_window_days,
        max_returns_per_order=settings.returns_max_per_order,
        restocking_fee_percent=settings.returns_restocking_fee_percent,
        auto_approve_below=settings.returns_auto_approve_below,
        auto_reject_above=settings.returns_auto_reject_above,
        stale_pending_days=settings.returns_stale_pending_days,
        stale_approved_days=settings.returns_stale_approved_days,
        non_returnable_skus=frozenset(s.upper() for s in _items(
            settings.returns_non_returnable_skus)),
        non_returnable_categories=frozenset(_items(settings.returns_non_returnable_categories)),
        return_carrier=settings.returns_carrier, return_address=address,
    )


def build_review_policy(settings: Settings) -> ReviewPolicy:
    """COMMERCE_REVIEWS_*."""
    return ReviewPolicy(
        window_days=settings.reviews_window_days, edit_days=settings.reviews_edit_days,
        auto_approve_below=settings.reviews_auto_approve_below,
        auto_reject_above=settings.reviews_auto_reject_above,
        report_threshold=settings.reviews_report_threshold,
        banned_words=frozenset(w.casefold() for w in _items(settings.reviews_banned_words)),
    )


def build_loyalty_policy(settings: Settings) -> LoyaltyPolicy:
    """COMMERCE_LOYALTY_*; a malformed rate list stops the start with the setting's name."""
    rates: dict[str, int] = {}
    for item in _items(settings.loyalty_earn_rates):
        currency, _, rate = item.partition("=")
        try:
            rates[currency.strip().upper()] = int(rate)
        except ValueError as exc:
            raise InvalidInput(f"COMMERCE_LOYALTY_EARN_RATES: {item!r} is not CUR=rate",
                               setting="COMMERCE_LOYALTY_EARN_RATES") from exc
        if len(currency.strip()) != 3 or rates[currency.strip().upper()] < 1:
            raise InvalidInput(f"COMMERCE_LOYALTY_EARN_RATES: {item!r} is not CUR=rate",
                               setting="COMMERCE_LOYALTY_EARN_RATES")
    return LoyaltyPolicy(
        currency=settings.currency, earn_rate=settings.loyalty_earn_rate, earn_rates=rates,
        welcome_points=settings.loyalty_welcome_points,
        referrer_points=settings.loyalty_referrer_points,
        referee_points=settings.loyalty_referee_points,
        referral_days=settings.loyalty_referral_days,
        expiry_months=settings.loyalty_expiry_months,
    )


def build_fulfillment_policy(settings: Settings) -> FulfillmentPolicy:
    return FulfillmentPolicy(qc_sample_percent=settings.fulfillment_qc_sample_percent)


def build_commerce(
    settings: Settings, ports: Ports, reservation_policy: ReservationPolicy | None = None,
    fulfillment_policy: FulfillmentPolicy | None = None,
) -> Commerce:
    tracer = tracer_for(settings.tracing)
    if tracer is not None:
        ports = traced_ports(ports, tracer)
    commerce = Commerce(
        ports,
        dispatch_in_process=settings.bus == "inprocess",
        reservation_policy=reservation_policy or build_reservation_policy(settings),
        fulfillment_policy=fulfillment_policy or build_fulfillment_policy(settings),
        checkout_lease=timedelta(seconds=settings.checkout_lease_seconds),
        idempotency_retention=timedelta(hours=settings.idempotency_retention_hours),
        search_settings=SearchSettings(settings.currency, settings.search_record_queries),
        synonyms=Synonyms.parse(settings.search_synonyms),
        fraud_policy=build_fraud_policy(settings),
        return_policy=build_return_policy(settings),
        review_policy=build_review_policy(settings),
        loyalty_policy=build_loyalty_policy(settings),
        shipping_rates_policy=RatesPolicy(
            budget=timedelta(milliseconds=settings.shipping_quote_budget_ms)),
        tender_policy=TenderPolicy(
            point_value=settings.loyalty_point_value,
            min_points=settings.loyalty_min_redeem_points,
            max_points_share=settings.loyalty_max_redeem_percent,
            store_credit_days=settings.store_credit_days,
            restored_points_days=settings.loyalty_restored_points_days),
        gift_card_settings=GiftCardSettings(
            pepper=(settings.gift_card_pepper.get_secret_value().encode()
                    if settings.gift_card_pepper else b""),
            store_credit_days=settings.store_credit_days),
    )
    register_extra_subscribers(commerce, settings.extra_subscribers)
    if tracer is not None:
        instrument(commerce, tracer)
    return commerce


def register_extra_subscribers(commerce: Commerce, hooks: str) -> None:
    """`COMMERCE_EXTRA_SUBSCRIBERS`: each `module:function` is called with the Commerce and
    subscribes the embedder's own subscribers, which the worker then runs like the core's."""
    for hook in filter(None, (part.strip() for part in hooks.split(","))):
        module_name, _, function_name = hook.partition(":")
        try:
            register = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError, ValueError) as exc:
            raise InvalidInput(
                f"COMMERCE_EXTRA_SUBSCRIBERS: cannot load {hook!r} ({exc})", hook=hook
            ) from exc
        register(commerce)


def build_identity_authenticator(commerce: Commerce) -> Authenticator:
    """Identity's link in the authenticator chain: access tokens (staff, customers, apps)."""
    return commerce.identity.authenticator


def build_authenticators(settings: Settings) -> list[Authenticator]:
    """`COMMERCE_AUTHENTICATORS`: each `module:function` is called with the settings and
    returns an `Authenticator`, asked after the operator token, in the order given."""
    found: list[Authenticator] = []
    for hook in filter(None, (part.strip() for part in settings.authenticators.split(","))):
        module_name, _, function_name = hook.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError, ValueError) as exc:
            raise InvalidInput(
                f"COMMERCE_AUTHENTICATORS: cannot load {hook!r} ({exc})", hook=hook
            ) from exc
        found.append(factory(settings))
    return found


def build_redis(settings: Settings) -> redis.Redis:
    return connect(settings.redis_url)


def build_layout(settings: Settings) -> StreamLayout:
    return StreamLayout(prefix=settings.redis_prefix)


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid7Generator)
    gateway = providers.Singleton(build_gateway, settings)
    breakers = providers.Singleton(build_breakers, settings)
    gateways = providers.Singleton(build_router, settings, gateway, breakers, clock)
    ports = providers.Singleton(build_ports, settings, gateway, clock, ids, gateways, breakers)
    reservation_policy = providers.Singleton(build_reservation_policy, settings)
    fulfillment_policy = providers.Singleton(build_fulfillment_policy, settings)
    commerce = providers.Singleton(build_commerce, settings, ports, reservation_policy,
                                   fulfillment_policy)
    identity_authenticator = providers.Singleton(build_identity_authenticator, commerce)
    redis_client = providers.Singleton(build_redis, settings)
    stream_layout = providers.Singleton(build_layout, settings)
    # Checkers of bearer tokens after the operator token, in order (HTTP and CLI alike).
    authenticators = providers.Singleton(build_authenticators, settings)


def make_container(settings: Settings | None = None) -> Container:
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container
