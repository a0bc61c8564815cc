"""Settings from the environment (`COMMERCE_*`) or a `.env` file. Defaults need no server."""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.ratelimit import RatePolicy, parse_routes

GATEWAY_NAMES = ("fake", "stripe", "paypal", "vnpay", "momo", "cod", "bank_transfer")
CARRIER_NAMES = ("fake", "ghn", "grab")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMMERCE_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "sqlite:///commerce.db",
        description="SQLAlchemy URL: sqlite:///path.db, postgresql+psycopg://..., or memory://",
    )
    database_pool_size: int = Field(10, ge=1, description="Connections per process (PostgreSQL)")
    bus: Literal["inprocess", "redis"] = Field(
        "inprocess", description="Where events go after commit: in-process or Redis Streams"
    )
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis for the event bus")
    redis_prefix: str = Field(
        "commerce", min_length=1, pattern=r"^[^\s*?\[\]]+$",
        description="Prefix of every Redis key of the event bus (one per shop sharing a Redis)",
    )
    tracing: Literal["off", "on", "console", "otlp"] = Field(
        "off", description="OpenTelemetry traces: off, on (the global tracer provider), console "
        "or otlp (an SDK provider; needs the 'tracing' extra)",
    )
    relay_batch: int = Field(
        100, ge=1, le=10_000, description="Outbox rows one relay pass publishes per stream"
    )
    consumer_max_attempts: int = Field(
        5, ge=1, description="Attempts of a failing subscriber before the event is dead-lettered"
    )
    consumer_claim_idle_ms: int = Field(
        60_000, ge=0,
        description="An unacknowledged event idle this long is taken over by another consumer",
    )
    metrics_port: int = Field(
        0, ge=0, le=65535, description="Port of the worker's Prometheus metrics (0: off)"
    )
    extra_subscribers: str = Field(
        "", description="Comma-separated `module:function` hooks called with the Commerce to "
        "subscribe the embedder's own subscribers",
    )
    gateways: str = Field(
        "fake", description="Enabled payment gateways, comma-separated, from fake, stripe, "
        "paypal, vnpay, momo, cod (cash on delivery) and bank_transfer; the first is the "
        "default when no routing rule matches (cod and bank_transfer take only their own "
        "method)",
    )
    gateway_routes: str = Field(
        "", description="Gateway preference per method[:currency[:country]], e.g. "
        "`card=stripe,paypal; card:VND=vnpay,stripe` (`*` matches any; the most specific rule "
        "wins; without one, the order of COMMERCE_GATEWAYS). Gateways that do not take the "
        "currency drop out",
    )
    shipping_quote_budget_ms: int = Field(
        1500, ge=1, le=30_000,
        description="How long a shipping quote waits for carriers' live rates (milliseconds); "
        "a slower carrier falls back to its cached rate or the method's fallback amount",
    )
    breaker_failure_threshold: int = Field(
        5, ge=1, description="Consecutive gateway failures that open its circuit breaker"
    )
    breaker_open_seconds: float = Field(
        60, gt=0, description="How long an open breaker refuses calls before probing"
    )
    breaker_half_open_probes: int = Field(
        3, ge=1, description="Calls a half-open breaker lets through"
    )
    breaker_close_after: int = Field(
        3, ge=1, description="Successful probes that close a half-open breaker"
    )
    stripe_secret_key: SecretStr | None = Field(None, description="Stripe secret key (sk_...)")
    stripe_webhook_secret: SecretStr | None = Field(
        None, description="Stripe webhook signing secret (whsec_...)"
    )
    paypal_client_id: SecretStr | None = Field(None, description="PayPal REST client id")
    paypal_client_secret: SecretStr | None = Field(None, description="PayPal REST secret")
    paypal_webhook_id: str = Field("", description="PayPal webhook id (signature checks)")
    paypal_mode: Literal["sandbox", "live"] = Field("sandbox", description="PayPal API")
    paypal_webhook_verification: Literal["api", "offline"] = Field(
        "api", description="How PayPal webhooks are verified: `api` asks PayPal, `offline` "
        "checks the signing certificate's chain against COMMERCE_PAYPAL_TRUST_ROOTS and the "
        "RSA signature locally")
    paypal_trust_roots: str = Field(
        "", description="The root certificates offline PayPal verification trusts: a PEM "
        "bundle's path, or the PEM text itself (PayPal's certificates chain to DigiCert roots)")
    vnpay_tmn_code: SecretStr | None = Field(None, description="VNPay terminal (TMN) code")
    vnpay_hash_secret: SecretStr | None = Field(None, description="VNPay hash secret")
    vnpay_payment_url: str = Field(
        "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html", description="VNPay payment page"
    )
    vnpay_api_url: str = Field(
        "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
        description="VNPay query/refund API",
    )
    vnpay_return_url: str | None = Field(None, description="Where VNPay sends the shopper back")
    momo_partner_code: SecretStr | None = Field(None, description="MoMo partner code")
    momo_access_key: SecretStr | None = Field(None, description="MoMo access key")
    momo_secret_key: SecretStr | None = Field(None, description="MoMo secret key")
    cod_ceiling: int = Field(
        5_000_000, ge=0, description="The largest order paid cash on delivery, in minor units "
        "of the shop's currency (0: no ceiling)")
    bank_transfer_instructions_url: str = Field(
        "", description="The shop's page telling the shopper where to transfer: `{reference}`, "
        "`{amount}` and `{currency}` are filled in (required with the bank_transfer gateway)")
    momo_endpoint: str = Field(
        "https://test-payment.momo.vn/v2/gateway/api", description="MoMo API base URL"
    )
    momo_ipn_url: str = Field("", description="MoMo IPN (payment notification) URL")
    momo_redirect_url: str | None = Field(None, description="Where MoMo sends the shopper back")
    gateway_timeout_seconds: float = Field(
        15, gt=0, le=30, description="Timeout of one call to a payment provider"
    )
    fake_gateway_default: Literal["approve", "decline", "timeout", "error"] = Field(
        "approve", description="What the fake gateway answers when nothing is scripted"
    )
    currency: str = Field("VND", description="The shop's currency (ISO 4217)")

    @field_validator("gateways")
    @classmethod
    def _known_gateways(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = sorted(set(names) - set(GATEWAY_NAMES))
        if not names or unknown or len(set(names)) != len(names):
            raise ValueError(f"COMMERCE_GATEWAYS lists each of {', '.join(GATEWAY_NAMES)} at "
                             f"most once, at least one; got {value!r}")
        return ",".join(names)

    @property
    def gateway_names(self) -> list[str]:
        return self.gateways.split(",")
    search_index: Literal["database", "elasticsearch"] = Field(
        "database", description="Where product search documents live: the shop's database "
        "(SQLite FTS5 / PostgreSQL full text; in memory for memory://) or Elasticsearch",
    )
    elasticsearch_url: str = Field(
        "http://127.0.0.1:9200", description="Elasticsearch for COMMERCE_SEARCH_INDEX=elasticsearch"
    )
    search_synonyms: str = Field(
        "laptop, notebook, máy tính xách tay; phone, mobile, smartphone, điện thoại",
        description="Search synonym groups: members separated by `,`, groups by `;`",
    )
    search_record_queries: bool = Field(
        True, description="Log every search for analytics (GET /admin/search/analytics)"
    )
    host: str = Field("127.0.0.1", description="Address `commerce serve` binds")
    port: int = Field(8000, ge=0, le=65535, description="Port `commerce serve` binds")
    workers: int = Field(1, ge=1, description="HTTP server processes")
    operator_token: str | None = Field(
        None, description="The bootstrap operator's bearer token (every permission); `serve` "
        "makes one up if unset"
    )
    authenticators: str = Field(
        "", description="Comma-separated `module:function` factories, each called with the "
        "settings, of the authenticators asked after the operator token (HTTP and CLI)",
    )
    token: SecretStr | None = Field(
        None, description="The bearer token CLI commands present (the operator token acts as "
        "the operator); without it, the first line of COMMERCE_TOKEN_FILE"
    )
    token_file: str = Field(
        "~/.config/commerce/token", description="Where `commerce login` keeps the CLI's token"
    )
    identity_signing_keys: SecretStr | None = Field(
        None, description="Ed25519 PEM private keys signing access tokens, the signing one "
                          "first; older keys (or their public PEMs) after it still verify. "
                          "Unset: a development key is generated and kept in "
                          "COMMERCE_IDENTITY_DEV_KEYS_FILE (never for a live shop)")
    identity_sealing_key: SecretStr | None = Field(
        None, description="Fernet key encrypting TOTP secrets at rest "
                          "(`python -c 'from cryptography.fernet import Fernet; "
                          "print(Fernet.generate_key().decode())'`)")
    gift_card_pepper: SecretStr | None = Field(
        None, description="The secret gift card codes are digested under (HMAC-SHA256) before "
                          "they are stored; set it for a live shop and never change it (every "
                          "issued code would become unknown). Unset: codes are digested "
                          "without a pepper")
    store_credit_days: int = Field(
        365, ge=1, le=3650, description="Days store credit lasts (a refund as store credit, a "
                                        "disabled gift card's refund, goodwill)")
    loyalty_point_value: int = Field(
        1, ge=1, le=1_000_000, description="Minor units of the shop's currency one loyalty "
                                           "point pays at checkout")
    loyalty_min_redeem_points: int = Field(
        100, ge=1, description="Fewest points an order may be paid with")
    loyalty_max_redeem_percent: int = Field(
        50, ge=1, le=100, description="Most of an order's total points may pay, in percent")
    loyalty_restored_points_days: int = Field(
        730, ge=1, le=3650, description="Days points given back by a return or cancellation "
                                        "last")
    identity_issuer: str = Field("commerce-core", min_length=1,
                                 description="`iss` of access tokens")
    identity_audience: str = Field("commerce-core", min_length=1,
                                   description="`aud` of access tokens")
    identity_oidc_providers: SecretStr | None = Field(
        None, description='OpenID sign-in providers, JSON: [{"name": "google", "issuer": '
                          '"https://accounts.google.com", "client_id": "...", '
                          '"client_secret": "..."}]')
    identity_dev_keys_file: str | None = Field(
        None, description="Where generated development keys are kept (default: "
                          "$XDG_CONFIG_HOME/commerce/identity-dev-keys.json)")
    identity_reset_link: str = Field(
        "http://localhost:3000/reset-password?token={token}", pattern=r"\{token\}",
        description="The password-reset page emailed to the account; {token} is replaced")
    identity_verify_link: str = Field(
        "http://localhost:3000/verify-email?token={token}", pattern=r"\{token\}",
        description="The email-verification page emailed to the account; {token} is replaced")
    seed_sample_catalog: bool = Field(
        True, description="Seed the sample catalog and stock when the database is empty"
    )
    checkout_lease_seconds: int = Field(
        30, ge=1, description="A checkout idle this long is taken over by the worker"
    )
    idempotency_retention_hours: float = Field(
        24, gt=0, le=24 * 365,
        description="How long a finished checkout's Idempotency-Key is honoured; a request "
                    "bearing it afterwards is a new request",
    )
    idempotency_release_interval_seconds: float = Field(
        3600, gt=0, description="How often the worker frees expired idempotency keys"
    )
    worker_interval_seconds: float = Field(
        1.0, gt=0, description="How often the worker polls the outbox and its jobs"
    )
    # Reservation lifetime before payment, by payment method (inventory spec A2.4).
    reservation_ttl_cod_minutes: int = Field(
        1440, ge=1, description="Reservation TTL for cash on delivery"
    )
    reservation_ttl_bank_transfer_minutes: int = Field(
        240, ge=1, description="Reservation TTL for bank transfers"
    )
    reservation_ttl_card_minutes: int = Field(30, ge=1, description="Reservation TTL for cards")
    reservation_ttl_e_wallet_minutes: int = Field(
        15, ge=1, description="Reservation TTL for e-wallets"
    )
    reservation_ttl_installment_minutes: int = Field(
        120, ge=1, description="Reservation TTL for installment plans"
    )
    reservation_ttl_default_minutes: int = Field(
        30, ge=1, description="Reservation TTL for any other payment method"
    )
    reservation_max_extension_factor: int = Field(
        2, ge=1, description="A reservation lives at most this many times its TTL"
    )
    reconciliation_interval_seconds: float = Field(
        3600, gt=0, description="How often the worker reconciles reserved counts and reports "
        "reservations active for more than 24 h"
    )
    fulfillment_jobs_interval_seconds: float = Field(
        1800, gt=0, description="How often the worker checks fulfillment SLAs, completes "
        "fulfillments shipped 7 days ago and expires unstarted pick lists"
    )
    shipping_poll_interval_seconds: float = Field(
        1800, gt=0, description="How often the worker asks the carriers about shipments "
        "with no news for an hour (and records collected cash not yet recorded)"
    )
    shipping_booking_interval_seconds: float = Field(
        60, gt=0, description="How often the worker books draft shipments (new ones, and "
        "failed ones after their backoff)"
    )
    payment_jobs_interval_seconds: float = Field(
        300, gt=0, description="How often the worker asks again the captures a gateway did not "
        "answer and expires holds past their gateway's window"
    )
    customer_jobs_interval_seconds: float = Field(
        86400, gt=0, description="How often the worker anonymises customers whose deletion "
        "is due and evaluates the segments (daily)"
    )
    fulfillment_qc_sample_percent: int = Field(
        10, ge=0, le=100, description="Share of fulfillments below the QC value threshold "
        "that get a quality check"
    )
    # Fraud (spec payment §6, ADR 0012): lists are comma-separated, maps `KEY=value` pairs.
    fraud_enabled: bool = Field(True, description="Score every order at checkout")
    fraud_block_above: int = Field(
        75, ge=0, le=100, description="A risk score above this blocks the checkout"
    )
    fraud_review_from: int = Field(
        50, ge=0, le=100, description="A risk score from this up holds the capture for review"
    )
    fraud_signals: str = Field(
        "", description="Built-in risk signals that run (empty: all of them): anonymous_ip, "
        "ip_country_mismatch, high_risk_country, high_amount, velocity, address_mismatch, "
        "blocklist, new_customer, unusual_amount",
    )
    fraud_weights: str = Field(
        "", description="Points of signals, e.g. `velocity=30,new_customer=0` (others keep the "
        "defaults 30, 20, 25, 20, 25, 10, 100, 10, 15 in the order above)",
    )
    fraud_high_risk_countries: str = Field(
        "", description="ISO 3166 alpha-2 codes whose billing or IP country adds points"
    )
    fraud_high_amounts: str = Field(
        "USD=1000000,EUR=1000000,GBP=1000000,VND=250000000",
        description="High-amount threshold per currency, in minor units",
    )
    fraud_velocity_limit: int = Field(
        10, ge=1, description="More checkouts than this in the window by one email, IP or "
        "card add the velocity points"
    )
    fraud_velocity_window_hours: float = Field(
        24, gt=0, le=24 * 365, description="The velocity window"
    )
    fraud_blocked_email_domains: str = Field(
        "", description="Email domains (and their subdomains) that block an order"
    )
    fraud_blocked_ips: str = Field("", description="IP addresses or CIDR networks that block")
    fraud_unusual_factor: int = Field(
        3, ge=1, description="An order above this many times the email's average is unusual"
    )
    # Returns (spec returns §2 policy defaults; docs/returns.md).
    returns_window_days: int = Field(
        30, ge=0, le=3650, description="Days after delivery a return may be requested "
        "(the last day included)"
    )
    returns_max_per_order: int = Field(3, ge=1, le=100, description="Returns per order")
    returns_restocking_fee_percent: int = Field(
        15, ge=0, le=100, description="Fee on a change-of-mind return, percent of the items"
    )
    returns_auto_approve_below: int = Field(
        30, ge=0, le=101, description="A risk score below this approves a return at once"
    )
    returns_auto_reject_above: int = Field(
        70, ge=-1, le=100, description="A risk score above this rejects a return at once"
    )
    returns_stale_pending_days: int = Field(
        7, ge=1, description="A return pending this long is cancelled"
    )
    returns_stale_approved_days: int = Field(
        14, ge=1, description="An approved return not shipped this long is cancelled"
    )
    returns_non_returnable_skus: str = Field(
        "", description="SKUs the shop does not take back, comma-separated"
    )
    returns_non_returnable_categories: str = Field(
        "", description="Category ids whose products the shop does not take back"
    )
    # Reviews (spec reviews B2; docs/reviews.md).
    reviews_window_days: int = Field(
        90, ge=1, le=3650, description="Days after delivery a product may be reviewed")
    reviews_edit_days: int = Field(
        30, ge=0, le=3650, description="Days after writing it the owner may edit a review")
    reviews_auto_approve_below: int = Field(
        30, ge=0, le=101, description="A review's risk score below this publishes it at once")
    reviews_auto_reject_above: int = Field(
        70, ge=-1, le=100, description="A review's risk score above this rejects it at once")
    reviews_report_threshold: int = Field(
        3, ge=1, le=1000, description="Reports that send a published review back to staff")
    reviews_banned_words: str = Field(
        "", description="Words that add to a review's risk score, comma-separated")
    returns_jobs_interval_seconds: float = Field(
        300, gt=0, description="How often the worker cancels stale returns and retries failed "
        "refunds, restocks and labels"
    )
    # Loyalty (spec loyalty A2; docs/loyalty.md). Staff change the program later; these are
    # its defaults until they do.
    loyalty_earn_rate: int = Field(
        1000, ge=1, le=10**9, description="Minor units of the shop's currency per point"
    )
    loyalty_earn_rates: str = Field(
        "", description="Other currencies' rates, `USD=4,EUR=4` (minor units per point)"
    )
    loyalty_welcome_points: int = Field(
        500, ge=0, le=100_000_000, description="Points on a new customer's account"
    )
    loyalty_referrer_points: int = Field(
        1000, ge=0, le=100_000_000, description="Points to a referrer on the friend's first order"
    )
    loyalty_referee_points: int = Field(
        500, ge=0, le=100_000_000, description="Points to the referred friend on that order"
    )
    loyalty_referral_days: int = Field(
        90, ge=1, le=3650, description="Days a referral waits for the friend's first order"
    )
    loyalty_expiry_months: int = Field(
        24, ge=1, le=120, description="Months after which earned points expire"
    )
    loyalty_jobs_interval_seconds: float = Field(
        3600, gt=0, description="How often the worker releases points whose return window "
        "closed and moves tiers as the 12-month window rolls"
    )
    ledger_expiry_interval_seconds: float = Field(
        3600, gt=0, description="How often the worker expires what is left of due lots of "
        "stored value (points, gift cards, store credit)"
    )
    returns_carrier: str | None = Field(
        None, description="Carrier code return labels are booked with; unset: the first one"
    )
    returns_address: str | None = Field(
        None, description="Where returned parcels go, a JSON postal address "
        "(name, phone, line1, province, country_code, ...); unset: no labels are booked"
    )
    geoip_country_db: str | None = Field(
        None, description="MaxMind City or Country database (.mmdb) for the IP country"
    )
    geoip_anonymous_db: str | None = Field(
        None, description="MaxMind Anonymous-IP (or Anonymous Plus) database (.mmdb)"
    )
    locations_file: str | None = Field(
        None, description="JSON or CSV location hierarchy addresses are checked against "
        "(docs/customers.md); unset: the shipped Vietnamese sample"
    )
    client_ip_header: str | None = Field(
        None, description="Header a trusted proxy puts the shopper's address in (first of "
        "`X-Forwarded-For`); unset: the connection's address"
    )
    log_level: str = Field("INFO", description="Python logging level")
    log_format: Literal["text", "json"] = Field(
        "text", description="`json`: one JSON object per log line, with the request id"
    )
    max_body_bytes: int = Field(
        1024 * 1024, ge=1, description="Largest request body the API reads; larger ones get 413"
    )
    body_read_timeout_seconds: float = Field(
        30.0, gt=0, description="A request body must arrive within this; slower ones get 408"
    )
    http_keep_alive_seconds: int = Field(
        5, ge=1, description="`commerce serve` closes an idle keep-alive connection after this"
    )
    http_graceful_shutdown_seconds: int = Field(
        10, ge=1, description="On SIGTERM, `commerce serve` waits this long for open requests"
    )
    # Notifications (docs/notifications.md): a channel is offered only with a provider.
    notifications_enabled: bool = Field(
        True, description="Enqueue customer notifications from order, payment and shipment "
        "events and send them from the worker"
    )
    notify_email: Literal["none", "smtp"] = Field("none", description="Email provider")
    notify_sms: Literal["none", "twilio"] = Field("none", description="SMS provider")
    notify_push: Literal["none", "fcm"] = Field("none", description="Push provider")
    notification_send_interval_seconds: float = Field(
        30, gt=0, description="How often the worker sends the notifications that are due"
    )
    notification_batch: int = Field(
        50, ge=1, le=1000, description="Notifications one run of the sender takes at most"
    )
    notify_timeout_seconds: float = Field(
        10, gt=0, le=60, description="Timeout of one call to a notification provider"
    )
    smtp_host: str = Field("localhost", description="SMTP server")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port (587 with STARTTLS)")
    smtp_sender: str = Field("shop@localhost", description="From address of emails")
    smtp_username: str | None = Field(None, description="SMTP login (none: no login)")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS")
    twilio_account_sid: SecretStr | None = Field(None, description="Twilio account SID")
    twilio_auth_token: SecretStr | None = Field(
        None, description="Twilio auth token (also verifies status callbacks)"
    )
    twilio_from: str = Field("", description="Twilio sender number (E.164)")
    twilio_status_callback_url: str | None = Field(
        None, description="Public URL of POST /webhooks/notifications/twilio, as Twilio "
        "signs it"
    )
    fcm_project_id: str = Field("", description="Firebase project id")
    fcm_access_token: SecretStr | None = Field(
        None, description="OAuth2 bearer token for FCM HTTP v1 (refreshed by the deployment)"
    )
    # Outbound webhooks (docs/webhooks.md): signed, retried deliveries to third-party apps.
    webhooks_enabled: bool = Field(
        True, description="Deliver the shop's events to webhook subscriptions from the worker"
    )
    webhooks_allow_private_targets: bool = Field(
        False, description="Allow targets on private, loopback, link-local or reserved "
        "addresses (development only: it opens the shop to server-side request forgery)"
    )
    webhooks_connect_timeout_seconds: float = Field(
        5, gt=0, le=60, description="Timeout of connecting to a webhook target"
    )
    webhooks_timeout_seconds: float = Field(
        15, gt=0, le=120, description="Timeout of a webhook target's answer (between reads)"
    )
    webhooks_max_attempts: int = Field(
        8, ge=1, le=20, description="Attempts of one webhook delivery before it fails (waits "
        "up to 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h, with full jitter)"
    )
    webhooks_disable_after: int = Field(
        5, ge=1, description="Failed deliveries in a row that disable a webhook subscription"
    )
    webhooks_send_interval_seconds: float = Field(
        5, gt=0, description="How often the worker sends the webhook deliveries that are due"
    )
    webhooks_batch: int = Field(
        50, ge=1, le=1000, description="Webhook deliveries one run of the sender takes at most"
    )
    # Analytics (docs/analytics.md): facts read from every event, rollups, reports.
    analytics_enabled: bool = Field(
        True, description="Read the shop's events into analytics facts and build the rollups "
        "from the worker"
    )
    analytics_pseudonym_key: SecretStr | None = Field(
        None, min_length=16, description="Key of the customer pseudonyms analytics keeps "
        "(keep it stable: a new key starts new cohorts). Unset: derived from "
        "COMMERCE_IDENTITY_SEALING_KEY (or identity's development key)"
    )
    analytics_timezone: str = Field(
        "UTC", description="IANA timezone analytics counts days in (daily rollups start at "
        "its midnight; `--from`/`--to` days are its days)"
    )
    analytics_history_days: int = Field(
        90, ge=1, le=3650, description="How far back the first rollup run builds buckets"
    )
    analytics_rollup_interval_seconds: float = Field(
        300, gt=0, description="How often the worker builds the analytics buckets that are "
        "complete (and any a late event fell into)"
    )

    @field_validator("analytics_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r}") from None
        return value

    # -- rate limits (spec identity §6, ADR 0015): `<count>/<period>[ burst <n>]` ----------------
    rate_limits_enabled: bool = Field(True, description="Count requests and answer 429 over")
    rate_limit_store: Literal["memory", "redis"] = Field(
        "memory", description="Where counts live: this process, or Redis (COMMERCE_REDIS_URL) "
        "shared by every process of the shop"
    )
    rate_limit_api: str = Field(
        "100/min burst 20", description="Every request, per client address (fails open)"
    )
    rate_limit_login: str = Field("10/min", description="Login, per address (fails closed)")
    rate_limit_registration: str = Field(
        "5/min", description="Registration, per address (fails closed)"
    )
    rate_limit_password_reset: str = Field(
        "5/min", description="Password reset requests, per address (fails closed)"
    )
    rate_limit_password_reset_account: str = Field(
        "5/hour", description="Password reset requests, per account (fails closed)"
    )
    rate_limit_token_refresh: str = Field(
        "20/min", description="Token refresh, per address (fails open)"
    )
    rate_limit_checkout: str = Field(
        "10/min", description="`POST /orders`, per address (fails open)"
    )
    rate_limit_checkout_cart: str = Field(
        "10/min", description="`POST /orders`, per cart (fails open)"
    )
    rate_limit_search: str = Field(
        "120/min", description="Search and suggestions, per address (fails open)"
    )
    rate_limit_giftcard_lookup: str = Field(
        "10/min", description="Gift card balance lookups and binding by code, per address "
        "(fails closed)"
    )
    rate_limit_routes: str = Field(
        "", description="Per-route overrides on top of the API limit, by normalised route: "
        "`POST /orders=10/min; GET /search=120/min`"
    )
    order_stream_contexts: str = Field(
        "order,payment,fulfillment,shipping,returns",
        description="Contexts whose events about an order `GET /orders/{id}/events` streams "
        "(event type first segments, comma-separated)",
    )
    order_stream_heartbeat_seconds: float = Field(
        15.0, gt=0, description="Seconds between keep-alive comments on an order's event stream"
    )
    order_stream_retry_ms: int = Field(
        3000, ge=0, description="Reconnection delay an order's event stream tells its client"
    )
    order_stream_queue_size: int = Field(
        100, ge=1, description="Events buffered per stream client; a client further behind is "
        "disconnected and told to resume with Last-Event-ID"
    )
    order_stream_max_per_client: int = Field(
        5, ge=1, description="Order event streams one client address may hold open at once "
        "(per API process)"
    )

    @field_validator(
        "rate_limit_api", "rate_limit_login", "rate_limit_registration",
        "rate_limit_password_reset", "rate_limit_password_reset_account",
        "rate_limit_token_refresh", "rate_limit_checkout", "rate_limit_checkout_cart",
        "rate_limit_search", "rate_limit_giftcard_lookup",
    )
    @classmethod
    def _rate_spec(cls, value: str) -> str:
        try:
            RatePolicy.parse("setting", value)
        except InvalidInput as error:
            raise ValueError(error.message) from None
        return value

    @field_validator("rate_limit_routes")
    @classmethod
    def _rate_routes(cls, value: str) -> str:
        try:
            parse_routes(value)
        except InvalidInput as error:
            raise ValueError(error.message) from None
        return value

    # -- carriers (docs/carriers.md) ---------------------------------------------------------
    carriers: str = Field(
        "fake", description="Carriers shipments are booked with and live rates come from, "
        "comma-separated: fake, ghn, grab"
    )
    carrier_timeout_seconds: float = Field(
        10, gt=0, le=60, description="Timeout of one call to a carrier"
    )
    fake_carrier_webhook_secret: SecretStr | None = Field(
        None, description="HMAC key of the fake carrier's webhooks (none: its built-in test key)"
    )
    ghn_token: SecretStr | None = Field(None, description="GHN API token")
    ghn_shop_id: str = Field("", description="GHN shop id")
    ghn_sandbox: bool = Field(True, description="Use GHN's dev gateway (false: production)")
    ghn_from_district_id: int | None = Field(
        None, description="GHN district id of the shop's pickup address"
    )
    ghn_from_ward_code: str = Field("", description="GHN ward code of the shop's pickup address")
    ghn_webhook_token: SecretStr | None = Field(
        None, description="The secret path segment of the webhook URL registered with GHN"
    )
    grab_client_id: SecretStr | None = Field(None, description="GrabExpress OAuth2 client id")
    grab_client_secret: SecretStr | None = Field(
        None, description="GrabExpress OAuth2 client secret"
    )
    grab_sandbox: bool = Field(True, description="Use GrabExpress's sandbox (false: production)")
    grab_webhook_secret: SecretStr | None = Field(
        None, description="The secret Grab sends in the Authorization header of webhooks"
    )

    @field_validator("carriers")
    @classmethod
    def _known_carriers(cls, value: str) -> str:
        names = [n.strip() for n in value.split(",") if n.strip()]
        unknown = sorted(set(names) - set(CARRIER_NAMES))
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"COMMERCE_CARRIERS lists each of {', '.join(CARRIER_NAMES)} at "
                             f"most once; got {value!r}")
        return ",".join(names)

    @property
    def carrier_names(self) -> list[str]:
        return [name for name in self.carriers.split(",") if name]
