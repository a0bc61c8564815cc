"""`commerce.shipping_rates`: shipping methods and rate quotes as plain methods."""

from __future__ import annotations

import builtins

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.shipping import rate_commands as rc
from commerce_core.shipping.methods import MethodSpec, ShippingMethod
from commerce_core.shipping.ports import ShippingMethodsUnitOfWork
from commerce_core.shipping.rate_errors import ShippingMethodNotFound
from commerce_core.shipping.rate_handlers import option_of
from commerce_core.shipping.rate_queries import RateOption, RateQuotes


class ShippingRatesApi:
    """The shop's shipping methods, and the quotes a cart is offered."""

    def __init__(self, handle: Handle,
                 read: UnitOfWorkFactory[ShippingMethodsUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    # -- shoppers -------------------------------------------------------------------------------
    def quote(self, cart_id: str, destination: PostalAddress) -> RateQuotes:
        """Every enabled method priced for the cart shipped to `destination`; each option's
        `quote_id` may be charged until it expires."""
        result: RateQuotes = self._handle(rc.QuoteShipping(cart_id, destination))
        return result

    def select(self, cart_id: str, quote_id: str) -> RateOption:
        """Choose one of the cart's quotes (refused when expired, foreign or out of date)."""
        result: RateOption = self._handle(rc.SelectShippingQuote(cart_id, quote_id))
        return result

    def issued(self, quote_id: str) -> RateOption:
        with self._read() as uow:
            return option_of(uow.shipping_quotes.get(quote_id))

    def destination_of(self, quote_id: str) -> PostalAddress:
        """The address a quote was issued for (an order placed with it ships there)."""
        with self._read() as uow:
            return uow.shipping_quotes.get(quote_id).destination

    def selected(self, cart_id: str) -> RateOption | None:
        with self._read() as uow:
            chosen = [q for q in uow.shipping_quotes.for_cart(cart_id) if q.selected]
        return option_of(chosen[0]) if chosen else None

    # -- operators ------------------------------------------------------------------------------
    def create_method(self, code: str, spec: MethodSpec, *, enabled: bool = True) -> str:
        return str(self._handle(rc.CreateShippingMethod(code, spec, enabled)))

    def change_method(self, code: str, spec: MethodSpec) -> None:
        self._handle(rc.ChangeShippingMethod(code, spec))

    def enable_method(self, code: str) -> None:
        self._handle(rc.EnableShippingMethod(code))

    def disable_method(self, code: str) -> None:
        self._handle(rc.DisableShippingMethod(code))

    def methods(self) -> builtins.list[ShippingMethod]:
        with self._read() as uow:
            return uow.shipping_methods.list()

    def method(self, code: str) -> ShippingMethod:
        with self._read() as uow:
            found = uow.shipping_methods.by_code(code.strip().lower())
        if found is None:
            raise ShippingMethodNotFound(f"no shipping method {code!r}", code=code)
        return found
