"""The citizen portal in a real browser, at desktop width and on a phone (390×844): a school
leaver signs in through the demo identity provider, reads the whole history with the exams,
forms and downloads a document, shares records by link (opened in a fresh browser, then revoked:
404), asks for a correction that the school's data manager answers; a parent reads a child's
history. axe-core finds no serious or critical violation on any page of the portal, on the
home page that leads to it, on the staff queue of citizens' requests and on the page that says
sign-in is unavailable.

Debian's Chromium through Playwright (edureg.core.tests.browser); no browser is downloaded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from edureg.access import services as access_services
from edureg.access.models import FunctionArea
from edureg.citizen.tests.factories import child, data_manager, parent_of, school_leaver
from edureg.core.tests import browser
from edureg.credentials import seal

pytestmark = browser.marks

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": browser.PHONE}


def _check(page: Any, viewport: str, checked: list[str]) -> None:
    """No serious or critical accessibility violation; on a phone, no sideways scrolling."""
    assert browser.serious_violations(page) == [], page.url
    if viewport == "phone":
        assert browser.fits_phone(page), page.url
    checked.append(page.url)


@pytest.fixture
def demo_seal(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.SEAL_DIR = tmp_path / "seal"
    settings.SEAL_KEY_FILE = settings.SEAL_DIR / "seal.key.pem"
    settings.SEAL_CERT_FILE = settings.SEAL_DIR / "seal.cert.pem"
    settings.SEAL_CHAIN_FILE = settings.SEAL_DIR / "ca.cert.pem"
    settings.SEAL_TRUST_ROOTS = [str(settings.SEAL_CHAIN_FILE)]
    seal.demo_seal_ensure(settings.SEAL_DIR)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.django_db(transaction=True)
def test_a_school_leaver_a_data_manager_and_a_parent_use_the_portal(
    live_server, demo_seal, settings, viewport
):
    history = school_leaver()
    exam = history.written["achievements"][1]  # Lithuanian, 74 of 100
    manager = data_manager(history.school, f"school-dm-{viewport}", FunctionArea.PUPIL_LEARNING)
    backup_code = access_services.static_codes_issue(user=manager.user)[0]
    kid = child(given_names="Kajus")
    parent = parent_of(kid)
    checked: list[str] = []
    size = VIEWPORTS[viewport]

    with browser.chromium() as chrome:
        citizen = chrome.new_context(locale="lt-LT", viewport=size)
        page = citizen.new_page()

        # The home page leads to the e-identity sign-in; /me/ without a session starts it
        page.goto(f"{live_server.url}/")
        _check(page, viewport, checked)
        page.get_by_role("link", name="Prisijungti per elektroninius valdžios vartus").click()
        page.wait_for_url("**/demo-idp/**")
        _check(page, viewport, checked)
        page.get_by_role(
            "button", name="Prisijungti kaip Austėja Žukauskaitė (gim. 2006 m.)"
        ).click()
        page.wait_for_url(f"{live_server.url}/me/")

        # The whole history, with the exams; no staff menu
        assert page.get_by_role("heading", name="Mano mokymosi istorija").is_visible()
        body = page.locator("main").inner_text()
        for text in (
            "Matematikos valstybinis brandos egzaminas",
            "86 iš 100",
            "Informacinės technologijos",
            "Robotikos būrelis",
            "Išvykimas: Baigė ugdymo programą",
            "Vilniaus universitetas",
        ):
            assert text in body
        assert page.locator("a[href='/people/']").count() == 0
        _check(page, viewport, checked)

        # Form a certificate of studies and download it; it shows with its verification page
        page.get_by_role("link", name="Dokumentai", exact=True).click()
        _check(page, viewport, checked)
        # The sealed PDF comes as a download, named after its holder (RFC 6266).
        # (Forming and sealing the PDF may take long on a loaded machine: a wait, not a check.)
        with page.expect_download(timeout=120_000) as download:
            page.locator("main button", has_text="Matematika").click(timeout=120_000)
        with open(download.value.path(), "rb") as pdf_file:
            assert pdf_file.read(5) == b"%PDF-"
        page.goto(f"{live_server.url}/me/documents/")
        _check(page, viewport, checked)
        pdf_url = page.get_by_role("link", name="Atsisiųsti PDF").first.get_attribute("href")
        assert citizen.request.get(f"{live_server.url}{pdf_url}").body()[:5] == b"%PDF-"
        page.get_by_role("link", name="Tikrinimo puslapis").first.click()
        page.wait_for_url("**/verify/**")
        page.goto(f"{live_server.url}/me/documents/")

        # Share the graduated studies and an exam by link
        page.get_by_role("link", name="Bendrinimas").click()
        _check(page, viewport, checked)
        page.get_by_role("link", name="Sukurti nuorodą").click()
        _check(page, viewport, checked)
        page.get_by_label("Egzaminas: Matematikos valstybinis brandos egzaminas").check()
        page.locator("#id_label").fill("Darbdaviui")
        page.get_by_role("button", name="Sukurti nuorodą").click()
        page.wait_for_url("**/me/shares/")
        _check(page, viewport, checked)
        link = page.locator("#new-link").input_value()
        assert "/shared/" in link and history.person.personal_code not in link

        # Someone else opens it in a fresh browser, without signing in
        stranger = chrome.new_context(locale="lt-LT", viewport=size).new_page()
        stranger.goto(link)
        shared_text = stranger.locator("main").inner_text()
        assert "Matematikos valstybinis brandos egzaminas" in shared_text
        assert "Lietuvių kalbos ir literatūros" not in shared_text
        _check(stranger, viewport, checked)

        # The owner sees the opening, then revokes the link; it answers 404
        page.reload()
        assert "1 kartą" in page.locator("main").inner_text()
        page.get_by_role("link", name="Panaikinti Darbdaviui").click()
        _check(page, viewport, checked)
        page.get_by_role("button", name="Panaikinti nuorodą").click()
        page.wait_for_url("**/me/shares/")
        assert stranger.goto(link).status == 404

        # Who saw my data names the link
        page.get_by_role("link", name="Kas matė mano duomenis").click()
        assert "„Darbdaviui“" in page.locator("main").inner_text()
        _check(page, viewport, checked)

        # Ask the school to correct an exam result
        page.goto(f"{live_server.url}/me/corrections/new/?record=achievement:{exam.pk}")
        _check(page, viewport, checked)
        page.locator("#id_message").fill("Mano rezultatas buvo 84, ne 74.")
        page.get_by_role("button", name="Siųsti prašymą").click()
        page.wait_for_url("**/me/corrections/")
        assert "Laukia atsakymo" in page.locator("main").inner_text()
        _check(page, viewport, checked)

        # My data as a file
        page.get_by_role("link", name="Mano duomenys rinkmena").click()
        _check(page, viewport, checked)
        json_url = page.get_by_role("link", name="Atsisiųsti JSON").get_attribute("href")
        data = json.loads(citizen.request.get(f"{live_server.url}{json_url}").body())
        assert data["person"]["family_name"] == "Žukauskaitė"

        # The school's data manager sees the request on their home page and answers it
        staff = chrome.new_context(locale="lt-LT", viewport=size).new_page()
        browser.sign_in_staff(
            staff, live_server, username=manager.user.username, backup_code=backup_code
        )
        staff.goto(f"{live_server.url}/")
        assert "1 asmens prašymas ištaisyti įrašą laukia jūsų atsakymo." in staff.inner_text("main")
        if viewport == "phone":  # the menu is behind its button on a phone
            staff.get_by_role("button", name="Meniu").click()
        staff.get_by_role("link", name="Prašymai ištaisyti duomenis").click()
        staff.wait_for_url("**/corrections/")
        _check(staff, viewport, checked)
        staff.get_by_role("link", name="Austėja Žukauskaitė").click()
        staff.wait_for_url("**/corrections/*/")
        _check(staff, viewport, checked)
        staff.get_by_label("Atmesta, nurodant priežastį").check()
        staff.locator("#id_answer").fill("Egzaminų centro duomenimis rezultatas yra 74.")
        staff.get_by_role("button", name="Siųsti atsakymą").click()
        staff.wait_for_url("**/corrections/")

        # and the school leaver sees the answer
        page.goto(f"{live_server.url}/me/corrections/")
        corrections = page.locator("main").inner_text()
        assert "Atmesta" in corrections and "rezultatas yra 74" in corrections

        # A parent reads their child's history
        family = chrome.new_context(locale="lt-LT", viewport=size).new_page()
        family.goto(f"{live_server.url}/me/")
        family.get_by_role(
            "button", name=f"Prisijungti kaip {parent.full_name} (gim. 1980 m.)"
        ).click()
        family.wait_for_url(f"{live_server.url}/me/")
        family.get_by_role("link", name="Kajus").click()
        assert "Žiūrite savo vaiko (Kajus Žukauskas) duomenis." in family.inner_text("main")
        _check(family, viewport, checked)
        family.get_by_role("link", name="Kas matė mano duomenis").click()
        _check(family, viewport, checked)

        # Without an e-identity gateway (no OpenID Connect, no demo mode) the portal says that
        # signing in is unavailable
        settings.DEMO_MODE = False
        unavailable = chrome.new_context(locale="lt-LT", viewport=size).new_page()
        assert unavailable.goto(f"{live_server.url}/me/").status == 503
        assert unavailable.get_by_role("heading", name="Prisijungti negalima").is_visible()
        _check(unavailable, viewport, checked)

    assert len(checked) == 19
