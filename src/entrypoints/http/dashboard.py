"""`GET /admin/analytics/dashboard`: the analytics dashboard as an HTML page for staff.

The page is complete as sent: inline styles and inline SVG charts, no script, nothing loaded
from anywhere (the content security policy forbids it), so it works offline, behind strict
proxies, and in a browser with scripts turned off. The from/to form reloads it by GET."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from commerce_core.shared.permissions import Permission
from entrypoints.dashboard import CONTENT_SECURITY_POLICY, gather, period, render
from entrypoints.http.access import permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.schemas.common import Day

admin = APIRouter(tags=["analytics"])

# The figures are the shop's business: never cached on the way, never framed, never sniffed.
HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


@admin.get(
    "/analytics/dashboard", response_class=HTMLResponse,
    dependencies=[permit(Permission.ANALYTICS_READ)],
    summary="The analytics dashboard: headline figures and charts, as an HTML page",
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
def dashboard(
    commerce: CommerceDep,
    first: Annotated[Day | None, Query(
        alias="from", description="First day shown (`YYYY-MM-DD`, in the analytics "
                                  "timezone, 1970-9000); by default 29 days before `to`")]
    = None,
    last: Annotated[Day | None, Query(
        alias="to", description="Last day shown, included (by default 29 days after `from`, "
                                "or today); not before `from`, at most 366 days in all")]
    = None,
) -> HTMLResponse:
    shown = period(commerce, first, last)
    return HTMLResponse(render(gather(commerce, shown)), headers=HEADERS)
