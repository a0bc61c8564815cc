"""The `GeoIp` port over MaxMind DB files."""

from __future__ import annotations

import logging
from pathlib import Path

import geoip2.database
import geoip2.errors
import geoip2.models
import maxminddb

from commerce_core.fraud.errors import GeoDataUnavailable
from commerce_core.fraud.ports import Anonymity

log = logging.getLogger("commerce.geoip")

# What a reader can raise on a lookup besides "not found": a broken file, an IPv6 address in an
# IPv4-only database, a method that does not fit the database type.
_LOOKUP_ERRORS = (maxminddb.InvalidDatabaseError, ValueError, TypeError, OSError)


def _open(path: str | Path | None, what: str) -> tuple[geoip2.database.Reader | None, str]:
    """The reader, or None with the reason its lookups are unavailable."""
    if path is None or str(path) == "":
        return None, f"no {what} database configured"
    try:
        return geoip2.database.Reader(str(path)), ""
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
        log.warning("%s database %s cannot be read: %s", what, path, type(exc).__name__)
        return None, f"the {what} database cannot be read ({type(exc).__name__})"


class MaxMindGeoIp:
    """`country_db`: a GeoIP2/GeoLite2 City or Country database; `anonymous_db`: a GeoIP2
    Anonymous-IP or GeoIP Anonymous Plus database. Either may be left out."""

    def __init__(self, country_db: str | Path | None = None,
                 anonymous_db: str | Path | None = None) -> None:
        self._country, self._country_gap = _open(country_db, "country")
        self._anonymous, self._anonymous_gap = _open(anonymous_db, "anonymous-IP")
        self._country_kind = self._kind(self._country)
        self._anonymous_kind = self._kind(self._anonymous)

    @staticmethod
    def _kind(reader: geoip2.database.Reader | None) -> str:
        return "" if reader is None else reader.metadata().database_type

    def country(self, ip: str) -> str:
        reader = self._country
        if reader is None:
            raise GeoDataUnavailable(self._country_gap)
        try:
            if "City" in self._country_kind:
                found = reader.city(ip).country.iso_code
            elif "Country" in self._country_kind:
                found = reader.country(ip).country.iso_code
            else:
                raise GeoDataUnavailable(
                    f"{self._country_kind} is not a City or Country database")
        except geoip2.errors.AddressNotFoundError:
            raise GeoDataUnavailable(f"{ip} is not in the country database") from None
        except _LOOKUP_ERRORS as exc:
            raise GeoDataUnavailable(
                f"country lookup of {ip} failed ({type(exc).__name__})") from None
        if not found:
            raise GeoDataUnavailable(f"the country database has no country for {ip}")
        return found

    def anonymity(self, ip: str) -> Anonymity:
        reader = self._anonymous
        if reader is None:
            raise GeoDataUnavailable(self._anonymous_gap)
        record: geoip2.models.AnonymousIP
        try:
            if "Anonymous-Plus" in self._anonymous_kind:
                record = reader.anonymous_plus(ip)
            elif "Anonymous-IP" in self._anonymous_kind:
                record = reader.anonymous_ip(ip)
            else:
                raise GeoDataUnavailable(
                    f"{self._anonymous_kind} is not an Anonymous-IP database")
        except geoip2.errors.AddressNotFoundError:
            # These databases list anonymous networks only: absence is an ordinary address.
            return Anonymity()
        except _LOOKUP_ERRORS as exc:
            raise GeoDataUnavailable(
                f"anonymous-IP lookup of {ip} failed ({type(exc).__name__})") from None
        network = record.network
        return Anonymity(
            vpn=record.is_anonymous_vpn, public_proxy=record.is_public_proxy,
            tor_exit_node=record.is_tor_exit_node, hosting_provider=record.is_hosting_provider,
            residential_proxy=record.is_residential_proxy,
            network=str(network) if network is not None else None,
        )

    def close(self) -> None:
        for reader in (self._country, self._anonymous):
            if reader is not None:
                reader.close()
