"""What every browser test needs: Debian's Chromium through Playwright, staff sign-in, and the
axe-core accessibility check.

    pytestmark = browser.marks
    with browser.chromium() as chrome:
        page = chrome.new_page(locale="lt-LT")
        browser.sign_in_staff(page, live_server, username="manager", backup_code=code)
        assert browser.serious_violations(page) == []

No browser is ever downloaded (scripts/ensure-chromium.sh installs Debian's package); axe-core
comes from the npm registry (package-lock.json) and is injected from the static files, so the
check needs no network. Playwright's sync API runs an event loop in the test's thread: create the
test's data before the browser starts (the live server answers from its own threads).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD

CHROMIUM = shutil.which("chromium")
# Without the background-networking flags Chromium keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}

marks = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None, reason="chromium is not installed: run scripts/ensure-chromium.sh"
    ),
]


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium, closed afterwards."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def sign_in_staff(
    page: Any, live_server: Any, *, username: str, backup_code: str | None, next_url: str = "/"
) -> None:
    """The staff sign-in as a person does it: password, then (when given) a backup code."""
    page.goto(f"{live_server.url}/login/?next={next_url}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    if backup_code is not None:
        page.wait_for_url("**/access/second-factor/**")
        page.locator("#id_token").fill(backup_code)
        page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now (WCAG 2.1 AA)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP (no inline scripts)
        # does not govern; a <script> tag with the same text would be refused.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def fits_phone(page: Any) -> bool:
    """Whether the page, at phone width, needs no sideways scrolling (wide tables scroll in
    their own box)."""
    page.set_viewport_size(PHONE)
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])
