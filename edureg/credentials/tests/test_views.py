"""The documents' pages: a data manager forms a class's certificates and an approver approves
one; the blank report as XLSX; a citizen forms a "Pažyma apie studijas" and downloads it; the
class's PDFs as one ZIP from a background job; out-of-scope documents are 404."""

from __future__ import annotations

import io
import zipfile
from email.message import Message

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.citizens import citizen_user_for
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import Job
from edureg.credentials.models import Document, DocumentStatus
from edureg.credentials.tests import factories as f
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory
from edureg.students.tests.factories import hei, open_right

pytestmark = pytest.mark.django_db


def staff_client(school, name, *areas):  # type: ignore[no-untyped-def]
    user = make_user(name)
    for area in areas:
        access_services.role_grant(
            actor=f.SYSTEM,
            user=user,
            scope_kind=ScopeKind.INSTITUTION,
            institution=school,
            function_area=area,
            level=Level.MANAGER,
        )
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def test_a_class_is_formed_and_approved_on_the_web():
    graduating = f.graduating_class(size=2)
    school = graduating.school
    f.blanks_on_hand(school, "3014", 5)
    f.blanks_on_hand(school, "3016", 5)
    former = staff_client(school, "former", FunctionArea.CERTIFICATES)
    approver = staff_client(school, "approver", FunctionArea.CERTIFICATES)
    maturity = f.document_type("maturity")

    response = former.post(
        "/documents/form/", {"document_type": maturity.pk, "group": graduating.group.pk}
    )
    assert response.status_code == 200
    assert "Formed (2)" in response.content.decode()
    document = Document.objects.filter(person=graduating.pupils[0]).get()
    assert former.get(f"/documents/{document.public_id}/preview.pdf").content.startswith(b"%PDF")

    refused = former.post(f"/documents/{document.public_id}/approve/", {"confirm": "on"})
    assert refused.status_code == 400  # four eyes
    approved = approver.post(f"/documents/{document.public_id}/approve/", {"confirm": "on"})
    assert approved.status_code == 302
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.blank.number == 1
    page = approver.get(f"/documents/{document.public_id}/").content.decode()
    assert document.registration_number in page
    # the history says what the approval changed, in words, and who (never an actor label)
    history = page.split("<h2>History</h2>")[-1]
    assert "<strong>Status</strong>: formed, awaiting approval → issued" in history
    assert f"<strong>Registration number</strong>: — → {document.registration_number}" in history
    assert "+00:00" not in history  # moments in the register's time, to the minute
    assert "user:" not in history and "system:" not in history

    report = former.get(
        "/documents/blanks/",
        {
            "institution": school.pk,
            "date_from": "2026-01-01",
            "date_to": "2099-12-31",
            "format": "xlsx",
        },
    )
    sheet = load_workbook(io.BytesIO(report.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][2:6] == (5, 1, 0, 0)  # received, used, spoiled, lost of 3014

    # Someone at another school sees none of it
    stranger = staff_client(InstitutionFactory(), "stranger", FunctionArea.CERTIFICATES)
    assert stranger.get(f"/documents/{document.public_id}/").status_code == 404
    assert stranger.get(f"/documents/{document.public_id}/pdf/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_class_downloads_as_one_zip():
    graduating = f.graduating_class(size=2)
    school = graduating.school
    f.blanks_on_hand(school, "3014", 5)
    f.blanks_on_hand(school, "3016", 5)
    from edureg.credentials import services

    former_actor = f.staff(school, "former-actor", FunctionArea.CERTIFICATES)
    forming = services.documents_form_for_group(
        actor=former_actor, document_type=f.document_type("maturity"), group=graduating.group
    )
    for document in forming.formed:
        services.document_approve(actor=f.SYSTEM, document=document)
    manager = staff_client(school, "manager", FunctionArea.CERTIFICATES)
    response = manager.post("/documents/zip/", {"group": graduating.group.public_id})
    assert response.status_code == 302
    call_command("db_worker", "--batch", "--no-startup-delay")
    job = Job.objects.get()
    assert job.status == "done" and job.done == 2
    archive = zipfile.ZipFile(io.BytesIO(manager.get(f"/jobs/{job.public_id}/result/").getvalue()))
    names = archive.namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)


def test_a_citizen_forms_and_downloads_a_certificate_of_studies():
    university = hei()
    right = open_right(university, person=PersonFactory(family_name="Žemaitė-Šiaulytė"))
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
    citizen.force_login(citizen_user_for(right.person))
    page = citizen.get("/documents/studies/")
    assert page.status_code == 200 and str(right.public_id) in page.content.decode()
    response = citizen.post("/documents/studies/", {"study_right": str(right.public_id)})
    assert response.status_code == 302
    document = Document.objects.get(person=right.person)
    assert document.status == DocumentStatus.ISSUED and document.registration_number
    download = citizen.get(response["Location"])
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    # A download the browser saves under the holder's name, Lithuanian letters intact
    header = Message()
    header["Content-Disposition"] = download["Content-Disposition"]
    assert header.get_content_disposition() == "attachment"
    assert header.get_filename() == f"{document.registration_number}_Žemaitė-Šiaulytė.pdf"
    # Another person's study right is not theirs to form
    other = open_right(university)
    assert (
        citizen.post("/documents/studies/", {"study_right": str(other.public_id)}).status_code
        == 404
    )
    # The HEI's data manager forms one too
    manager = staff_client(university, "hei-manager", FunctionArea.STUDENT_DATA)
    assert manager.post(f"/documents/studies/{right.public_id}/form/").status_code == 302
    assert Document.objects.filter(person=right.person).count() == 2
