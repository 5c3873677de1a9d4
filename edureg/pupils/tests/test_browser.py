"""A school's data manager's day in a real browser: sign in with a password and a backup code,
register and enrol a pupil found by personal code, and record the pupil's departure.

Drives Debian's Chromium (scripts/ensure-chromium.sh installs it) through Playwright; no browser
is ever downloaded. Skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import datetime as dt
import os

import pytest

from conftest import make_user
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, PledgeAcceptance, PledgeText, ScopeKind
from edureg.core.context import Actor
from edureg.core.models import Classifier, ClassifierValue
from edureg.core.tests import browser
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import personal_code
from edureg.pupils import selectors, services
from edureg.pupils.forms import current_school_year
from edureg.pupils.models import GroupKind

SYSTEM = Actor.system("tests")

pytestmark = browser.marks


@pytest.mark.django_db(transaction=True)
def test_a_data_manager_enrols_and_departs_a_pupil(live_server):
    school = InstitutionFactory()
    # A class of the current school year: the enrol form offers no class of a past one
    year = current_school_year(selectors.today())
    start, departure = f"{year}-09-01", f"{year + 1}-01-30"
    group = services.group_create(
        actor=SYSTEM,
        institution=school,
        school_year=year,
        name="5a",
        kind=GroupKind.GENERAL,
        grade="5",
    )
    ClassifierValue.objects.create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="moved-abroad",
        name_lt="Išvyko į užsienį",
        name_en="Moved abroad",
    )
    manager = make_user("manager")
    access_services.role_grant(
        actor=SYSTEM,
        user=manager,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    PledgeAcceptance.objects.create(user=manager, pledge=PledgeText.current())
    backup_code = access_services.static_codes_issue(user=manager)[0]
    code = personal_code(dt.date(2014, 2, 11), male=True)

    with browser.chromium() as chrome:
        page = chrome.new_page(locale="lt-LT")

        # Sign in: password, then a backup code on the second-factor page
        browser.sign_in_staff(
            page, live_server, username="manager", backup_code=backup_code, next_url="/pupils/"
        )
        page.wait_for_url("**/pupils/")

        # Find the pupil by personal code (sent by POST), register and enrol them
        page.goto(f"{live_server.url}/pupils/enrol/")
        page.locator("#id_personal_code").fill(code)
        page.locator("main form button.primary").click()
        page.locator("#id_given_names").fill("Matas")
        page.locator("#id_family_name").fill("Petraitis")
        page.locator("#id_group").select_option(str(group.pk))
        page.locator("#id_valid_from").fill(start)
        page.locator("#id_contract_date").fill(f"{year}-08-29")
        page.locator("main form button.primary").click()
        page.wait_for_url("**/pupils/card/*/")
        assert code not in page.url
        assert page.locator("h1").inner_text() == "Matas Petraitis"
        assert page.get_by_text(f"{start} –").is_visible()

        # Depart with a reason and an order number
        page.locator("a[href*='/depart/']").click()
        page.wait_for_url("**/depart/")
        page.locator("#id_on").fill(departure)
        page.locator("#id_reason").select_option("moved-abroad")
        page.locator("#id_order_number").fill("V-7")
        page.locator("main form button.primary").click()
        # A page says what will happen; the departure is written when confirmed
        page.get_by_text("V-7").first.wait_for()
        page.locator("main form button.primary", has_text="Patvirtinti išvykimą").click()
        page.wait_for_url("**/pupils/card/*/")
        assert page.get_by_text(f"{start} – {departure}").is_visible()
        assert page.get_by_text("Išvyko į užsienį").first.is_visible()

        # On a phone the card fits the screen: wide tables scroll inside their own box
        assert browser.fits_phone(page)
        if screenshot := os.environ.get("PUPIL_CARD_SCREENSHOT"):  # to look at the page
            page.screenshot(path=screenshot, full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_data_manager_picks_the_language_of_a_class_by_keyboard(live_server):
    school = InstitutionFactory()
    manager = make_user("picker-manager")
    access_services.role_grant(
        actor=SYSTEM,
        user=manager,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.MANAGER,
    )
    PledgeAcceptance.objects.create(user=manager, pledge=PledgeText.current())
    backup_code = access_services.static_codes_issue(user=manager)[0]

    with browser.chromium() as chrome:
        page = chrome.new_page(locale="lt-LT")
        browser.sign_in_staff(
            page,
            live_server,
            username="picker-manager",
            backup_code=backup_code,
            next_url="/pupils/groups/new/",
        )
        page.wait_for_url("**/pupils/groups/new/")
        page.locator("#id_name").fill("5p")
        page.locator("#id_kind").select_option("general")
        page.locator("#id_grade").select_option("5")

        # Type a few letters without diacritics, go down the list, choose with Enter
        language = page.locator("#id_language")
        assert language.get_attribute("role") == "combobox"
        language.fill("")
        language.press_sequentially("lenk")
        option = page.locator("#id_language_listbox [role=option]", has_text="Lenkų (pl)")
        option.wait_for()
        assert language.get_attribute("aria-expanded") == "true"
        language.press("ArrowDown")
        assert option.get_attribute("aria-selected") == "true"
        assert language.get_attribute("aria-activedescendant") == option.get_attribute("id")
        language.press("Enter")
        assert language.input_value() == "Lenkų (pl)"
        assert language.get_attribute("aria-expanded") == "false"
        assert page.locator("input[type=hidden][name=language]").input_value() == "pl"
        assert browser.serious_violations(page) == []

        page.locator("main form button.primary").click()
        page.wait_for_url("**/pupils/groups/*/")
        # the class page names the language, never its code
        assert page.locator("main").get_by_text("Lenkų", exact=True).is_visible()
