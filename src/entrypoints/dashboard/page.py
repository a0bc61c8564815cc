"""The analytics dashboard as one HTML document: headline cards with sparklines, the charts,
and a from/to form. No script and nothing fetched: the styles are inline (allowed by their
hash in the content security policy) and the charts are inline SVG."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from typing import Final

from attrs import frozen

from entrypoints.charts import sparkline


@frozen
class Headline:
    """A headline figure: what it is, its value as text, a note (growth, definition), and the
    values per day its sparkline draws (none: no sparkline)."""

    key: str
    label: str
    value: str
    note: str = ""
    trend: tuple[int, ...] = ()


@frozen
class Dashboard:
    """What the page shows for the days `first`..`last` (both included, counted in `zone`):
    headline figures, then charts as (title, SVG) in order, then notes on how to read them."""

    first: date
    last: date
    generated_at: datetime
    zone: str = "UTC"
    headlines: tuple[Headline, ...] = ()
    charts: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


STYLE: Final = """
:root{color-scheme:light;--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--bg:#f8fafc;--accent:#0072B2}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;
  color:var(--ink);background:var(--bg)}
header{display:flex;flex-wrap:wrap;gap:12px 24px;align-items:end;justify-content:space-between;
  padding:20px 24px 8px}
h1{margin:0;font-size:22px}
header p{margin:2px 0 0;color:var(--muted)}
form.range{display:flex;gap:10px;align-items:end;flex-wrap:wrap}
form.range label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
form.range input{font:inherit;padding:5px 8px;border:1px solid #cbd5e1;border-radius:6px;
  background:#fff;color:var(--ink)}
form.range button{font:inherit;padding:6px 14px;border:0;border-radius:6px;background:var(--accent);
  color:#fff;cursor:pointer}
main{padding:8px 24px 24px;display:grid;gap:16px}
.headlines{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(200px,100%),1fr));
  gap:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(440px,100%),1fr));
  gap:16px}
.card{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card h2{margin:0 0 8px;font-size:13px;font-weight:600;color:var(--muted)}
.figure .value{margin:0;font-size:24px;font-weight:650;font-variant-numeric:tabular-nums}
.figure .note{margin:2px 0 6px;font-size:12px;color:var(--muted)}
svg.chart{display:block;max-width:100%;height:auto}
footer{padding:0 24px 24px;color:var(--muted);font-size:12px}
footer ul{margin:4px 0 0;padding-left:18px}
""".strip()

# The only thing the page may load or run is its own style block, allowed by its hash:
# no script, no frame, no image or font from elsewhere; the form posts back to this origin.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'; "
    "img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def _text(value: str) -> str:
    return escape(value, quote=True)


def render(dashboard: Dashboard) -> str:
    """The page as HTML text; every value from the data is escaped."""
    span = f"{dashboard.first.isoformat()} to {dashboard.last.isoformat()}"
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        # An empty icon of its own, so a browser does not ask the server for /favicon.ico
        # (a request the policy would refuse, with a console error).
        '<link rel="icon" href="data:,">',
        f"<title>Analytics dashboard, {_text(span)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<header><div><h1>Analytics dashboard</h1>",
        f"<p>{_text(span)} (days in {_text(dashboard.zone)}, both included)</p></div>",
        _range_form(dashboard.first, dashboard.last),
        "</header><main>",
        _headlines(dashboard.headlines),
        '<section class="charts" aria-label="Charts">',
        *(_card(title, svg) for title, svg in dashboard.charts),
        "</section></main>",
        _footer(dashboard),
        "</body></html>",
    ]
    return "".join(parts)


def _range_form(first: date, last: date) -> str:
    return (
        '<form class="range" method="get" aria-label="Period">'
        f'<label>From<input type="date" name="from" value="{first.isoformat()}" required>'
        "</label>"
        f'<label>To<input type="date" name="to" value="{last.isoformat()}" required></label>'
        '<button type="submit">Show</button></form>'
    )


def _headlines(headlines: Sequence[Headline]) -> str:
    cards = []
    for headline in headlines:
        spark = ""
        if headline.trend:
            spark = sparkline(list(headline.trend), chart_id=f"spark-{headline.key}",
                              title=f"{headline.label} per day")
        note = f'<p class="note">{_text(headline.note)}</p>' if headline.note else ""
        cards.append(
            f'<article class="card figure" data-figure="{_text(headline.key)}">'
            f"<h2>{_text(headline.label)}</h2>"
            f'<p class="value">{_text(headline.value)}</p>{note}{spark}</article>')
    return ('<section class="headlines" aria-label="Headline figures">'
            + "".join(cards) + "</section>")


def _card(title: str, svg: str) -> str:
    return f'<article class="card chart-card"><h2>{_text(title)}</h2>{svg}</article>'


def _footer(dashboard: Dashboard) -> str:
    notes = "".join(f"<li>{_text(note)}</li>" for note in dashboard.notes)
    listed = f"<ul>{notes}</ul>" if notes else ""
    generated = dashboard.generated_at.isoformat(timespec="seconds")
    return f"<footer><p>Generated {_text(generated)}.</p>{listed}</footer>"
