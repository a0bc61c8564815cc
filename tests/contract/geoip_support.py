"""Small MaxMind databases written in the tests (no file from outside the repository), and the
same data as the GeoIP fake's tables, so both adapters answer one contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import netaddr
from mmdb_writer import MMDBWriter

from commerce_core.fraud.ports import Anonymity

COUNTRIES = {"198.51.100.0/24": "VN", "203.0.113.0/24": "GB", "2001:db8::/32": "DE"}
ANONYMOUS = {
    "198.51.100.0/25": Anonymity(vpn=True, network="198.51.100.0/25"),
    "203.0.113.128/25": Anonymity(tor_exit_node=True, hosting_provider=True,
                                  network="203.0.113.128/25"),
}


def _record(found: Anonymity) -> dict[str, Any]:
    return {"is_anonymous": True, "is_anonymous_vpn": found.vpn,
            "is_public_proxy": found.public_proxy, "is_tor_exit_node": found.tor_exit_node,
            "is_hosting_provider": found.hosting_provider,
            "is_residential_proxy": found.residential_proxy}


def write(path: Path, database_type: str, records: dict[str, dict[str, Any]]) -> Path:
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type=database_type)
    for network, record in records.items():
        writer.insert_network(netaddr.IPSet([network]), record)
    writer.to_db_file(str(path))
    return path


def country_db(folder: Path, database_type: str = "GeoIP2-Country") -> Path:
    records = {net: {"country": {"iso_code": code, "names": {"en": code}}}
               for net, code in COUNTRIES.items()}
    if "City" in database_type:
        records = {net: {**r, "city": {"names": {"en": "Somewhere"}}}
                   for net, r in records.items()}
    return write(folder / f"{database_type}.mmdb", database_type, records)


def anonymous_db(folder: Path) -> Path:
    return write(folder / "GeoIP2-Anonymous-IP.mmdb", "GeoIP2-Anonymous-IP",
                 {net: _record(found) for net, found in ANONYMOUS.items()})
