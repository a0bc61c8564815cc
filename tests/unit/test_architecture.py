"""Structural rules the code must keep."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from commerce_core import Commerce
from commerce_core.shared.events import event_types
from tests.shop import make_commerce

CORE = Path(__file__).resolve().parents[2] / "src" / "commerce_core"


def test_the_core_imports_only_the_standard_library_and_attrs() -> None:
    allowed = set(sys.stdlib_module_names) | {"attrs", "commerce_core", "__future__"}
    offenders = []
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] not in allowed]

    assert offenders == []


def test_every_event_a_subscriber_waits_for_has_a_publisher() -> None:
    commerce: Commerce = make_commerce()
    published = set(event_types())

    awaited = {subscriber.event_type for subscriber in commerce.bus.subscribers()}

    assert awaited <= published, awaited - published


def test_subscriber_names_are_unique_because_they_key_the_inbox() -> None:
    names = [s.name for s in make_commerce().bus.subscribers()]

    assert len(names) == len(set(names))


def test_every_package_ships_its_typing_marker() -> None:
    """PEP 561: `py.typed` in each top-level package; the wheel takes the package folders
    whole (`tool.hatch.build.targets.wheel.packages`), markers included."""
    import tomllib

    src = CORE.parent
    pyproject = tomllib.loads((src.parent / "pyproject.toml").read_text())
    packaged = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]

    for package in ("commerce_core", "adapters", "entrypoints"):
        assert (src / package / "py.typed").is_file(), package
        assert f"src/{package}" in packaged
