"""Every page of the citizen portal, found by walking the URL configuration (so a page added
later must join this walk): in Lithuanian on a phone (390×844) and in English at desktop width,
for a person with a whole history, for a parent reading a child, for a person the registers
know nothing about (the empty states) and for a stranger with a share link. On each page:
axe-core finds no serious or critical violation, the page fits the phone, there is a way back
(the portal's own name leads home), no raw code or field name shows ("user:4", "pupil.card",
"departure_reason_id", "None"), no personal code in the page's address, and a Lithuanian page
has no English left in it. The files (CSV, JSON, PDF) answer with their own types.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation
from django.utils.translation import trans_real

from edureg.access.citizens import citizen_user_for
from edureg.citizen import services
from edureg.citizen.tests.factories import SYSTEM, child, parent_of, school_leaver, sign_in
from edureg.core.context import Actor
from edureg.core.tests import browser
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services as pupils_services
from edureg.pupils.models import GroupKind

pytestmark = browser.marks

RAW = [
    re.compile(r"\b[a-z]+_?[a-z]*:\d+\b"),  # user:4, achievement:12
    re.compile(r"\b[a-z]+\.[a-z_]+\b"),  # pupil.card, people.person
    re.compile(r"\w+_id\b"),  # departure_reason_id
    re.compile(r"\bNone\b|\bTrue\b|\bFalse\b"),
    re.compile(r"\{\{|\{%|%\(\w+\)s"),  # a template or a format string left unfilled
]
# Words a Lithuanian page may hold in English: the language switch, formats' names.
ENGLISH_ALLOWED = {"English", "PDF", "JSON", "CSV", "API", "Erasmus"}
FILES = {
    "access-csv": "text/csv",
    "file-json": "application/json",
    "file-pdf": "application/pdf",
}


@cache
def _english_only_words() -> frozenset[str]:
    """Words of the catalogue's English texts that no Lithuanian translation uses: finding one
    on a Lithuanian page means a text was left untranslated."""
    catalog = trans_real.translation("lt")._catalog  # type: ignore[attr-defined]
    english: set[str] = set()
    lithuanian: set[str] = set()
    for key, value in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        english |= set(re.findall(r"[A-Za-z]{3,}", msgid.split("\x04")[-1]))
        lithuanian |= set(re.findall(r"\w{3,}", value))
    return frozenset(english - lithuanian - ENGLISH_ALLOWED)


def _citizen_routes() -> set[str]:
    """The names of every route of the portal's namespace."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace == "citizen":
                names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def _signed_in(chrome: Any, session: str, locale: str, viewport: dict[str, int]) -> Any:
    """A browser with the session the demo identity provider gave (signed in beforehand: the
    browser's event loop forbids the database in this thread)."""
    context = chrome.new_context(locale=locale, viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": session, "url": browser_base[0]}])
    return context


browser_base: list[str] = [""]


def _check_page(page: Any, url: str, language: str, phone: bool, codes: list[str]) -> list[str]:
    """What is wrong with the page at `url`, in words (empty when nothing is)."""
    response = page.goto(browser_base[0] + url)
    problems = []
    if response.status != 200:
        return [f"{url}: status {response.status}"]
    text = page.inner_text("body")
    for pattern in RAW:
        problems += [f"{url}: raw {found!r}" for found in pattern.findall(text)]
    if language == "lt":
        english = sorted(set(re.findall(r"\b[A-Za-z]{3,}\b", text)) & _english_only_words())
        if english:
            problems.append(f"{url}: English on a Lithuanian page: {english}")
    if page.locator("a.brand").count() != 1:
        problems.append(f"{url}: no way back (the portal's name as a link)")
    for code in codes:
        if code in page.url:
            problems.append(f"{url}: a personal code in the address")
    problems += [f"{url}: axe {v['id']} {v['targets']}" for v in browser.serious_violations(page)]
    if phone and not browser.fits_phone(page):
        problems.append(f"{url}: scrolls sideways on a phone")
    return problems


@pytest.mark.parametrize(
    ("language", "viewport"), [("lt", browser.PHONE), ("en", {"width": 1280, "height": 900})]
)
@pytest.mark.django_db(transaction=True)
def test_every_citizen_page_is_accessible_in_words_and_leads_back(live_server, language, viewport):
    # Given a school leaver with a whole history, a share link and a correction request sent;
    # a parent whose child has a record; and a person the registers know nothing about
    browser_base[0] = live_server.url
    history = school_leaver()
    me = Actor.for_user(citizen_user_for(history.person))
    exam = f"achievement:{history.written['achievements'][0].pk}"
    link, token = services.share_link_create(
        actor=me,
        keys=[exam],
        label="Darbdaviui",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    with translation.override(language):  # sent from a page in the walk's language
        services.correction_request_send(
            actor=me, person=history.person, record_key=exam, message="Rezultatas buvo 88."
        )
    kid = child(given_names="Kajus")
    nvs = pupils_services.group_create(
        actor=SYSTEM, institution=history.school, school_year=2025, name="Šachmatai",
        kind=GroupKind.NVS,
    )  # fmt: skip
    kid_record = pupils_services.pupil_enrol(
        actor=SYSTEM, person=kid, group=nvs, valid_from=dt.date(2025, 9, 10)
    )
    parent = parent_of(kid)
    nobody = PersonFactory(given_names="Ona", family_name="Naujokė")
    codes = [p.personal_code for p in (history.person, kid, parent, nobody)]
    locale = "lt-LT" if language == "lt" else "en-GB"
    phone = viewport == browser.PHONE
    kid_path = f"/me/children/{kid.public_id}"

    # The pages to walk, by route: each route of the portal must be here
    pages: dict[str, list[tuple[str, str]]] = {  # route → [(who, url)]
        "home": [("me", "/me/"), ("nobody", "/me/")],
        "documents": [("me", "/me/documents/"), ("nobody", "/me/documents/")],
        "access": [("me", "/me/access/"), ("nobody", "/me/access/")],
        "file": [("me", "/me/file/")],
        "corrections": [("me", "/me/corrections/"), ("nobody", "/me/corrections/")],
        "correction-new": [("me", f"/me/corrections/new/?record={exam}")],
        "shares": [("me", "/me/shares/"), ("nobody", "/me/shares/")],
        "share-new": [("me", "/me/shares/new/"), ("nobody", "/me/shares/new/")],
        "share-revoke": [("me", f"/me/shares/{link.public_id}/revoke/")],
        "shared": [("stranger", f"/shared/{token}/")],
        "demo-idp": [("stranger", "/demo-idp/")],
        "child-home": [("parent", f"{kid_path}/")],
        "child-documents": [("parent", f"{kid_path}/documents/")],
        "child-access": [("parent", f"{kid_path}/access/")],
        "child-file": [("parent", f"{kid_path}/file/")],
        "child-corrections": [("parent", f"{kid_path}/corrections/")],
        "child-correction-new": [
            ("parent", f"{kid_path}/corrections/new/?record=enrolment:{kid_record.public_id}")
        ],
    }
    files = {
        "access-csv": [("me", "/me/access/export.csv")],
        "file-json": [("me", "/me/file/my-data.json")],
        "file-pdf": [("me", "/me/file/my-data.pdf")],
        "child-access-csv": [("parent", f"{kid_path}/access/export.csv")],
        "child-file-json": [("parent", f"{kid_path}/file/my-data.json")],
        "child-file-pdf": [("parent", f"{kid_path}/file/my-data.pdf")],
    }
    assert set(pages) | set(files) == _citizen_routes()

    sessions = {
        who: sign_in(person).cookies["sessionid"].value
        for who, person in (("me", history.person), ("parent", parent), ("nobody", nobody))
    }
    problems: list[str] = []
    walked = 0
    with browser.chromium() as chrome:
        contexts = {
            "me": _signed_in(chrome, sessions["me"], locale, viewport),
            "parent": _signed_in(chrome, sessions["parent"], locale, viewport),
            "nobody": _signed_in(chrome, sessions["nobody"], locale, viewport),
            "stranger": chrome.new_context(locale=locale, viewport=viewport),
        }
        tabs = {who: context.new_page() for who, context in contexts.items()}

        # When each page is opened by whom it is for
        for visits in pages.values():
            for who, url in visits:
                problems += _check_page(tabs[who], url, language, phone, codes)
                walked += 1
        for route, visits in files.items():
            for who, url in visits:
                answer = contexts[who].request.get(live_server.url + url)
                expected = FILES[route.removeprefix("child-")]
                if answer.status != 200 or expected not in answer.headers["content-type"]:
                    problems.append(f"{url}: {answer.status} {answer.headers['content-type']}")

        # and the empty pages say so rather than showing nothing
        for url in ("/me/documents/", "/me/access/", "/me/corrections/", "/me/shares/"):
            tabs["nobody"].goto(live_server.url + url)
            if tabs["nobody"].locator("main .empty").count() == 0:
                problems.append(f"{url}: no words for an empty list")

    # Then nothing is wrong on any of them
    assert problems == []
    assert walked == sum(len(v) for v in pages.values())
