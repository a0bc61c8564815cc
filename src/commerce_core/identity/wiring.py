"""Identity's handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.identity.api import OidcBegin
from commerce_core.identity.handlers import IdentityHandlers, IdentityPolicy
from commerce_core.identity.ports import IdentityKit, IdentityUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class IdentityWiring:
    def __init__(self, uow: UnitOfWorkFactory[IdentityUnitOfWork], kit: IdentityKit,
                 clock: Clock, ids: IdGenerator, policy: IdentityPolicy | None = None) -> None:
        self._handlers = IdentityHandlers(uow, kit, clock, ids, policy)

    @property
    def oidc_begin(self) -> OidcBegin:
        return self._handlers.begin_oidc

    def handlers(self) -> Handlers:
        return self._handlers.handlers()

    def subscribers(self) -> list[Subscriber]:
        return []
