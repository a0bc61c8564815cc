"""The dependency-injection container: picks adapters from settings and builds the core.

Embedding apps never need it: they call `Commerce(adapters.memory.bundle())` or
`Commerce(adapters.sql.bundle(url))` directly. The HTTP app, the CLI and the worker use it.
"""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from adapters.memory import Outcome, ScriptedPaymentGateway
from adapters.memory import bundle as memory_bundle
from commerce_core.app import Commerce, Ports
from commerce_core.payment.ports import PaymentGateway
from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.ids import IdGenerator, Uuid7Generator
from entrypoints.settings import Settings


def build_gateway(settings: Settings) -> PaymentGateway:
    return ScriptedPaymentGateway(default=Outcome(settings.fake_gateway_default))


def build_ports(
    settings: Settings, gateway: PaymentGateway, clock: Clock, ids: IdGenerator
) -> Ports:
    if settings.database_url.startswith("memory://"):
        return memory_bundle(gateway=gateway, clock=clock, ids=ids)
    from adapters import sql  # imported only when configured: it loads SQLAlchemy and drivers

    return sql.bundle(
        settings.database_url, gateway=gateway, clock=clock, ids=ids,
        pool_size=settings.database_pool_size,
    )


def build_commerce(settings: Settings, ports: Ports) -> Commerce:
    return Commerce(
        ports,
        dispatch_in_process=settings.bus == "inprocess",
        checkout_lease=timedelta(seconds=settings.checkout_lease_seconds),
    )


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid7Generator)
    gateway = providers.Singleton(build_gateway, settings)
    ports = providers.Singleton(build_ports, settings, gateway, clock, ids)
    commerce = providers.Singleton(build_commerce, settings, ports)


def make_container(settings: Settings | None = None) -> Container:
    container = Container()
    if settings is not None:
        container.settings.override(providers.Object(settings))
    return container
