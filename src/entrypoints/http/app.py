"""The FastAPI application: one router per context over a `Commerce` facade handed in.

    app = create_app(Commerce(adapters.memory.bundle()), Settings(database_url="memory://"))

Nothing is global: the facade and settings live on `app.state` and reach routes through
dependencies, so tests and embedders run several apps side by side. The core is synchronous;
routes are plain `def` functions, which FastAPI runs in its thread pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from fastapi import Depends, FastAPI

from commerce_core.app import Commerce
from commerce_core.shared.feed import EventFeed
from commerce_core.shared.principal import Authenticator
from entrypoints.auth import chain_for
from entrypoints.http import (
    analytics,
    audit,
    carts,
    catalog,
    checkout,
    customers,
    dashboard,
    fraud,
    fulfillment,
    giftcards,
    health,
    identity,
    inventory,
    loyalty,
    notifications,
    order_events,
    orders,
    payments,
    pricing,
    returns,
    reviews,
    search,
    shipping,
    shipping_rates,
    webhooks,
    webhooks_admin,
)
from entrypoints.http.access import document_access, staff_only
from entrypoints.http.limits import BodyLimitMiddleware
from entrypoints.http.metrics import HttpMetrics
from entrypoints.http.metrics import router as metrics_router
from entrypoints.http.middleware import RequestContextMiddleware
from entrypoints.http.problems import (
    PROBLEM_RESPONSES,
    document_refusals,
    install_problem_handlers,
)
from entrypoints.http.ratelimit import RateLimitMiddleware, RateLimits, build_rate_limits
from entrypoints.settings import Settings
from entrypoints.tracing import TracingMiddleware, tracer_for


def _package_version() -> str:
    try:
        return version("commerce-core")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def create_app(commerce: Commerce, settings: Settings,
               rate_limits: RateLimits | None = None,
               authenticators: Sequence[Authenticator] = (),
               order_feed: EventFeed | None = None) -> FastAPI:
    """The API over `commerce`; `settings` gives the shop currency, the operator token and the
    rate limits (`rate_limits` replaces those, with another limiter for instance). Bearer tokens
    are checked by the operator token first, then by `authenticators` in order (more can join
    later through `app.state.authenticators.add`). `order_feed` replaces the live feed of order
    event streams (by default this process's bus, or Redis Streams in service mode)."""
    app = FastAPI(
        title="commerce-core",
        version=_package_version(),
        description="Catalog, inventory, carts, checkout and orders over HTTP. Errors are "
        "RFC 9457 problems (`application/problem+json`) with a stable `code`. Every operation "
        "states who may call it: `x-permission` (a bearer holding that permission), or "
        "`x-access` `shopper` (the cart's `X-Cart-Token` or its customer's bearer) or `public`.",
    )
    app.state.commerce = commerce
    app.state.settings = settings
    # Identity's access tokens (staff, customers, apps) come right after the operator token.
    own = [commerce.identity.authenticator] if commerce.ports.identity is not None else []
    app.state.authenticators = chain_for(settings.operator_token, [*own, *authenticators])
    app.state.redis = health.readiness_redis(settings)
    app.state.metrics = HttpMetrics(commerce.gateways, commerce=commerce,
                                    redis_client=app.state.redis,
                                    redis_prefix=settings.redis_prefix)
    app.state.rate_limits = rate_limits or build_rate_limits(settings)
    app.state.order_streams = order_events.OrderStreams.build(commerce, settings, order_feed)
    install_problem_handlers(app)
    # Added innermost first: the request context (id, access log, metrics) wraps everything,
    # then the rate limit (a refused request's body is never read), the body limit the app.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       read_timeout=settings.body_read_timeout_seconds)
    app.add_middleware(RateLimitMiddleware, limits=app.state.rate_limits)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    tracer = tracer_for(settings.tracing)
    if tracer is not None:
        app.add_middleware(TracingMiddleware, tracer=tracer)

    for public in (health.router, catalog.router, inventory.router, carts.router,
                   checkout.router, orders.router, pricing.router, search.router,
                   webhooks.router, notifications.router, customers.me, customers.locations,
                   order_events.router, returns.router, shipping.router,
                   shipping_rates.router, reviews.router, giftcards.router, loyalty.me):
        app.include_router(public, responses=PROBLEM_RESPONSES)
    # `/metrics` declares its permission on its route (see `entrypoints.http.metrics`).
    app.include_router(metrics_router, responses=PROBLEM_RESPONSES)
    # Each admin route declares its permission; this guard, attached once, keeps the anonymous
    # caller out of any admin route even if one were added without a declaration; after it, the
    # audit context, so every command an admin route sends is audited.
    for operator in (catalog.admin, inventory.admin, orders.admin, fulfillment.admin,
                     pricing.admin, search.admin, fraud.admin, payments.admin,
                     notifications.admin, audit.admin, customers.admin, order_events.admin,
                     returns.admin, webhooks_admin.admin, shipping.admin, shipping_rates.admin,
                     reviews.admin, dashboard.admin, analytics.admin, giftcards.admin,
                     loyalty.admin):
        app.include_router(operator, prefix="/admin",
                           dependencies=[Depends(staff_only), Depends(audit.audit_as_admin)],
                           responses=PROBLEM_RESPONSES)
    # Identity's admin routes check their own permissions (the operator token included).
    identity.install(app)
    document_refusals(app)
    document_access(app)
    return app
