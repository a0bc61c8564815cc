"""The README's promises: its embedding snippet runs, and its configuration table is complete."""

from __future__ import annotations

import re
from pathlib import Path

from entrypoints.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_embedding_snippet_runs_as_written() -> None:
    section = README.split("## Embedding", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    assert snippet is not None

    exec(compile(snippet.group(1), "README.md", "exec"), {})


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(COMMERCE_[A-Z_]+)`", README))

    expected = {f"COMMERCE_{name.upper()}" for name in Settings.model_fields}

    assert expected <= documented, expected - documented
