"""Which addresses a webhook may be sent to (server-side request forgery protection).

A target's host is resolved when it is checked and again when it is called; every address it
resolves to must be public, and the request then goes to the address that was checked (so a
DNS answer that changes in between cannot point the shop at itself). Refused unless allowed:
private, loopback, link-local, multicast, reserved, unspecified and shared (CGNAT) ranges, in
IPv4 and IPv6, IPv4-mapped, 6to4 and Teredo addresses judged by the IPv4 address they carry.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from commerce_core.webhooks.errors import TargetRefused

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""Host and port to the IP addresses it resolves to."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def forbidden(address: IpAddress) -> bool:
    """Whether an address is one a webhook must not reach (not globally routable)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and forbidden(embedded):
            return True
    return (not address.is_global or address.is_private or address.is_loopback
            or address.is_link_local or address.is_multicast or address.is_reserved
            or address.is_unspecified)


def port_of(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


class TargetPolicy:
    """Resolves a target URL and says which address to call, or refuses it."""

    def __init__(self, *, allow_private: bool = False,
                 resolver: Resolver = system_resolver) -> None:
        self.allow_private, self._resolve = allow_private, resolver

    def addresses(self, url: str) -> list[IpAddress]:
        """Every address the URL's host stands for, all allowed; else `TargetRefused`."""
        parts = urlsplit(url)
        host = parts.hostname
        if parts.scheme not in ("http", "https") or not host:
            raise TargetRefused("only http and https URLs with a host are targets", url=url)
        try:
            found: list[IpAddress] = [ipaddress.ip_address(host)]
        except ValueError:
            try:
                found = [ipaddress.ip_address(a.split("%", 1)[0])
                         for a in self._resolve(host, port_of(parts.scheme, parts.port))]
            except (OSError, UnicodeError, ValueError) as exc:
                raise TargetRefused(f"the target host {host} does not resolve",
                                    host=host) from exc
        if not found:
            raise TargetRefused(f"the target host {host} does not resolve", host=host)
        if not self.allow_private:
            refused = [str(a) for a in found if forbidden(a)]
            if refused:
                raise TargetRefused(
                    f"the target host {host} is a private, loopback, link-local or reserved "
                    f"address ({', '.join(refused)}); COMMERCE_WEBHOOKS_ALLOW_PRIVATE_TARGETS "
                    "allows such targets", host=host, addresses=refused)
        return found
