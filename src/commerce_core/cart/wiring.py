"""The cart's handlers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.cart import commands as cc
from commerce_core.cart import handlers as ch
from commerce_core.cart.ports import CartUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class CartWiring:
    def __init__(self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock,
                 ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def handlers(self) -> Handlers:
        uow, clock, ids = self._uow, self._clock, self._ids
        return {
            cc.CreateCart: ch.CreateCartHandler(uow, clock, ids),
            cc.AddCartItem: ch.AddCartItemHandler(uow, clock, ids),
            cc.UpdateCartItem: ch.UpdateCartItemHandler(uow, clock),
            cc.RemoveCartItem: ch.RemoveCartItemHandler(uow, clock),
            cc.ApplyCoupon: ch.ApplyCouponHandler(uow, clock),
            cc.RemoveCoupon: ch.RemoveCouponHandler(uow, clock),
            cc.MergeGuestCart: ch.MergeGuestCartHandler(uow, clock, ids),
        }

    def subscribers(self) -> list[Subscriber]:
        return []
