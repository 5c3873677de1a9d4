"""The work pages of the programmes register, used as a provider's user and the registrar would:
draft through the form, submit, decide, and what others may not do."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.institutions.models import Institution
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.programmes import services
from edureg.programmes.models import Programme, ProgrammeStatus, VersionStatus
from edureg.programmes.tests.factories import (
    SYSTEM,
    classifier,
    draft_study_programme,
    registered_study_programme,
)

pytestmark = pytest.mark.django_db
STUDY_CODE = re.compile(r"^\d{4}[A-Z]X\d{3}$")
WORK = "/programmes/work/"


def signed_in(user: Any) -> Client:
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def provider_web(institution: Institution, name: str = "provider") -> Client:
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=FunctionArea.PROGRAMME_SUBMISSION,
        level=Level.MANAGER,
    )
    return signed_in(user)


def registrar_web() -> Client:
    user = make_user("registrar")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.PROGRAMME_REGISTRATION,
        level=Level.MANAGER,
    )
    return signed_in(user)


def as_posted(*parts: Any) -> dict[str, str]:
    """What a browser sends back for forms (and formsets) as the page rendered them."""
    data: dict[str, str] = {}
    for part in parts:
        form_list = [part.management_form, *part.forms] if hasattr(part, "forms") else [part]
        for form in form_list:
            for field in form:
                value = field.value()
                if isinstance(field.field.widget, forms.CheckboxInput):
                    if value:
                        data[field.html_name] = "on"
                elif value is not None:
                    data[field.html_name] = str(field.field.prepare_value(value))
    return data


def new_draft_form(client: Client, **content: Any) -> dict[str, str]:
    """The new-programme form as rendered, filled in with a university bachelor programme."""
    page = client.get(f"{WORK}new/")
    assert page.status_code == 200
    data = as_posted(page.context["form"], page.context["modules"])
    data.update(
        {
            "kind": "study",
            "name_lt": "Informatika",
            "name_en": "Informatics",
            "description_lt": "Programavimas, algoritmai ir duomenų bazės.",
            "study_type": "university",
            "cycle": "bachelor",
            "study_field": str(classifier("study-field", "informatics").pk),
            "isced_level": str(classifier("isced-level", "6").pk),
            "ltks_level": str(classifier("ltks-level", "6").pk),
            "credits": "240",
            "duration_years": "4",
            "languages": "lt,en",
            "education_awarded_lt": "Informatikos bakalauras",
            "modules-0-name_lt": "Programavimo pagrindai",
            "modules-0-credits": "6",
            "modules-1-name_lt": "Diskrečioji matematika",
            "modules-1-credits": "6",
        }
    )
    data.update({k: str(v) for k, v in content.items()})
    return data


def edit_form(client: Client, programme: Programme, **content: Any) -> dict[str, str]:
    page = client.get(f"{WORK}{programme.public_id}/edit/")
    assert page.status_code == 200
    data = as_posted(page.context["form"], page.context["modules"])
    data.update({k: str(v) for k, v in content.items()})
    return data


def test_a_study_programme_goes_from_a_draft_through_the_registrar_to_the_catalogue():
    # given a university's programme provider and the national registrar
    university = InstitutionFactory()
    provider = provider_web(university)
    registrar = registrar_web()

    # when the provider drafts a programme (the only provider is preselected) and submits it
    data = new_draft_form(provider)
    assert data["provider"] == str(university.pk)
    response = provider.post(f"{WORK}new/", data)
    programme = Programme.objects.get()
    work_page = f"{WORK}{programme.public_id}/"
    assert response.status_code == 302 and response["Location"] == work_page
    assert [m.name_lt for m in programme.versions.get().modules.all()] == [
        "Programavimo pagrindai",
        "Diskrečioji matematika",
    ]
    page = provider.post(f"{work_page}submit/", follow=True)
    assert "The programme was submitted to the registrar." in page.content.decode()

    # then the registrar finds it among those awaiting a decision, and asks for changes
    awaiting = registrar.get(WORK, {"awaiting": "on"})
    assert "Informatika" in awaiting.content.decode()
    page = registrar.post(
        f"{work_page}request-changes/",
        {"changes-note": "Pridėkite praktikos modulį."},
        follow=True,
    )
    assert "Pridėkite praktikos modulį." in page.content.decode()

    # when the provider sees the note, edits the draft and submits again
    page = provider.get(work_page)
    assert "Pridėkite praktikos modulį." in page.content.decode()
    data = edit_form(
        provider,
        programme,
        **{
            "name_lt": "Informatika ir praktika",
            "modules-2-name_lt": "Praktika",
            "modules-2-credits": 30,
        },
    )
    assert provider.post(f"{work_page}edit/", data).status_code == 302
    assert provider.post(f"{work_page}submit/").status_code == 302

    # then the registrar registers it: the page shows the state code, the catalogue lists it
    page = registrar.post(f"{work_page}register/", follow=True)
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.REGISTERED
    assert STUDY_CODE.match(programme.state_code)
    registered = programme.versions.get(status=VersionStatus.REGISTERED)
    assert [m.name_lt for m in registered.modules.all()] == [
        "Programavimo pagrindai",
        "Diskrečioji matematika",
        "Praktika",
    ]
    code = re.search(r'id="state-code">([^<]+)<', page.content.decode())
    assert code and STUDY_CODE.match(code.group(1)) and code.group(1) == programme.state_code
    catalogue = Client().get("/programmes/")
    assert programme.state_code in catalogue.content.decode()
    assert "Informatika ir praktika" in catalogue.content.decode()
    public = Client().get(f"/programmes/{programme.state_code}/")
    assert "Praktika" in public.content.decode()


def test_bad_input_shows_the_field_error_and_saves_nothing():
    university = InstitutionFactory()
    provider = provider_web(university)

    response = provider.post(f"{WORK}new/", new_draft_form(provider, credits=150))

    assert response.status_code == 400
    errors = response.context["form"].errors["credits"]
    assert errors and "180–240" in errors[0]
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_credits"' in html
    assert not Programme.objects.exists()


def test_a_broken_module_row_is_shown_and_saves_nothing():
    provider = provider_web(InstitutionFactory())

    response = provider.post(f"{WORK}new/", new_draft_form(provider, **{"modules-0-credits": "x"}))

    assert response.status_code == 400
    assert response.context["modules"].forms[0].errors["credits"]
    assert not Programme.objects.exists()


def test_another_providers_user_gets_404_on_the_work_page_and_its_actions():
    # given a draft of one university, and a user of another
    programme = draft_study_programme(InstitutionFactory())
    stranger = provider_web(InstitutionFactory(), name="stranger")
    work_page = f"{WORK}{programme.public_id}/"

    # then the programme does not exist for them, not even in their list
    assert stranger.get(work_page).status_code == 404
    assert stranger.get(f"{work_page}edit/").status_code == 404
    for action in (
        "edit",
        "submit",
        "change",
        "register",
        "request-changes",
        "reject",
        "deregister",
    ):
        assert stranger.post(f"{work_page}{action}/").status_code == 404, action
    assert "Informatika" not in stranger.get(WORK).content.decode()
    assert programme.versions.get().status == VersionStatus.DRAFT


def test_a_provider_cannot_register_its_own_programme():
    university = InstitutionFactory()
    provider = provider_web(university)
    programme = draft_study_programme(university)
    services.programme_submit(actor=SYSTEM, programme=programme)
    page = provider.get(f"{WORK}{programme.public_id}/")
    assert "/register/" not in page.content.decode()  # not offered

    response = provider.post(f"{WORK}{programme.public_id}/register/")

    assert response.status_code == 403
    programme.refresh_from_db()
    assert programme.status == ProgrammeStatus.SUBMITTED and programme.state_code is None


def test_a_stale_edit_is_refused_with_a_message():
    # given a provider's user who opened the edit form
    university = InstitutionFactory()
    provider = provider_web(university)
    programme = draft_study_programme(university)
    data = edit_form(provider, programme, name_lt="Mano pakeitimas")

    # when someone else saves the draft meanwhile
    services.programme_draft_update(actor=SYSTEM, programme=programme, name_lt="Kito pakeitimas")
    response = provider.post(f"{WORK}{programme.public_id}/edit/", data)

    # then the old form is refused and the other change stays
    assert response.status_code == 409
    assert "Someone changed this programme meanwhile" in response.content.decode()
    assert programme.versions.get().name_lt == "Kito pakeitimas"


def test_the_registrar_rejects_with_a_reason_and_deregisters_with_a_classifier_reason():
    university = InstitutionFactory()
    registrar = registrar_web()
    submitted = draft_study_programme(university)
    services.programme_submit(actor=SYSTEM, programme=submitted)
    page = f"{WORK}{submitted.public_id}/"

    # a rejection needs its reason
    response = registrar.post(f"{page}reject/", {"reject-reason": " "})
    assert response.status_code == 400
    assert response.context["forms"]["reject"].errors["reason"]
    assert registrar.post(f"{page}reject/", {"reject-reason": "Netinka."}).status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ProgrammeStatus.REJECTED

    registered = registered_study_programme(university)
    reason = classifier("programme-deregistration-reason", "not-accredited")
    response = registrar.post(
        f"{WORK}{registered.public_id}/deregister/", {"deregister-reason": reason.pk}
    )
    assert response.status_code == 302
    registered.refresh_from_db()
    assert registered.status == ProgrammeStatus.DEREGISTERED
    assert registered.deregistration_reason == reason


def test_the_work_list_shows_a_provider_its_own_programmes_and_filters_by_status():
    mine, theirs = InstitutionFactory(), InstitutionFactory()
    draft_study_programme(mine, name_lt="Mūsų juodraštis")
    registered_study_programme(mine, name_lt="Mūsų registruota")
    draft_study_programme(theirs, name_lt="Svetimas juodraštis")
    provider = provider_web(mine)

    everything = provider.get(WORK).content.decode()
    drafts = provider.get(WORK, {"status": "draft"}).content.decode()

    assert "Mūsų juodraštis" in everything and "Mūsų registruota" in everything
    assert "Svetimas juodraštis" not in everything
    assert "Mūsų juodraštis" in drafts and "Mūsų registruota" not in drafts
    assert 'name="awaiting"' not in everything  # the registrar's filter only


def test_the_work_pages_need_a_sign_in_and_someone_without_rights_sees_an_empty_list():
    assert Client().get(WORK).status_code == 302
    nobody = signed_in(make_user("nobody"))
    page = nobody.get(WORK)
    assert page.status_code == 200 and "You have no programmes yet." in page.content.decode()
    assert nobody.get(f"{WORK}new/").status_code == 403


def test_the_work_list_takes_the_same_number_of_queries_for_more_programmes():
    university = InstitutionFactory()
    registrar = registrar_web()
    draft_study_programme(university)
    registrar.get(WORK)  # warm the session and the registrar's roles
    with CaptureQueriesContext(connection) as few:
        registrar.get(WORK)
    for _ in range(5):
        draft_study_programme(university)
    with CaptureQueriesContext(connection) as many:
        page = registrar.get(WORK)

    assert page.content.decode().count("/programmes/work/") >= 6
    assert len(many.captured_queries) == len(few.captured_queries)
