"""Cart use cases."""

from __future__ import annotations

from commerce_core.cart.commands import (
    AddCartItem,
    ApplyCoupon,
    CreateCart,
    MergeGuestCart,
    RemoveCartItem,
    RemoveCoupon,
    UpdateCartItem,
)
from commerce_core.cart.errors import CurrencyNotSupported, ItemNotForSale, SkuNotSold
from commerce_core.cart.model import Cart, check_quantity
from commerce_core.cart.ports import CartUnitOfWork
from commerce_core.cart.queries import CartMergeResult
from commerce_core.catalog import services as catalog
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.ids import IdGenerator, normalise_sku
from commerce_core.shared.money import EXPONENTS
from commerce_core.shared.uow import UnitOfWorkFactory, retrying


class CreateCartHandler:
    def __init__(
        self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateCart) -> str:
        currency = cmd.currency.strip().upper()
        if currency not in EXPONENTS:
            raise CurrencyNotSupported(f"unknown currency {cmd.currency!r}", currency=cmd.currency)
        with self._uow() as uow:
            cart = Cart.open(
                cart_id=self._ids.new_id(), currency=currency, customer_id=cmd.customer_id,
                now=self._clock.now(), access_token_hash=cmd.access_token_hash,
            )
            uow.carts.add(cart)
            uow.commit()
        return cart.id


class AddCartItemHandler:
    """Adds a SKU at its current list price, read in the cart's transaction. Concurrent adds to
    one cart are serialised by the cart's optimistic version and retried, so 20 parallel adds
    end with the exact sum."""

    def __init__(
        self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock, ids: IdGenerator,
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: AddCartItem) -> str:
        check_quantity(cmd.quantity)
        sku = normalise_sku(cmd.sku)

        def attempt() -> str:
            with self._uow() as uow:
                item = catalog.sellable(uow, [sku]).get(sku)
                if item is None:
                    raise SkuNotSold(f"no product sells SKU {sku}", sku=sku)
                if not item.available:
                    raise ItemNotForSale(f"{sku} is not for sale", sku=sku)
                line = uow.carts.get(cmd.cart_id).add_item(
                    line_id=self._ids.new_id(), sku=sku, product_id=item.product_id,
                    name=item.name, unit_price=item.unit_price, quantity=cmd.quantity,
                    warehouse_id=cmd.warehouse_id, now=self._clock.now(),
                )
                uow.commit()
                return line.id

        return str(retrying(attempt, retry_on=ConcurrencyConflict, attempts=20))


class UpdateCartItemHandler:
    def __init__(self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: UpdateCartItem) -> None:
        def attempt() -> None:
            with self._uow() as uow:
                uow.carts.get(cmd.cart_id).update_quantity(
                    cmd.line_id, cmd.quantity, now=self._clock.now()
                )
                uow.commit()

        retrying(attempt, retry_on=ConcurrencyConflict)


class RemoveCartItemHandler:
    def __init__(self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: RemoveCartItem) -> None:
        def attempt() -> None:
            with self._uow() as uow:
                uow.carts.get(cmd.cart_id).remove_item(cmd.line_id, now=self._clock.now())
                uow.commit()

        retrying(attempt, retry_on=ConcurrencyConflict)


class ApplyCouponHandler:
    def __init__(self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ApplyCoupon) -> str:
        def attempt() -> str:
            with self._uow() as uow:
                code = uow.carts.get(cmd.cart_id).apply_coupon(cmd.code, now=self._clock.now())
                uow.commit()
                return code

        return str(retrying(attempt, retry_on=ConcurrencyConflict))


class RemoveCouponHandler:
    def __init__(self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: RemoveCoupon) -> None:
        def attempt() -> None:
            with self._uow() as uow:
                uow.carts.get(cmd.cart_id).remove_coupon(cmd.code, now=self._clock.now())
                uow.commit()

        retrying(attempt, retry_on=ConcurrencyConflict)


class MergeGuestCartHandler:
    """The guest cart and the customer's active cart change in one transaction; a concurrent
    change to either is retried from fresh reads, so no unit is lost or counted twice."""

    def __init__(self, uow: UnitOfWorkFactory[CartUnitOfWork], clock: Clock,
                 ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: MergeGuestCart) -> CartMergeResult:
        def attempt() -> CartMergeResult:
            with self._uow() as uow:
                guest = uow.carts.get(cmd.cart_id)
                now = self._clock.now()
                target = uow.carts.active_for(cmd.customer_id)
                if target is None or target.id == guest.id:
                    guest.claim(cmd.customer_id, now=now)
                    uow.commit()
                    return CartMergeResult(guest.id, guest.id, ())
                report = target.merge_from(guest, customer_id=cmd.customer_id,
                                           new_line_id=self._ids.new_id, now=now)
                uow.commit()
                return CartMergeResult(target.id, guest.id, tuple(report))

        result: CartMergeResult = retrying(attempt, retry_on=ConcurrencyConflict)
        return result
