"""Institutions, municipalities and counties."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from edureg.institutions.models import County, InstitutionKind, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.institutions.validators import validate_jar_code

pytestmark = pytest.mark.django_db


def test_the_60_municipalities_and_10_counties_come_from_iso_3166_2():
    assert Municipality.objects.count() == 60
    assert County.objects.count() == 10
    vilnius = Municipality.objects.get(code="LT-57")
    assert vilnius.name_lt == "Vilniaus miesto savivaldybė"
    assert vilnius.name_en == "Vilnius city municipality"
    assert vilnius.county.code == "LT-VL"


@pytest.mark.parametrize("code", ["211950810", "111950581"])
def test_real_legal_entity_codes_are_valid(code):
    validate_jar_code(code)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("21195081", "jar_code_format"),
        ("211950811", "jar_code_checksum"),
        ("21195081a", "jar_code_format"),
    ],
)
def test_bad_legal_entity_codes_are_refused(code, error):
    with pytest.raises(ValidationError) as exc:
        validate_jar_code(code)
    assert exc.value.code == error


def test_a_branch_needs_a_parent():
    with pytest.raises(ValidationError) as error:
        InstitutionFactory(kind=InstitutionKind.BRANCH, parent=None)
    assert "parent" in error.value.message_dict


def test_a_legal_entity_is_registered_once_but_its_branches_share_the_code():
    school = InstitutionFactory()
    branch = InstitutionFactory(
        kind=InstitutionKind.BRANCH, parent=school, jar_code=school.jar_code, branch_code="01"
    )
    assert branch.parent == school
    with pytest.raises(ValidationError) as error:
        InstitutionFactory(jar_code=school.jar_code)
    assert "jar_code" in error.value.message_dict or "__all__" in error.value.message_dict


def test_deregistration_cannot_precede_registration():
    import datetime as dt

    with pytest.raises(ValidationError) as error:
        InstitutionFactory(registered_on=dt.date(2000, 1, 1), deregistered_on=dt.date(1999, 1, 1))
    assert "deregistered_on" in error.value.message_dict


def test_the_public_list_filters_by_municipality_in_ui_and_api(client):
    vilnius_school = InstitutionFactory(name_lt="Vilniaus „Ąžuolo“ gimnazija")
    kaunas_school = InstitutionFactory(
        name_lt="Kauno „Saulės“ gimnazija", municipality=Municipality.objects.get(code="LT-15")
    )
    api = client.get("/api/v1/institutions/?municipality=LT-15").json()["results"]
    assert [i["register_id"] for i in api] == [kaunas_school.register_id]
    html = client.get("/institutions/?municipality=LT-15").content.decode()
    assert "Kauno „Saulės“ gimnazija" in html
    assert vilnius_school.name_lt not in html


def test_the_list_offers_municipalities_and_groups_by_name_and_refuses_an_unknown_code(client):
    InstitutionFactory(name_lt="Vilniaus „Ąžuolo“ gimnazija")
    page = client.get("/institutions/", headers={"Accept-Language": "lt"})
    form = page.context["filter"].form
    # picked from the list by name, never typed as an ISO 3166-2 code
    municipality = str(form["municipality"])
    assert '<option value="LT-15">Kauno miesto savivaldybė</option>' in municipality
    assert "<select" in str(form["main_group"])
    assert "---------" not in page.content.decode()
    assert "ISO 3166-2" not in page.content.decode()

    unknown = client.get("/institutions/?municipality=XX-99", headers={"Accept-Language": "lt"})
    assert list(unknown.context["page_obj"]) == []
    assert unknown.context["filter"].form.errors["municipality"]
    api = client.get("/api/v1/institutions/?municipality=XX-99")
    assert api.status_code == 400


def test_the_institution_page_shows_its_branches(client):
    school = InstitutionFactory()
    InstitutionFactory(
        kind=InstitutionKind.BRANCH,
        parent=school,
        jar_code=school.jar_code,
        name_lt="Pavilnio skyrius",
        branch_code="01",
    )
    html = client.get(f"/institutions/{school.register_id}/").content.decode()
    assert "Pavilnio skyrius" in html


def test_an_unknown_institution_is_404(client):
    assert client.get("/institutions/nope/").status_code == 404
    assert client.get("/api/v1/institutions/nope/").json()["status"] == 404
