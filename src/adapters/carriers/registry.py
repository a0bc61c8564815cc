"""The carriers a shop is configured with, by code (`commerce_core.shipping.ports.Carriers`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from commerce_core.shipping.ports import Carrier


class CarrierRegistry:
    def __init__(self, carriers: Iterable[Carrier] = ()) -> None:
        self._carriers: dict[str, Carrier] = {}
        for carrier in carriers:
            self.add(carrier)

    def add(self, carrier: Carrier) -> None:
        if carrier.code in self._carriers:
            raise ValueError(f"carrier {carrier.code!r} is configured twice")
        self._carriers[carrier.code] = carrier

    def get(self, code: str) -> Carrier | None:
        return self._carriers.get(code)

    def codes(self) -> Sequence[str]:
        return tuple(self._carriers)
