"""The staff pages on a phone (390 × 844) put the data first (#16 item 7).

A school's data manager, a municipality's education department and a university's data manager
sign in on a phone and open their main lists. On each list the first row of the table is on the
first screen; the menu is hidden behind its button until pressed; the filters are collapsed
behind their "Filtrai" toggle, which opens them (and they are open when a filter is in use); the
page never scrolls sideways (a wide table scrolls in its own box, with every column header
readable); axe-core finds no serious or critical violation. On a desktop the menu and the
filters are shown open.

Drives Debian's Chromium (scripts/ensure-chromium.sh) through Playwright; never downloads one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from conftest import make_user
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, PledgeAcceptance, PledgeText, ScopeKind
from edureg.core.tests import browser
from edureg.institutions.models import Institution, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import selectors, services
from edureg.pupils.forms import current_school_year
from edureg.pupils.models import GroupKind
from edureg.students.tests.factories import SYSTEM, hei, open_right

pytestmark = browser.marks

PHONE = browser.PHONE
VILNIUS = "LT-57"


def _staff(name: str, area: str, **scope: Any) -> tuple[str, str]:
    """A staff user with one role, the pledge accepted, and a backup code to sign in with."""
    user = make_user(f"{name}-{uuid.uuid4().hex[:6]}")
    access_services.role_grant(
        actor=SYSTEM, user=user, function_area=area, level=Level.MANAGER, **scope
    )
    PledgeAcceptance.objects.create(user=user, pledge=PledgeText.current())
    return user.username, access_services.static_codes_issue(user=user)[0]


def _school_with_pupils(vilnius: Municipality) -> Institution:
    school = InstitutionFactory(
        municipality=vilnius, name_lt="Vilniaus Justino Marcinkevičiaus pradinė mokykla"
    )
    group = services.group_create(
        actor=SYSTEM,
        institution=school,
        school_year=current_school_year(selectors.today()),
        name="4a",
        kind=GroupKind.GENERAL,
        grade="4",
    )
    year = selectors.today().year
    for n in range(3):
        born = dt.date(year - 10, 3, 1 + n)
        person = PersonFactory(
            personal_code=personal_code(born),
            birth_date=born,
            declared_municipality=vilnius,
        )
        services.pupil_enrol(
            actor=SYSTEM,
            person=person,
            group=group,
            valid_from=dt.date(group.school_year, 9, 1),
        )
    return school


def _shows_data_first(page: Any, url: str, *, menu_link: str) -> None:
    """What a phone user meets on a list: everything the module docstring promises."""
    page.goto(url)
    first_row = page.locator("main table tbody tr").first
    assert first_row.bounding_box()["y"] < PHONE["height"], url
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], url
    # Every column header shows its whole text: it wraps at spaces, nothing is clipped.
    clipped = page.eval_on_selector_all(
        "main table th",
        "ths => ths.filter(th => th.scrollWidth > th.clientWidth + 1)"
        ".map(th => th.textContent.trim())",
    )
    assert clipped == [], url

    # The menu: hidden behind its button until pressed
    button = page.get_by_role("button", name="Meniu")
    link = page.locator("#site-menu").get_by_role("link", name=menu_link, exact=True)
    assert button.get_attribute("aria-expanded") == "false"
    assert not page.locator("#site-menu").is_visible()
    assert not link.is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert link.is_visible()

    # The filters: collapsed behind their toggle, which opens them
    panel = page.locator("main details.filter-panel")
    form = panel.locator("form").first
    assert not form.is_visible(), url
    panel.get_by_text("Filtrai", exact=True).click()
    assert form.is_visible(), url

    # With the menu and the filters open, the page still fits and passes axe-core
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"], url
    assert browser.serious_violations(page) == [], url
    button.click()
    assert not link.is_visible()


@pytest.mark.django_db(transaction=True)
def test_staff_lists_on_a_phone_show_the_data_first(live_server):
    vilnius = Municipality.objects.get(code=VILNIUS)
    school = _school_with_pupils(vilnius)
    university = hei()
    open_right(university)
    school_manager = _staff(
        "mokykla",
        FunctionArea.PUPIL_PERSONAL,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
    )
    municipality_user = _staff(
        "savivaldybe",
        FunctionArea.PUPIL_PERSONAL,
        scope_kind=ScopeKind.MUNICIPALITY,
        municipality=vilnius,
    )
    hei_manager = _staff(
        "universitetas",
        FunctionArea.STUDENT_DATA,
        scope_kind=ScopeKind.INSTITUTION,
        institution=university,
    )
    base = live_server.url

    with browser.chromium() as chrome:
        # A school's data manager: pupils and people
        page = chrome.new_context(locale="lt-LT", viewport=PHONE).new_page()
        username, code = school_manager
        browser.sign_in_staff(page, live_server, username=username, backup_code=code)
        _shows_data_first(page, f"{base}/pupils/", menu_link="Mokiniai")
        _shows_data_first(page, f"{base}/people/", menu_link="Asmenys")
        # A filter in use: the panel is open, so the user sees what narrows the list
        page.goto(f"{base}/pupils/?group=4a")
        assert page.locator("main details.filter-panel form").is_visible()
        assert page.locator("main table tbody tr").count() == 3

        # On a desktop the menu and the filters are open, and there is no menu button
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{base}/pupils/")
        assert page.locator("#site-menu").get_by_role("link", name="Asmenys").is_visible()
        assert not page.get_by_role("button", name="Meniu").is_visible()
        assert page.locator("main details.filter-panel form").is_visible()

        # A municipality's education department: its children, its pupils, its people
        page = chrome.new_context(locale="lt-LT", viewport=PHONE).new_page()
        username, code = municipality_user
        browser.sign_in_staff(page, live_server, username=username, backup_code=code)
        _shows_data_first(page, f"{base}/pupils/municipality/", menu_link="Savivaldybės vaikai")
        _shows_data_first(page, f"{base}/pupils/", menu_link="Mokiniai")
        _shows_data_first(page, f"{base}/people/", menu_link="Asmenys")

        # A university's data manager: students
        page = chrome.new_context(locale="lt-LT", viewport=PHONE).new_page()
        username, code = hei_manager
        browser.sign_in_staff(page, live_server, username=username, backup_code=code)
        _shows_data_first(page, f"{base}/students/", menu_link="Studentai")
