"""The analytics dashboard: one server-rendered HTML page of headline figures and SVG charts,
served at `GET /admin/analytics/dashboard` and written to a file by the CLI."""

from entrypoints.dashboard.gather import gather, period
from entrypoints.dashboard.page import CONTENT_SECURITY_POLICY, Dashboard, Headline, render

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "Dashboard",
    "Headline",
    "gather",
    "period",
    "render",
]
