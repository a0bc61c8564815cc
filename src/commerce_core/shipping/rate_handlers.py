"""Use cases of shipping methods and rate quotes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from commerce_core.catalog import services as catalog
from commerce_core.catalog.ports import ProductReadUnitOfWork
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.shared.address import InvalidAddress, PostalAddress
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.shipping.methods import IssuedQuote, ShippingMethod
from commerce_core.shipping.ports import (
    CartGoods,
    ShippableGoods,
    ShippingMethodsUnitOfWork,
    ShippingRateCache,
)
from commerce_core.shipping.rate_commands import (
    ChangeShippingMethod,
    CreateShippingMethod,
    DisableShippingMethod,
    EnableShippingMethod,
    QuoteShipping,
    SelectShippingQuote,
)
from commerce_core.shipping.rate_errors import DuplicateShippingMethod, ShippingMethodNotFound
from commerce_core.shipping.rate_queries import RateOption, RateQuotes
from commerce_core.shipping.rates import Consignment, PricedRate, RateEngine

# A warehouse without a phone on file still quotes: carriers price by area, not by phone.
PLACEHOLDER_PHONE = "0000000000"


class RatesUnitOfWork(ShippingMethodsUnitOfWork, ProductReadUnitOfWork, InventoryUnitOfWork,
                      Protocol):
    """Methods and quotes, the catalog's weights and the warehouses' addresses."""


Uow = UnitOfWorkFactory[RatesUnitOfWork]


def _method(uow: ShippingMethodsUnitOfWork, code: str) -> ShippingMethod:
    method = uow.shipping_methods.by_code(code.strip().lower())
    if method is None:
        raise ShippingMethodNotFound(f"no shipping method {code!r}", code=code)
    return method


class MethodHandlers:
    """Administration of methods; every change forgets the cached carrier answers."""

    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator,
                 cache: ShippingRateCache | None) -> None:
        self._uow, self._clock, self._ids, self._cache = uow, clock, ids, cache

    def create(self, cmd: CreateShippingMethod) -> str:
        method = ShippingMethod.create(method_id=self._ids.new_id(), code=cmd.code,
                                       spec=cmd.spec, enabled=cmd.enabled,
                                       now=self._clock.now())
        with self._uow() as uow:
            if uow.shipping_methods.by_code(method.code) is not None:
                raise DuplicateShippingMethod(f"a shipping method {method.code!r} exists",
                                              code=method.code)
            uow.shipping_methods.add(method)
            uow.commit()
        self._invalidate()
        return method.id

    def change(self, cmd: ChangeShippingMethod) -> None:
        self._edit(cmd.code, lambda m: m.change(cmd.spec, now=self._clock.now()))

    def enable(self, cmd: EnableShippingMethod) -> None:
        self._edit(cmd.code, lambda m: m.enable(now=self._clock.now()))

    def disable(self, cmd: DisableShippingMethod) -> None:
        self._edit(cmd.code, lambda m: m.disable(now=self._clock.now()))

    def _edit(self, code: str, edit: Callable[[ShippingMethod], None]) -> None:
        with self._uow() as uow:
            edit(_method(uow, code))
            uow.commit()
        self._invalidate()

    def _invalidate(self) -> None:
        if self._cache is not None:
            self._cache.invalidate()


class QuoteHandlers:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator, engine: RateEngine,
                 goods: CartGoods) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._engine, self._goods = engine, goods

    def quote(self, cmd: QuoteShipping) -> RateQuotes:
        goods = self._goods(cmd.cart_id)
        with self._uow() as uow:
            methods = uow.shipping_methods.list()
            consignments = self._consignments(uow, goods, cmd.destination)
        item_count = sum(ln.quantity for ln in goods.lines)
        rates, skipped = (self._engine.price(methods, consignments, cmd.destination,
                                             goods.order_total, item_count)
                          if goods.lines else ([], []))
        now = self._clock.now()
        expires_at = now + self._engine.policy.quote_ttl
        issued = [self._issue(goods, cmd.destination, rate, now, expires_at) for rate in rates]
        if issued:
            with self._uow() as uow:
                for quote in issued:
                    uow.shipping_quotes.add(quote)
                uow.commit()
        return RateQuotes(cmd.cart_id, cmd.destination, _marked(issued), tuple(skipped))

    def select(self, cmd: SelectShippingQuote) -> RateOption:
        goods = self._goods(cmd.cart_id)
        with self._uow() as uow:
            quote = uow.shipping_quotes.get(cmd.quote_id)
            quote.usable_for(cart_id=cmd.cart_id, content_key=goods.key, destination=None,
                             now=self._clock.now())
            for other in uow.shipping_quotes.for_cart(cmd.cart_id):
                if other.selected and other.id != quote.id:
                    other.unselect()
            quote.select()
            uow.commit()
        return option_of(quote)

    def _issue(self, goods: ShippableGoods, destination: PostalAddress, rate: PricedRate,
               now: datetime, expires_at: datetime) -> IssuedQuote:
        spec = rate.method.spec
        return IssuedQuote(
            id=self._ids.new_id(), cart_id=goods.cart_id, content_key=goods.key,
            destination=destination, method_code=rate.method.code, method_name=spec.name,
            amount=rate.amount, source=rate.source, issued_at=now,
            expires_at=expires_at,
            carrier=spec.carrier, service=rate.service or spec.method_type.value,
            estimated_days_min=rate.estimated_days_min,
            estimated_days_max=rate.estimated_days_max)

    def _consignments(self, uow: RatesUnitOfWork, goods: ShippableGoods,
                      destination: PostalAddress) -> list[Consignment]:
        """The cart's lines by the warehouse that ships them (a line naming none: the default
        warehouse), each group weighed from its variants (`default_weight_g` a unit without
        a weight) and sent from its warehouse's address."""
        if not goods.lines:
            return []
        items = catalog.sellable(uow, {ln.sku for ln in goods.lines})
        warehouses = {w.id: w for w in uow.warehouses.list()}
        default = next((w.id for w in warehouses.values() if w.is_default and w.active),
                       next(iter(warehouses), ""))
        groups: dict[str, list[tuple[int, int, Money]]] = defaultdict(list)
        per_unit = self._engine.policy.default_weight_g
        for line in goods.lines:
            item = items.get(line.sku)
            weight = item.weight_grams if item is not None and item.weight_grams > 0 else per_unit
            groups[line.warehouse_id or default].append((line.quantity, weight, line.amount))
        consignments = []
        for warehouse_id, parts in groups.items():
            warehouse = warehouses.get(warehouse_id)
            origin = _origin(warehouse, destination)
            consignments.append(Consignment(
                warehouse_id, origin, sum(q * w for q, w, _ in parts),
                sum(q for q, _, _ in parts),
                sum((a for _, _, a in parts), Money.zero(goods.currency))))
        return consignments


def _origin(warehouse: object | None, destination: PostalAddress) -> PostalAddress:
    """Where a warehouse ships from. Without an address on file it quotes as if it were in the
    destination's country (a domestic parcel)."""
    if warehouse is None:
        return PostalAddress("shop", PLACEHOLDER_PHONE, "shop", destination.province,
                             destination.country_code)
    details = getattr(warehouse, "details")  # noqa: B009 - inventory's model stays internal
    a = details.address
    name = str(getattr(warehouse, "name"))  # noqa: B009

    def at(phone: str) -> PostalAddress:
        return PostalAddress(name, phone, a.line1 or name,
                             a.state_province or a.city or destination.province,
                             a.country_code or destination.country_code,
                             district=a.city or None, postal_code=a.postal_code or None)

    try:
        return at(details.phone or PLACEHOLDER_PHONE)
    except InvalidAddress:
        return at(PLACEHOLDER_PHONE)


def option_of(quote: IssuedQuote, *, cheapest: bool = False,
              fastest: bool = False) -> RateOption:
    return RateOption(
        quote.id, quote.method_code, quote.method_name, quote.amount, quote.amount.is_zero,
        quote.source.value, quote.expires_at, quote.carrier, quote.service,
        quote.estimated_days_min, quote.estimated_days_max, cheapest, fastest, quote.selected)


def _marked(quotes: list[IssuedQuote]) -> tuple[RateOption, ...]:
    """Options in the engine's order (cheapest first, then fastest), the cheapest and the
    fastest marked (the cheaper of equally fast ones)."""
    if not quotes:
        return ()
    cheapest = quotes[0].id
    timed = [q for q in quotes if q.estimated_days_max is not None]
    fastest = min(timed, key=lambda q: q.estimated_days_max or 0).id if timed else None
    return tuple(option_of(q, cheapest=q.id == cheapest, fastest=q.id == fastest)
                 for q in quotes)
