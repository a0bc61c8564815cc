"""The dashboard page as HTML: everything from the data escaped, and the one style block the
content security policy allows by its hash."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, date, datetime
from typing import Any

from entrypoints.dashboard import CONTENT_SECURITY_POLICY, Dashboard, Headline, render

HOSTILE = '<script>alert("x")</script>&'


def page(**fields: Any) -> str:
    return render(Dashboard(first=date(2026, 12, 1), last=date(2026, 12, 7),
                            generated_at=datetime(2026, 12, 7, 9, tzinfo=UTC), **fields))


def test_text_from_the_data_is_escaped_everywhere_on_the_page() -> None:
    html = page(zone=HOSTILE, headlines=(Headline("x", HOSTILE, HOSTILE, HOSTILE),),
                charts=((HOSTILE, "<svg></svg>"),), notes=(HOSTILE,))

    assert "<script" not in html
    assert html.count("&lt;script&gt;") == 6


def test_the_style_block_is_the_one_the_policy_allows() -> None:
    html = page()

    (style,) = re.findall(r"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY


def test_the_form_shows_the_period_and_a_headline_without_trend_has_no_sparkline() -> None:
    html = page(headlines=(Headline("orders", "Orders", "4"),
                           Headline("revenue-vnd", "Net revenue, VND", "1 VND", trend=(1, 2))))

    assert 'name="from" value="2026-12-01"' in html
    assert 'name="to" value="2026-12-07"' in html
    assert html.count("<svg") == 1
    assert 'id="spark-revenue-vnd"' in html
