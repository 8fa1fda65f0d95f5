"""Playwright driving Debian's Chromium (never a downloaded browser), headless.

Every step saves a screenshot under test-artifacts/; when a test fails, the
page's console errors and the last screenshot's path are printed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed; `make test` installs it")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # tests themselves are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


class Steps:
    """A page and its screenshots, named by test and step."""

    def __init__(self, page, name: str) -> None:
        self.page, self.name, self.count, self.last = page, name, 0, None
        shutil.rmtree(ARTIFACTS / name, ignore_errors=True)
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("response", self._response)

    def _console(self, message) -> None:
        # Failed loads are reported with their address by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def _response(self, response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed_requests.append(f"{response.status} {response.url}")

    def shot(self, step: str, **kwargs) -> Path:
        self.count += 1
        folder = ARTIFACTS / self.name
        folder.mkdir(parents=True, exist_ok=True)
        self.last = folder / f"{self.count:02d}-{step}.png"
        self.page.screenshot(path=str(self.last), full_page=kwargs.pop("full_page", True), **kwargs)
        return self.last


@pytest.fixture
def steps(chromium, request):
    context = chromium.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    recorder = Steps(page, request.node.name)
    request.node.browser_steps = recorder
    yield recorder
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    recorder = getattr(item, "browser_steps", None)
    if report.failed and recorder is not None:
        # The page may be gone; the report matters more than the picture.
        with contextlib.suppress(Exception):
            recorder.shot("failure")
        errors = "\n".join(recorder.console_errors) or "(none)"
        failed = "\n".join(recorder.failed_requests) or "(none)"
        report.sections.append(
            (
                "browser",
                f"last screenshot: {recorder.last}\nconsole errors:\n{errors}\n"
                f"failed requests:\n{failed}",
            )
        )
