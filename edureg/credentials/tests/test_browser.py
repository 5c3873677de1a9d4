"""Documents in a real browser: a school's data manager forms the class's maturity certificate,
the director approves it after confirming (it gets its registration number and blank), and a
former student signs in as a citizen, forms a "Pažyma apie studijas" and downloads it. The
documents pages visited pass axe-core with no serious or critical violation and fit a phone.

Drives Debian's Chromium (scripts/ensure-chromium.sh) through Playwright; never downloads one.
"""

from __future__ import annotations

import pytest

from conftest import make_user
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, PledgeAcceptance, PledgeText, ScopeKind
from edureg.core.tests import browser
from edureg.credentials.models import Document, DocumentStatus
from edureg.credentials.tests import factories as f
from edureg.students.tests.factories import hei, open_right

pytestmark = browser.marks


def _staff_with_code(school, name: str) -> str:  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=f.SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.CERTIFICATES,
        level=Level.MANAGER,
    )
    PledgeAcceptance.objects.create(user=user, pledge=PledgeText.current())
    return access_services.static_codes_issue(user=user)[0]


def _accessible(page) -> None:  # type: ignore[no-untyped-def]
    assert browser.serious_violations(page) == [], page.url
    assert browser.fits_phone(page), page.url
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_a_certificate_is_formed_and_approved_and_a_citizen_downloads_theirs(live_server):
    graduating = f.graduating_class(size=1)
    school = graduating.school
    (pupil,) = graduating.pupils
    f.blanks_on_hand(school, "3014", 3, series="BA")
    f.blanks_on_hand(school, "3016", 3, series="BP")
    former_code = _staff_with_code(school, "formuotoja")
    director_code = _staff_with_code(school, "direktore")
    maturity = f.document_type("maturity")
    right = open_right(hei())
    student = right.person

    with browser.chromium() as chrome:
        # The data manager forms the class's certificates
        page = chrome.new_page(locale="lt-LT")
        browser.sign_in_staff(
            page, live_server, username="formuotoja", backup_code=former_code, next_url="/"
        )
        page.goto(f"{live_server.url}/documents/form/")
        _accessible(page)
        page.locator("#id_document_type").select_option(str(maturity.pk))
        page.locator("#id_group").select_option(str(graduating.group.pk))
        page.locator("main form button.primary").click()
        page.wait_for_load_state()
        page.get_by_role("link", name=pupil.full_name).click()
        page.wait_for_url("**/documents/*/")
        document_url = page.url
        assert "laukia tvirtinimo" in page.locator("main").inner_text()
        _accessible(page)

        # The director approves it, confirming first
        page = chrome.new_page(locale="lt-LT")
        browser.sign_in_staff(
            page, live_server, username="direktore", backup_code=director_code, next_url="/"
        )
        page.goto(f"{live_server.url}/documents/")
        _accessible(page)
        page.goto(document_url)
        page.locator("button.primary", has_text="Patvirtinti").click()  # without confirming
        page.wait_for_load_state()
        assert "laukia tvirtinimo" in page.locator("main").inner_text()
        page.locator("#id_confirm").check()
        page.locator("button.primary", has_text="Patvirtinti").click()
        page.wait_for_load_state()
        shown = page.locator("main").inner_text()
        assert "išduotas" in shown and "BA 0000001" in shown
        _accessible(page)
        page.goto(f"{live_server.url}/documents/blanks/write-off/")
        _accessible(page)

        # A former student signs in as a citizen and forms a certificate of studies
        page = chrome.new_page(locale="lt-LT", accept_downloads=True)
        page.goto(f"{live_server.url}/demo-idp/")
        page.locator(f"form:has(input[value='{student.public_id}']) button").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/documents/studies/")
        _accessible(page)
        with page.expect_download(timeout=120_000) as download:  # sealing on a loaded machine
            page.locator(f"form:has(input[value='{right.public_id}']) button").click()
        path = download.value.path()
        with open(path, "rb") as pdf_file:
            assert pdf_file.read(5) == b"%PDF-"
    # (the database is read after the browser closes: Playwright's loop runs in this thread)
    document = Document.objects.get(person=pupil)
    assert document.status == DocumentStatus.ISSUED and document.blank.number == 1
    assert document.registration_number in shown
    studies = Document.objects.get(person=student)
    assert studies.status == DocumentStatus.ISSUED and studies.pdf_sha256
