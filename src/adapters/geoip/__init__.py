"""GeoIP over MaxMind databases (`geoip2` readers): the country of an address from a City or
Country database, and whether it is a VPN, proxy, Tor exit or hosting network from an
Anonymous-IP (or Anonymous Plus) database. Each reader is opened once; what is missing or broken
makes its lookups unavailable (the fraud signals fail open), never an error at startup."""

from adapters.geoip.maxmind import MaxMindGeoIp

__all__ = ["MaxMindGeoIp"]
