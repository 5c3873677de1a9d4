"""A school's information system and its director work with documents through the API: form a
maturity certificate (a refusal names the missing exam), approve it (four eyes: not the one who
formed it), list and read the issued documents, annul one and form its duplicate; another
school sees none of it; the change shows in the pupil's history."""

from __future__ import annotations

import base64

import pytest
from django.test import Client
from rest_framework.test import APIClient

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import AccessLogEntry
from edureg.credentials.models import Document, DocumentStatus
from edureg.credentials.tests import factories as f
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

DOCUMENTS = "/api/v1/documents/"


def school_system(school: Institution, name: str) -> APIClient:
    """The OAuth2 client of a school's information system that forms certificates."""
    binding, secret = access_services.client_register(
        actor=f.SYSTEM,
        name=name,
        institution=school,
        rights=[(FunctionArea.CERTIFICATES, Level.MANAGER)],
    )
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    basic = base64.b64encode(f"{binding.application.client_id}:{secret}".encode()).decode()
    token = api.post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert token.status_code == 200, token.content
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['access_token']}")
    return api


def director(school: Institution, name: str) -> APIClient:
    user = make_user(name)
    access_services.role_grant(
        actor=f.SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.CERTIFICATES,
        level=Level.MANAGER,
    )
    return verified_login(APIClient(HTTP_ACCEPT_LANGUAGE="en"), user)


def test_a_certificate_is_formed_approved_annulled_and_duplicated_through_the_api(
    django_assert_max_num_queries,
):
    # Given a graduating class of two, one of whom did not sit Lithuanian, and blanks on hand
    graduating = f.graduating_class(size=2)
    school = graduating.school
    passed, missing = graduating.pupils
    from edureg.pupils.models import ExamResult

    ExamResult.objects.filter(person=missing, exam=graduating.exams["lithuanian"]).delete()
    f.blanks_on_hand(school, "3014", 5, series="BA")
    f.blanks_on_hand(school, "3016", 5, series="BP")
    sis = school_system(school, "Mokyklos IS")
    head = director(school, "direktore")

    # When the school's system forms the pupils' maturity certificates
    formed = sis.post(
        DOCUMENTS, {"document_type": "maturity", "person": str(passed.public_id)}, format="json"
    )
    refused = sis.post(
        DOCUMENTS, {"document_type": "maturity", "person": str(missing.public_id)}, format="json"
    )
    stranger = sis.post(
        DOCUMENTS,
        {"document_type": "maturity", "person": str(PersonFactory().public_id)},
        format="json",
    )

    # Then one awaits approval, the other is refused with the missing exam named
    assert formed.status_code == 201, formed.content
    document = formed.json()
    assert document["status"] == "formed" and document["registration_number"] is None
    assert document["holder"]["family_name"] == passed.family_name
    assert refused.status_code == 400
    assert refused.json()["field"] == "person" and "Lithuanian" in refused.json()["message"]
    assert stranger.status_code == 400 and stranger.json()["code"] == "does_not_exist"

    # The system that formed it cannot approve it; the director can
    one = f"{DOCUMENTS}{document['id']}/"
    assert sis.post(f"{one}approve/", {}, format="json").status_code == 400
    approved = head.post(f"{one}approve/", {}, format="json")
    assert approved.status_code == 200, approved.content
    issued = approved.json()
    assert issued["status"] == "issued" and issued["registration_number"].startswith("BA-")
    assert issued["blank"] == {"series": "BA", "number": 1}
    assert issued["supplement_blank"] == {"series": "BP", "number": 1}
    assert issued["verification_url"].endswith(f"/verify/{_code(document['id'])}/")

    # The issued documents are listed and read, each read logged for the holder
    with django_assert_max_num_queries(12):
        listed = sis.get(DOCUMENTS, {"status": "issued"})
    assert [d["id"] for d in listed.json()["results"]] == [document["id"]]
    detail = sis.get(one).json()
    assert detail["content"]["holder"]["given_names"] == passed.given_names
    assert AccessLogEntry.objects.filter(
        person_public_id=passed.public_id, what="credentials.api"
    ).exists()

    # Annulled with a reason, then a duplicate formed, linked, and approved
    assert sis.post(f"{one}annul/", {"reason": ""}, format="json").json()["field"] == "reason"
    annulled = head.post(f"{one}annul/", {"reason": "Pamestas"}, format="json")
    assert annulled.status_code == 200 and annulled.json()["status"] == "annulled"
    reissued = sis.post(f"{one}reissue/", {"kind": "duplicate"}, format="json")
    assert reissued.status_code == 201, reissued.content
    duplicate = reissued.json()
    assert duplicate["replaces"] == document["id"] and duplicate["reissue_kind"] == "duplicate"
    assert duplicate["document_type"] == "maturity-duplicate"
    head.post(f"{DOCUMENTS}{duplicate['id']}/approve/", {}, format="json")
    assert sis.get(one).json()["reissued_as"] == duplicate["id"]

    # Another school's system sees none of it, by any path
    other = school_system(InstitutionFactory(), "Kitos mokyklos IS")
    assert other.get(DOCUMENTS).json()["results"] == []
    for path in ("", "pdf/"):
        assert other.get(f"{one}{path}").status_code == 404
    for action in ("approve/", "annul/", "reissue/", "discard/"):
        assert other.post(f"{one}{action}", {"reason": "x"}, format="json").status_code == 404

    # And the pupil's card shows the document's changes in the pupil's history
    teacher = make_user("klasės-vadovė")
    access_services.role_grant(
        actor=f.SYSTEM,
        user=teacher,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.VIEWER,
    )
    access_services.role_grant(
        actor=f.SYSTEM,
        user=teacher,
        scope_kind=ScopeKind.INSTITUTION,
        institution=school,
        function_area=FunctionArea.CERTIFICATES,
        level=Level.VIEWER,
    )
    card = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), teacher).get(
        f"/pupils/card/{passed.public_id}/"
    )
    history = card.content.decode().split('id="history-heading"')[1]
    assert issued["registration_number"] in history
    assert "Annulled" in history and "Issued" in history


def _code(public_id: str) -> str:
    return str(Document.objects.get(public_id=public_id).verification_code)


def test_the_sealed_pdf_comes_through_the_api_and_a_viewer_may_not_approve():
    graduating = f.graduating_class(size=1)
    school = graduating.school
    f.blanks_on_hand(school, "3014", 2)
    f.blanks_on_hand(school, "3016", 2)
    maturity = f.document_type("maturity")
    from edureg.credentials import services

    former = f.staff(school, "former", FunctionArea.CERTIFICATES)
    (document,) = services.documents_form_for_group(
        actor=former, document_type=maturity, group=graduating.group
    ).formed
    viewer = make_user("viewer")
    access_services.role_grant(
        actor=f.SYSTEM,
        user=viewer,
        scope_kind=ScopeKind.MUNICIPALITY,
        municipality=school.municipality,
        function_area=FunctionArea.CERTIFICATES,
        level=Level.VIEWER,
    )
    api = verified_login(APIClient(HTTP_ACCEPT_LANGUAGE="en"), viewer)
    one = f"{DOCUMENTS}{document.public_id}/"
    assert api.get(one).status_code == 200
    assert api.get(f"{one}pdf/").status_code == 404  # not issued yet
    assert api.post(f"{one}approve/", {}, format="json").status_code == 403
    services.document_approve(actor=f.SYSTEM, document=document)
    response = api.get(f"{one}pdf/")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    document.refresh_from_db()
    assert document.status == DocumentStatus.ISSUED and document.pdf_sha256
