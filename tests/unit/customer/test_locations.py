"""The location hierarchy: parents exactly one level above (scenario 12), Vietnam's 2025
two-level scheme as a data change, the file loader, queries, and a cache that forgets what a
change touches (scenario 29)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from adapters.locations import load_directory, load_tree, parse, sample_path
from commerce_core.customer.errors import InvalidLocation, LocationNotFound
from commerce_core.customer.locations import Location, Locations, LocationTree, TreeDirectory


def loc(location_id: str, kind: str, parent: str | None, **extra: object) -> Location:
    return Location(location_id, location_id.upper(), location_id.title(), kind, parent, "VN",
                    **extra)  # type: ignore[arg-type]


FIVE_LEVELS = [loc("vn", "country", None), loc("hcm", "state", "vn"),
               loc("thu-duc", "city", "hcm"), loc("q1", "district", "thu-duc"),
               loc("ben-nghe", "ward", "q1")]


def test_a_ward_whose_parent_is_a_city_two_levels_up_is_invalid() -> None:
    with pytest.raises(InvalidLocation, match="exactly one level above"):
        LocationTree([*FIVE_LEVELS, loc("an-khanh", "ward", "thu-duc")])


def test_the_five_level_scheme_holds_when_each_parent_is_one_level_up() -> None:
    tree = LocationTree(FIVE_LEVELS)

    assert len(tree) == 5
    assert tree.level_of(tree.get("ben-nghe")) == 4


def test_vietnam_2025_is_province_then_ward_by_data_alone() -> None:
    tree = parse([
        {"id": "vn", "code": "VN", "name": "Việt Nam", "type": "country", "country_code": "VN"},
        {"id": "hn", "code": "HN", "name": "Hà Nội", "type": "province", "parent_id": "vn"},
        {"id": "hk", "code": "HK", "name": "Phường Hoàn Kiếm", "type": "ward",
         "parent_id": "hn"},
    ], ["country", "province", "ward"])

    assert tree.get("hk").country_code == "VN"  # inherited from the country
    assert [c.id for c in tree.children("hn")] == ["hk"]


@pytest.mark.parametrize(("rows", "message"), [
    ([{"id": "x", "code": "X", "name": "X", "type": "planet"}], "not one of"),
    ([{"id": "p", "code": "P", "name": "P", "type": "state"}], "needs a parent"),
    ([{"id": "vn", "code": "VN", "name": "VN", "type": "country"},
      {"id": "a", "code": "A", "name": "A", "type": "state", "parent_id": "vn"},
      {"id": "b", "code": "A", "name": "B", "type": "state", "parent_id": "vn"}],
     "used twice"),
    ([{"id": "vn", "code": "VN", "name": "VN", "type": "country", "latitude": 91,
       "longitude": 10}], "latitude"),
    ([{"id": "vn", "code": "VN", "name": "VN", "type": "country", "latitude": 10}],
     "both coordinates"),
    ([{"id": "vn", "code": "VN", "name": "VN", "type": "country"},
      {"id": "a", "code": "A", "name": "A", "type": "state", "parent_id": "nope"}],
     "does not exist"),
    ([{"id": "vn", "name": "VN", "type": "country"}], "malformed"),
])
def test_bad_location_data_is_refused_naming_the_problem(
        rows: list[dict[str, object]], message: str) -> None:
    with pytest.raises(InvalidLocation, match=message):
        parse(rows)


def test_the_shipped_sample_loads_and_answers_paths() -> None:
    locations = Locations(load_directory(sample_path()))

    path = [p.name for p in locations.path("vn-dn-hai-chau")]
    provinces = locations.children("vn")

    assert path == ["Việt Nam", "Thành phố Đà Nẵng", "Phường Hải Châu"]
    assert len(provinces) >= 4
    assert all(p.type == "province" for p in provinces)
    assert [a.id for a in locations.ancestors("vn-dn-hai-chau")] == ["vn-dn", "vn"]
    assert locations.validate("vn-dn-hai-chau", parent_id="vn-dn").valid
    assert not locations.validate("vn-dn-hai-chau", parent_id="vn-hcm").valid


def test_a_csv_file_with_its_levels_loads_too(tmp_path: Path) -> None:
    path = tmp_path / "vn.csv"
    path.write_text(
        "# levels: country,province,district,ward\n"
        "id,code,name,type,parent_id,country_code,postal_codes\n"
        "vn,VN,Việt Nam,country,,VN,\n"
        "hcm,79,TP Hồ Chí Minh,province,vn,,700000;710000\n"
        "q1,760,Quận 1,district,hcm,,\n"
        "bn,26734,Phường Bến Nghé,ward,q1,,\n", encoding="utf-8")

    tree = load_tree(path)

    assert tree.levels == ("country", "province", "district", "ward")
    assert tree.get("hcm").postal_codes == ("700000", "710000")
    assert tree.get("bn").country_code == "VN"


def test_an_unreadable_or_malformed_file_says_which_and_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"places": []}), encoding="utf-8")

    with pytest.raises(InvalidLocation, match="not JSON"):
        load_tree(broken)
    with pytest.raises(InvalidLocation, match="`locations` list"):
        load_tree(wrong)
    with pytest.raises(InvalidLocation, match="cannot read"):
        load_tree(tmp_path / "missing.json")


def test_updating_a_location_forgets_its_entry_and_every_tree_containing_it() -> None:
    locations = Locations(load_directory(sample_path()))
    locations.get("vn-hcm-ben-thanh")
    locations.get("vn-hn-hoan-kiem")
    locations.tree("vn", depth=2)
    locations.tree("vn-hcm", depth=1)
    locations.tree("vn-hn", depth=1)
    assert {"vn-hcm-ben-thanh", "vn-hn-hoan-kiem"} <= locations.cached_ids()

    renamed = locations.rename("vn-hcm-ben-thanh", "Phường Bến Thành (mới)")

    assert "vn-hcm-ben-thanh" not in locations.cached_ids()
    assert "vn-hn-hoan-kiem" in locations.cached_ids()  # unrelated: kept
    assert locations.cached_trees() == {("vn-hn", 1)}
    assert locations.get("vn-hcm-ben-thanh") == renamed
    names = [c.location.name for c in locations.tree("vn-hcm", 1).children]
    assert "Phường Bến Thành (mới)" in names


def test_moving_a_location_forgets_the_trees_of_its_old_parent() -> None:
    directory = TreeDirectory(LocationTree([
        loc("vn", "country", None), loc("a", "state", "vn"), loc("b", "state", "vn"),
        loc("a1", "city", "a")], ("country", "state", "city")))
    locations = Locations(directory)
    locations.tree("a", 1)
    locations.tree("b", 1)

    locations.update(attrs.evolve(locations.get("a1"), parent_id="b"))

    assert locations.cached_trees() == set()
    assert [c.id for c in locations.children("b")] == ["a1"]


def test_a_change_that_breaks_the_hierarchy_is_refused_and_changes_nothing() -> None:
    locations = Locations(TreeDirectory(LocationTree(FIVE_LEVELS)))
    locations.tree("hcm", 3)

    with pytest.raises(InvalidLocation):
        locations.update(attrs.evolve(locations.get("ben-nghe"), parent_id="thu-duc"))

    assert locations.get("ben-nghe").parent_id == "q1"
    with pytest.raises(LocationNotFound):
        locations.get("nowhere")
