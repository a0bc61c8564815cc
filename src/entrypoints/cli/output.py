"""Terminal output shared by the commands: one console, and how times and outcomes read."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.text import Text

# Markup is off: names, reasons and emails come from users, and rich would swallow anything in
# them that looks like a `[tag]`. Styles are applied with `Text` instead. Created once; rich looks
# up sys.stdout on every write, so test runners that swap it still see everything.
console = Console(highlight=False, markup=False, soft_wrap=True)


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def styled(text: str, style: str) -> Text:
    return Text(text, style=style)


def ok(text: str) -> None:
    console.print(Text.assemble(("✓", "green"), " ", text))


def failed(text: str) -> None:
    console.print(Text.assemble(("✗", "red"), " ", text))
