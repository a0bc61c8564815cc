"""GeoIp contract over the MaxMind adapter (databases written here) and the fake, plus what
only the MaxMind adapter meets: City databases, broken or mistyped files. When MaxMind's own
test databases are beside the repository (`../shared/fixtures/maxmind`), their documented
lookups are checked too, and the scores they lead to."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import netaddr
import pytest
from mmdb_writer import MMDBWriter

from adapters.geoip import MaxMindGeoIp
from adapters.memory import InMemoryGeoIp
from commerce_core.fraud.errors import GeoDataUnavailable
from commerce_core.fraud.ports import Anonymity, GeoIp, RiskFacts, RiskRequest
from commerce_core.fraud.services import RiskScreen
from commerce_core.shared.money import Money
from tests.contract import geoip_support as data


@pytest.fixture(params=["maxmind", "memory"])
def geoip(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GeoIp]:
    if request.param == "memory":
        yield InMemoryGeoIp(data.COUNTRIES, data.ANONYMOUS)
        return
    reader = MaxMindGeoIp(data.country_db(tmp_path), data.anonymous_db(tmp_path))
    yield reader
    reader.close()


@pytest.fixture(params=["maxmind", "memory"])
def unconfigured(request: pytest.FixtureRequest) -> GeoIp:
    return MaxMindGeoIp() if request.param == "maxmind" else InMemoryGeoIp()


def test_the_country_of_a_listed_address_v4_and_v6(geoip: GeoIp) -> None:
    assert geoip.country("198.51.100.7") == "VN"
    assert geoip.country("203.0.113.200") == "GB"
    assert geoip.country("2001:db8::1") == "DE"


def test_an_address_the_country_database_lacks_is_unavailable(geoip: GeoIp) -> None:
    with pytest.raises(GeoDataUnavailable, match=r"192\.0\.2\.1 is not in the country database"):
        geoip.country("192.0.2.1")


def test_anonymous_networks_answer_their_flags_and_network(geoip: GeoIp) -> None:
    vpn = geoip.anonymity("198.51.100.7")
    tor = geoip.anonymity("203.0.113.200")

    assert vpn == Anonymity(vpn=True, network="198.51.100.0/25")
    assert tor.flags == ("tor_exit_node", "hosting_provider")
    assert tor.network == "203.0.113.128/25"


def test_an_address_the_anonymous_database_lacks_is_an_ordinary_one(geoip: GeoIp) -> None:
    assert geoip.anonymity("198.51.100.200") == Anonymity()
    assert geoip.anonymity("192.0.2.1").flags == ()


def test_without_databases_every_lookup_is_unavailable(unconfigured: GeoIp) -> None:
    with pytest.raises(GeoDataUnavailable, match="no country database configured"):
        unconfigured.country("198.51.100.7")
    with pytest.raises(GeoDataUnavailable, match="no anonymous-IP database configured"):
        unconfigured.anonymity("198.51.100.7")


# -- the MaxMind adapter alone ----------------------------------------------------------------
def test_a_city_database_gives_the_country_too(tmp_path: Path) -> None:
    reader = MaxMindGeoIp(data.country_db(tmp_path, "GeoIP2-City"))

    assert reader.country("203.0.113.9") == "GB"


def test_a_missing_or_broken_file_makes_lookups_unavailable_not_the_start(
    tmp_path: Path,
) -> None:
    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(b"this is not a MaxMind database" * 10)

    reader = MaxMindGeoIp(tmp_path / "absent.mmdb", broken)

    with pytest.raises(GeoDataUnavailable, match="country database cannot be read"):
        reader.country("198.51.100.7")
    with pytest.raises(GeoDataUnavailable, match="anonymous-IP database cannot be read"):
        reader.anonymity("198.51.100.7")


def test_a_database_of_the_wrong_kind_is_unavailable(tmp_path: Path) -> None:
    country = data.country_db(tmp_path)
    reader = MaxMindGeoIp(data.anonymous_db(tmp_path), country)

    with pytest.raises(GeoDataUnavailable, match="not a City or Country database"):
        reader.country("198.51.100.7")
    with pytest.raises(GeoDataUnavailable, match="not an Anonymous-IP database"):
        reader.anonymity("198.51.100.7")


def test_an_ipv6_address_in_an_ipv4_database_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "v4.mmdb"
    writer = MMDBWriter(ip_version=4, database_type="GeoIP2-Country")
    writer.insert_network(netaddr.IPSet(["198.51.100.0/24"]), {"country": {"iso_code": "VN"}})
    writer.to_db_file(str(path))

    with pytest.raises(GeoDataUnavailable, match="country lookup of 2001:db8::1 failed"):
        MaxMindGeoIp(path).country("2001:db8::1")


# -- MaxMind's own test databases, when they are beside the repository ------------------------
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "maxmind"


@pytest.fixture
def maxmind_fixtures() -> Iterator[MaxMindGeoIp]:
    if not FIXTURES.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs with the MaxMind test databases, but {FIXTURES} is missing")
        pytest.skip(f"MaxMind's test databases are not at {FIXTURES}")
    reader = MaxMindGeoIp(FIXTURES / "GeoIP2-Country-Test.mmdb",
                          FIXTURES / "GeoIP2-Anonymous-IP-Test.mmdb")
    yield reader
    reader.close()


def test_the_documented_lookups_of_maxminds_test_databases(
    maxmind_fixtures: MaxMindGeoIp,
) -> None:
    geo = maxmind_fixtures

    assert geo.anonymity("1.2.0.1") == Anonymity(vpn=True, network="1.2.0.0/16")
    assert geo.anonymity("71.160.223.5").flags == ("hosting_provider",)
    assert geo.anonymity("186.30.236.9").flags == ("public_proxy",)
    assert geo.anonymity("65.0.0.1").flags == ("tor_exit_node",)
    assert geo.anonymity("2001:480:3a::1").flags == ("public_proxy",)
    assert geo.anonymity("8.8.8.8").flags == ()
    assert geo.anonymity("10.10.10.10") == Anonymity()
    assert geo.country("81.2.69.160") == "GB"
    assert geo.country("89.160.20.112") == "SE"
    with pytest.raises(GeoDataUnavailable):
        geo.country("1.1.1.1")


@pytest.mark.parametrize(("ip", "billing", "anonymous_ip", "ip_country_mismatch"), [
    ("1.2.0.1", "VN", 30, None),  # VPN; the country database lacks it
    ("65.0.0.1", "VN", 30, None),  # Tor exit node
    ("8.8.8.8", "VN", 0, None),  # listed, no flag
    ("81.2.69.160", "VN", 30, 20),  # every flag in the test file; GB against billing VN
    ("89.160.20.112", "SE", 0, 0),  # SE, as billed
])
def test_the_scores_maxminds_test_addresses_lead_to(
    maxmind_fixtures: MaxMindGeoIp, ip: str, billing: str, anonymous_ip: int,
    ip_country_mismatch: int | None,
) -> None:
    screen = RiskScreen(geoip=maxmind_fixtures)
    request = RiskRequest(client_ip=ip, billing_country=billing)
    facts = RiskFacts(request, Money(100_000, "VND"), screen.locate(request), None,
                      datetime.now(UTC))
    by_name = {score.name: score for score in (s.evaluate(facts) for s in screen.signals)}

    assert by_name["anonymous_ip"].points == anonymous_ip
    mismatch = by_name["ip_country_mismatch"]
    assert (mismatch.points if mismatch.available else None) == ip_country_mismatch

