"""Every role's main pages in a real browser, on `make run`'s demo data (#16 item 8): staff
roles, two citizens signed in through the demo identity provider (#13), and a visitor.

Each demo role signs in twice: in Lithuanian at desktop size and in English on a phone
(390 × 844). On every page it opens, in both, the test checks what a reviewer would: the page
answers, it is in the language chosen, no raw internals (`user:5`, `departure_reason_id:`,
`---------`, `None`) and, on a Lithuanian page, no English interface words; axe-core finds no
serious or critical violation; on the phone nothing scrolls sideways. Every problem is
collected, so one run lists them all.

`make screenshots` runs this walk with `EDUREG_SCREENSHOTS=var/screenshots`, which writes a
full-page screenshot of every page in both languages for a reviewer to look at without a
browser.

Debian's Chromium through Playwright (scripts/ensure-chromium.sh); never a downloaded browser.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from edureg.access import services as access_services
from edureg.access.demo import DEMO_PASSWORD
from edureg.core.tests import browser

pytestmark = browser.marks

# Raw internals a person must never read.
RAW = re.compile(r"\b(?:user|system|client|citizen|share):[\w-]+|\b[a-z]+_id:|-{9}|\bNone\b")
# Interface words that betray an untranslated string on a Lithuanian page.
ENGLISH = re.compile(
    r"\b(?:the|and|with|of|Filter|Filters|Search|Save|Next|Previous|Page|Download|Show|"
    r"Not found|Sign in|Sign out|Cancel|Confirm|Submit|Status|Institution|Pupils|Students)\b"
)


@dataclass(frozen=True)
class Stop:
    """A page of a role's day: a path, or the first link of a list that matches `follow`."""

    name: str
    path: str
    follow: str = ""  # a CSS selector of a link on `path` whose target is the page


CITIZEN_PAGES = (
    Stop("history", "/me/"),
    Stop("documents", "/me/documents/"),
    Stop("who-saw", "/me/access/"),
    Stop("my-file", "/me/file/"),
    Stop("corrections", "/me/corrections/"),
    Stop("shares", "/me/shares/"),
)

DAYS: dict[str, tuple[Stop, ...]] = {
    # A school's data manager
    "mokykla": (
        Stop("home", "/"),
        Stop("pupils", "/pupils/"),
        Stop("pupil-card", "/pupils/", "main table tbody a[href*='/pupils/card/']"),
        Stop("groups", "/pupils/groups/"),
        Stop("group", "/pupils/groups/", "main table tbody a[href*='/pupils/groups/']"),
        Stop("enrol", "/pupils/enrol/"),
        Stop("documents", "/documents/"),
        Stop("document", "/documents/", "main table tbody a[href*='/documents/']"),
        Stop("imports", "/imports/"),
        Stop("transfers", "/imports/transfers/"),
        Stop("my-rights", "/access/my-rights/"),
    ),
    # A university's data manager
    "universitetas": (
        Stop("home", "/"),
        Stop("students", "/students/"),
        Stop("student", "/students/", "main table tbody a[href*='/students/']"),
        Stop("statistics", "/statistics/"),
    ),
    # A municipality's education department
    "vilnius": (
        Stop("home", "/"),
        Stop("children", "/pupils/municipality/"),
        Stop("people", "/people/"),
        Stop("requests", "/access/requests/"),
        Stop("statistics", "/statistics/"),
    ),
    # The national agency
    "agentura": (
        Stop("home", "/"),
        Stop("people", "/people/"),
        Stop("person", "/people/", "main table tbody a[href*='/people/']"),
        Stop("requests", "/access/requests/"),
        Stop("agreements", "/agreements/"),
        Stop("agreement", "/agreements/", "main table tbody a[href*='/agreements/']"),
        Stop("feeds", "/feeds/"),
        Stop("transfers", "/imports/transfers/"),
        Stop("archive", "/archive/"),
        Stop("retention-rules", "/archive/rules/"),
        Stop("blanks", "/documents/blanks/received/"),
    ),
    # The school's director, who approves documents
    "direktore": (Stop("home", "/"), Stop("documents", "/documents/")),
    # The programmes register's registrar, and a university's programme applicant
    "registratorius": (Stop("home", "/"), Stop("work", "/programmes/work/")),
    "programos": (Stop("home", "/"), Stop("work", "/programmes/work/")),
    # Citizens signed in through the demo identity provider: a school leaver, and a parent
    # (the first person of the provider's second list, the first of its last).
    "citizen:2": CITIZEN_PAGES,
    "citizen:last": CITIZEN_PAGES,
    # Anyone, before signing in
    "": (
        Stop("home", "/"),
        Stop("institutions", "/institutions/"),
        Stop("catalogue", "/programmes/"),
        Stop("programme", "/programmes/", "main table tbody a[href*='/programmes/']"),
        Stop("apply", "/access/apply/"),
    ),
}
LOOKS = (("lt", "lt-LT", None), ("en", "en-GB", browser.PHONE))


def _sign_in_citizen(page: Any, base: str, which: str) -> None:
    page.goto(f"{base}/demo-idp/")
    section = "section:last-of-type" if which == "last" else f"section:nth-of-type({which})"
    page.locator(f"main {section} button").first.click()
    page.wait_for_url("**/me/**")


def _sign_in(page: Any, base: str, username: str, code: str) -> None:
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/second-factor/" in page.url:
        page.locator("#id_token").fill(code)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()


def _problems(page: Any, where: str, language: str, phone: bool) -> list[str]:
    found = []
    if page.get_attribute("html", "lang") != language:
        found.append(f"{where}: not in {language}")
    text = page.locator("body").inner_text()
    for raw in sorted(set(RAW.findall(text))):
        found.append(f"{where}: raw {raw!r}")
    if language == "lt":
        for word in sorted(set(ENGLISH.findall(text))):
            found.append(f"{where}: English {word!r}")
    for violation in browser.serious_violations(page):
        found.append(
            f"{where}: axe {violation['id']} ({violation['impact']}) {violation['targets']}"
        )
    if phone and page.evaluate("document.scrollingElement.scrollWidth") > browser.PHONE["width"]:
        found.append(f"{where}: scrolls sideways on a phone")
    return found


def _visit(page: Any, base: str, stop: Stop) -> str | None:
    """Open the stop; its error, if it does not answer."""
    response = page.goto(f"{base}{stop.path}")
    if stop.follow:
        link = page.locator(stop.follow).first
        if link.count() == 0:
            return f"{stop.path}: no link {stop.follow!r} to follow"
        response = page.goto(f"{base}{link.get_attribute('href')}")
    if response is None or response.status >= 400:
        return f"{stop.path} → {page.url}: HTTP {response.status if response else '?'}"
    return None


@pytest.mark.django_db(transaction=True)
def test_every_roles_day_in_both_languages_on_desktop_and_phone(live_server):
    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
    users = get_user_model().objects
    codes = {
        username: access_services.static_codes_issue(user=users.get(username=username))
        for username in DAYS
        if username and not username.startswith("citizen:")
    }
    shots = os.environ.get("EDUREG_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    pages_checked = 0

    with browser.chromium() as chrome:
        for username, stops in DAYS.items():
            for number, (language, locale, viewport) in enumerate(LOOKS):
                context = chrome.new_context(
                    locale=locale, viewport=viewport or {"width": 1280, "height": 900}
                )
                page = context.new_page()
                if username.startswith("citizen:"):
                    _sign_in_citizen(page, live_server.url, username.partition(":")[2])
                elif username:
                    _sign_in(page, live_server.url, username, codes[username][number])
                for stop in stops:
                    who = username.replace(":", "-") or "visitor"
                    where = f"{who} {language} {stop.name}"
                    error = _visit(page, live_server.url, stop)
                    if error:
                        problems.append(f"{where}: {error}")
                        continue
                    problems += _problems(page, where, language, phone=viewport is not None)
                    pages_checked += 1
                    if shots:
                        name = f"{who}-{stop.name}-{language}.png"
                        page.screenshot(path=str(Path(shots) / name), full_page=True)
                context.close()

    assert not problems, "\n".join(["problems found:", *problems])
    assert pages_checked == 2 * sum(len(stops) for stops in DAYS.values())
