"""The permission catalogue table of `docs/authorization.md`, built from the declarations of the
HTTP routes and CLI commands themselves, so the page cannot drift from the code.

    uv run python -m entrypoints.accessdocs          # print the table
    uv run python -m entrypoints.accessdocs --check  # exit 1 when the page's table differs
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import adapters.memory
from commerce_core.app import Commerce
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import LOCAL, commands, declared_permission
from entrypoints.cli.main import app as cli
from entrypoints.http.app import create_app
from entrypoints.settings import Settings

PAGE = Path(__file__).resolve().parents[2] / "docs" / "authorization.md"


def permission_table() -> str:
    api = create_app(Commerce(adapters.memory.bundle()), Settings(database_url="memory://"))
    http: dict[str, list[str]] = defaultdict(list)
    for path, item in api.openapi()["paths"].items():
        for method, operation in item.items():
            http[operation.get("x-permission") or operation["x-access"]].append(
                f"`{method.upper()} {path}`")
    cmds: dict[str, list[str]] = defaultdict(list)
    for name, callback in commands(cli):
        cmds[declared_permission(callback) or "?"].append(f"`{name}`")
    rows = ["| permission | HTTP operations | CLI commands |", "|---|---|---|"]
    for key in [p.value for p in Permission]:
        rows.append(f"| `{key}` | {', '.join(http[key]) or '-'} | {', '.join(cmds[key]) or '-'} |")
    rows.append(f"| shopper (owner or `X-Cart-Token`) | {', '.join(http['shopper'])} | - |")
    rows.append(f"| public | {', '.join(http['public'])} | - |")
    rows.append(f"| local (no token) | - | {', '.join(cmds[LOCAL])} |")
    return "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    table = permission_table()
    if "--check" in argv:
        if table not in PAGE.read_text(encoding="utf-8"):
            print(f"{PAGE.name}: the permission table is stale; regenerate it with "
                  "`uv run python -m entrypoints.accessdocs`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
