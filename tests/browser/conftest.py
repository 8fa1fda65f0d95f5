"""Playwright driving Debian's Chromium (never a downloaded browser), headless.

Every step saves a screenshot under test-artifacts/; when a test fails, the
page's console errors and the last screenshot's path are printed.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ci import unavailable

LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1"}

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture
def chromium(monkeypatch):
    """A browser for one test. Playwright's sync API runs an event loop in this thread
    while it lives, and Django then keeps the test's database connection per context,
    not per thread: that connection is closed here, before the loop ends, so no test
    after this one (and no database teardown) finds it still open."""
    if not Path(CHROMIUM).exists():
        unavailable("Debian's chromium is not installed; `make test` installs it")
    # The ORM calls of the tests themselves are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


class Steps:
    """One person's browser page and its screenshots, numbered in the order taken across
    everyone in the test."""

    def __init__(self, page, folder: Path, who: str, counter: list[int]) -> None:
        self.page, self.folder, self.who, self.counter = page, folder, who, counter
        self.last: Path | None = None
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        # Nothing leaves this machine: other hosts are refused and listed here.
        self.outside: list[str] = []
        page.context.route("**/*", self._local_only)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # Failed loads are reported with their address by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _local_only(self, route) -> None:
        host = urlsplit(route.request.url).hostname
        if host in LOCAL or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _response(self, response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed_requests.append(f"{response.status} {response.url}")

    def shot(self, step: str, **kwargs) -> Path:
        self.counter[0] += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        who = f"{self.who}-" if self.who else ""
        self.last = self.folder / f"{self.counter[0]:02d}-{who}{step}.png"
        self.page.screenshot(path=str(self.last), full_page=kwargs.pop("full_page", True), **kwargs)
        return self.last

    def report(self) -> str:
        def listed(items: list[str]) -> str:
            return "\n".join(items) or "(none)"

        return (
            f"[{self.who or 'browser'}] last screenshot: {self.last}\n"
            f"console errors:\n{listed(self.console_errors)}\n"
            f"failed requests:\n{listed(self.failed_requests)}\n"
            f"refused requests to other hosts:\n{listed(self.outside)}"
        )


@pytest.fixture
def people(chromium, request):
    """Opens a browser session (its own cookies) per person: `people("annotator-1")`."""
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    counter, opened = [0], []
    request.node.browser_people = opened

    def open_session(who: str = "") -> Steps:
        context = chromium.new_context(viewport={"width": 1440, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(20_000)
        opened.append(Steps(page, folder, who, counter))
        return opened[-1]

    yield open_session
    for recorder in opened:
        recorder.page.context.close()


@pytest.fixture
def steps(people) -> Steps:
    return people()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    opened = getattr(item, "browser_people", [])
    if report.failed and opened:
        # The page may be gone; the report matters more than the picture.
        with contextlib.suppress(Exception):
            opened[-1].shot("failure")
        report.sections.append(("browser", "\n\n".join(r.report() for r in opened)))
