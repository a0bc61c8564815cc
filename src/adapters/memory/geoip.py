"""A GeoIP fake: countries and anonymous networks from tables, held to the MaxMind adapter's
contract suite (`tests/contract/test_geoip.py`)."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from commerce_core.fraud.errors import GeoDataUnavailable
from commerce_core.fraud.ports import Anonymity


class InMemoryGeoIp:
    """`countries` and `anonymous` map networks (CIDR) to what a lookup answers; None for a
    table means that database is not configured. `failing` makes every lookup raise it (a
    remote GeoIP timing out)."""

    def __init__(self, countries: Mapping[str, str] | None = None,
                 anonymous: Mapping[str, Anonymity] | None = None,
                 failing: Exception | None = None) -> None:
        self._countries = None if countries is None else {
            ipaddress.ip_network(k): v for k, v in countries.items()}
        self._anonymous = None if anonymous is None else {
            ipaddress.ip_network(k): v for k, v in anonymous.items()}
        self.failing = failing

    @staticmethod
    def _address(ip: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
        try:
            return ipaddress.ip_address(ip)
        except ValueError:
            raise GeoDataUnavailable(f"{ip!r} is not an IP address") from None

    def country(self, ip: str) -> str:
        if self.failing is not None:
            raise self.failing
        if self._countries is None:
            raise GeoDataUnavailable("no country database configured")
        address = self._address(ip)
        for network, country in self._countries.items():
            if address in network:
                return country
        raise GeoDataUnavailable(f"{ip} is not in the country database")

    def anonymity(self, ip: str) -> Anonymity:
        if self.failing is not None:
            raise self.failing
        if self._anonymous is None:
            raise GeoDataUnavailable("no anonymous-IP database configured")
        address = self._address(ip)
        for network, found in self._anonymous.items():
            if address in network:
                return found
        return Anonymity()
