"""Headless Chromium for tests, driven through Playwright: the Debian build at a path we name
(Playwright never downloads a browser here), and a page that records what a person would not
see but a test must: console errors, script errors, failed and outgoing requests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, ConsoleMessage, Page, Request, sync_playwright

# No sandbox (CI runs as root), no GPU, and nothing the browser would fetch on its own
# (component updates, sync, safe-browsing lists): the only traffic is the test's.
CHROMIUM_ARGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
)


@contextmanager
def launch(executable: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable,
                                             args=list(CHROMIUM_ARGS), timeout=30_000)
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """A fresh browser context (own cookies and cache) with `headers` on every request, and a
    page whose console errors, uncaught script errors and requests are kept for asserting."""

    def __init__(self, browser: Browser, headers: dict[str, str] | None = None,
                 viewport: tuple[int, int] = (1280, 900), *, javascript: bool = True) -> None:
        self.context = browser.new_context(
            extra_http_headers=headers or {},
            viewport={"width": viewport[0], "height": viewport[1]},
            java_script_enabled=javascript)
        self.page: Page = self.context.new_page()
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", self._failed)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _failed(self, request: Request) -> None:
        self.failed.append(f"{request.url}: {request.failure}")

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def attribute_of_all(self, selector: str, name: str) -> list[Any]:
        return [self.page.locator(selector).nth(i).get_attribute(name)
                for i in range(self.count(selector))]

    def close(self) -> None:
        self.context.close()

    def __enter__(self) -> Visit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
