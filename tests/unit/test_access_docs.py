"""The permission table of docs/authorization.md is the one the declarations give."""

from __future__ import annotations

from entrypoints.accessdocs import PAGE, main, permission_table


def test_the_pages_table_is_the_declarations() -> None:
    assert permission_table() in PAGE.read_text(encoding="utf-8")
    assert main(["--check"]) == 0
