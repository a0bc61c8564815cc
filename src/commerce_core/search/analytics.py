"""The search report computed from logged searches and interactions (the reference the SQL
adapter's aggregate queries are held to)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from commerce_core.search.ports import LoggedInteraction, LoggedSearch
from commerce_core.search.queries import SearchReport, TermStats


def summarise(searches: Iterable[LoggedSearch], interactions: Iterable[LoggedInteraction],
              since: datetime, until: datetime, limit: int) -> SearchReport:
    chosen = {s.query_id: s for s in searches if since <= s.occurred_at < until}
    clicks: dict[str, int] = {}
    carts: dict[str, int] = {}
    for interaction in interactions:
        if interaction.query_id not in chosen:
            continue
        counter = clicks if interaction.kind == "click" else carts
        counter[interaction.query_id] = counter.get(interaction.query_id, 0) + 1
    by_term: dict[str, list[LoggedSearch]] = {}
    for search in chosen.values():
        by_term.setdefault(search.text, []).append(search)
    stats = [
        TermStats(
            term=term, searches=len(group),
            zero_results=sum(1 for s in group if s.result_count == 0),
            clicks=sum(clicks.get(s.query_id, 0) for s in group),
            add_to_carts=sum(carts.get(s.query_id, 0) for s in group),
            average_results=sum(s.result_count for s in group) / len(group),
        )
        for term, group in by_term.items()
    ]
    top = sorted(stats, key=lambda t: (-t.searches, t.term))[:limit]
    zero = sorted((t for t in stats if t.zero_results),
                  key=lambda t: (-t.zero_results, t.term))[:limit]
    return SearchReport(
        since=since, until=until, searches=len(chosen),
        zero_result_searches=sum(1 for s in chosen.values() if s.result_count == 0),
        clicked_searches=sum(1 for q in chosen if clicks.get(q)),
        clicks=sum(clicks.values()), add_to_carts=sum(carts.values()),
        top_terms=tuple(top), zero_result_terms=tuple(zero),
    )
