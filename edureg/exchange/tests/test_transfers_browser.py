"""A school's data manager in a real browser: the home page says a record the school's system
sent was refused; the transfer dashboard shows it not fixed; the manager sends the record again
in a file, and the dashboard shows it fixed. Debian's Chromium through Playwright."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connections

from conftest import make_user
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, PledgeAcceptance, PledgeText, ScopeKind
from edureg.core.context import Actor
from edureg.core.tests import browser
from edureg.exchange.import_models import ImportRun, ImportStatus
from edureg.exchange.imports import services as imports
from edureg.exchange.tests.import_helpers import csv_file
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.pupils.tests.test_api import ENROLMENTS, create_group, enrolment_body, school_system

SYSTEM = Actor.system("tests")


def _apply_uploaded() -> None:
    """What the worker's task does with the uploaded file (the worker process itself, which
    `make run` starts, runs in test_import.py)."""
    try:
        for run in ImportRun.objects.filter(status=ImportStatus.STAGED):
            imports.import_apply(run.pk)
    finally:
        connections.close_all()


pytestmark = browser.marks


@pytest.mark.django_db(transaction=True)
def test_a_data_manager_fixes_a_refused_record_and_the_dashboard_shows_it(live_server, tmp_path):
    school = InstitutionFactory()
    api = school_system(school)
    group = create_group(api)
    pupil = PersonFactory()
    refused = {
        "source_system": "tamo",
        "local_id": "T-7",
        **enrolment_body(pupil, group),
        "group": str(uuid.uuid4()),  # no such class
    }
    answer = api.post(f"{ENROLMENTS}batch/", {"records": [refused]}, format="json").json()
    assert answer["results"][0]["status"] == 400

    username = f"perdavimai-{uuid.uuid4().hex[:8]}"
    manager = make_user(username)
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
    fixed_file = tmp_path / "mokiniai.csv"
    fixed_file.write_bytes(csv_file([["T-7", pupil.personal_code, "5a", 2025, "2025-09-01", None]]))

    with browser.chromium() as chrome:
        page = chrome.new_page(locale="lt-LT")
        browser.sign_in_staff(page, live_server, username=username, backup_code=backup_code)

        # The home page says what waits, and leads to the records not fixed yet
        page.get_by_role(
            "link", name="1 jūsų sistemų ar failų atsiųstas įrašas", exact=False
        ).click()
        page.wait_for_url("**/imports/transfers/?state=open")
        row = page.locator("#refused ~ .table-wrap tbody tr", has_text="T-7")
        assert "dar neištaisytas" in row.inner_text()
        assert "API kvietimas" in page.locator("main").inner_text()
        assert browser.serious_violations(page) == []

        # The manager sends the record again, in a file, with the right class
        page.get_by_role("link", name="Importuoti failą").click()
        page.wait_for_url("**/imports/")
        page.locator("#id_kind").select_option("enrolments")
        page.locator("#id_institution").select_option(str(school.pk))
        page.locator("#id_source_system").fill("tamo")
        page.locator("#id_file").set_input_files(str(fixed_file))
        page.locator("main form button[type=submit]").click()
        page.wait_for_url("**/imports/*/")
        # In a thread of its own: Playwright's event loop runs in the test's thread, where
        # Django refuses database work.
        worker = threading.Thread(target=_apply_uploaded)
        worker.start()
        worker.join()

        page.goto(f"{live_server.url}/imports/transfers/")
        row = page.locator("#refused ~ .table-wrap tbody tr", has_text="T-7")
        assert "ištaisytas" in row.inner_text()
        assert "dar neištaisytas" not in row.inner_text()
        page.goto(f"{live_server.url}/imports/transfers/?state=open")
        assert page.get_by_text("Per šį laikotarpį atmestų įrašų nėra.").is_visible()
        assert browser.fits_phone(page)
