"""The one place where the core's errors become the command line's exit codes."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from commerce_core import CommerceError

EXIT_ERROR = 1  # an expected refusal from the core; Typer itself exits 2 for bad usage


def error_line(error: CommerceError) -> str:
    return f"error: {' '.join(error.message.split())} [{error.code}]"


class ReportingGroup(TyperGroup):
    """The root command group. Every subcommand runs inside its `invoke`, so a `CommerceError`
    raised anywhere below becomes one line on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # a click Context from Typer's private vendored copy
        try:
            return super().invoke(ctx)
        except CommerceError as error:
            typer.echo(error_line(error), err=True)
            raise typer.Exit(EXIT_ERROR) from None
