"""The public catalogue in a real browser: search, filter, open a programme, switch language.

Drives Debian's Chromium (scripts/ensure-chromium.sh installs it) through Playwright; no browser
is ever downloaded. Skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import pytest

from edureg.core.tests import browser
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.programmes.tests.factories import classifier, registered_study_programme

pytestmark = browser.marks


@pytest.mark.django_db(transaction=True)
def test_a_visitor_finds_a_programme_and_reads_it_in_english(live_server):
    university = InstitutionFactory()
    informatics = registered_study_programme(university)
    registered_study_programme(  # found by the search word too, but not by the filter
        university,
        name_lt="Informatikos edukologija",
        name_en="Informatics education",
        study_field=classifier("study-field", "pedagogy"),
    )
    programme_url = f"**/programmes/{informatics.state_code}/"

    with browser.chromium() as chrome:
        page = chrome.new_page(locale="lt-LT")  # a visitor whose browser asks for Lithuanian

        page.goto(f"{live_server.url}/programmes/")
        page.locator("#id_q").fill("informatik")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url("**/programmes/?*q=informatik*")
        assert page.locator("tbody tr").count() == 2

        page.locator("#id_study_field").select_option("informatics")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url("**study_field=informatics*")
        assert page.locator("tbody tr").count() == 1

        page.get_by_role("link", name="Informatika", exact=True).click()
        page.wait_for_url(programme_url)
        assert page.locator("html").get_attribute("lang") == "lt"
        assert page.locator("h1").inner_text() == "Informatika"

        page.locator("#language-select").select_option("en")
        # the switch posts and comes back to the same address: wait for that navigation
        with page.expect_navigation(url=programme_url):
            page.locator("form.language-switch button[type=submit]").click()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Informatics"
        assert page.get_by_role("cell", name="Programming basics").is_visible()

        # On a phone the page fits the screen: wide tables scroll inside their own box.
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
