"""Structural rules the code must keep."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from commerce_core import Commerce
from commerce_core.shared.events import event_types
from tests.shop import make_commerce

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "src" / "commerce_core"
FACES = {"__init__", "commands", "events", "errors", "queries", "ports", "services"}


def contexts() -> list[str]:
    return sorted(
        p.name for p in CORE.iterdir() if (p / "__init__.py").exists() and p.name != "shared"
    )


def contracts() -> list[dict[str, Any]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found: list[dict[str, Any]] = config["tool"]["importlinter"]["contracts"]
    return found


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


def test_every_module_of_a_context_is_its_face_or_protected_by_a_contract() -> None:
    protected: dict[str, set[str]] = {}
    for contract in contracts():
        if contract["type"] == "protected":
            owner = contract["allowed_importers"][0].removeprefix("commerce_core.")
            protected[owner] = set(contract["protected_modules"])
    unguarded = []
    for context in contexts():
        for module in (CORE / context).iterdir():
            name = module.stem if module.suffix == ".py" else module.name
            if name in FACES or name == "__pycache__" or module.suffix not in (".py", ""):
                continue
            if f"commerce_core.{context}.{name}" not in protected.get(context, set()):
                unguarded.append(f"{context}.{name}")

    assert unguarded == [], "add them to the context's protected contract in pyproject.toml"


def test_every_context_has_a_place_in_the_layers() -> None:
    (layers,) = [c["layers"] for c in contracts() if c["type"] == "layers"]
    placed = {name.strip() for layer in layers for name in layer.split("|")}

    assert set(contexts()) <= placed


VIOLATIONS = {
    # a context reaching into another's internals
    "cart/services.py": ("from commerce_core.inventory import model\n", "inventory: internals"),
    # a lower context importing a higher one: a cycle in the making
    "pricing/services.py": ("from commerce_core.cart import queries as _q\n", "form layers"),
}


@pytest.mark.slow
@pytest.mark.parametrize("module", sorted(VIOLATIONS))
def test_an_import_that_breaks_the_rules_fails_the_import_contracts(
    module: str, tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    line, contract = VIOLATIONS[module]
    target = tmp_path / "src" / "commerce_core" / module
    target.write_text(target.read_text() + line)

    run = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1, run.stdout
    broken = run.stdout.partition("Broken contracts")[2]
    assert contract in broken, run.stdout


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
