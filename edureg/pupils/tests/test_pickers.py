"""Pickers on the Pupil Register's pages: a person picks institutions and languages by name;
the forms and filters still store and accept the codes (core.pickers)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from edureg.institutions.models import FounderType, Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.pupils.models import Group
from edureg.pupils.tests.test_views import (
    class_of,
    enrolled,
    in_school_year_2025,  # noqa: F401 — a fixture
    manager_of,
    municipal_viewer,
    signed_in,
)

pytestmark = pytest.mark.django_db


def options(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return response.content.decode()


def test_a_school_users_institution_picker_offers_only_their_school():
    vilnius = Municipality.objects.get(code="LT-57")
    school = InstitutionFactory(municipality=vilnius, founder_type=FounderType.MUNICIPAL)
    elsewhere = InstitutionFactory(municipality=Municipality.objects.get(code="LT-19"))
    web = signed_in(manager_of(school, f"picker-{school.register_id}"))
    url = reverse("pupils:pick-institution")

    # The factory's names are "Vilniaus „Saulės“ gimnazija Nr. n"
    found = options(web.get(url, {"q": "vilniaus"}))
    folded = options(web.get(url, {"q": "VILNIAUS saules"}))

    assert f'data-value="{school.register_id}"' in found
    assert f'data-value="{school.register_id}"' in folded
    assert school.name_lt in found
    assert elsewhere.register_id not in found
    assert elsewhere.register_id not in folded
    # A search that names only the other municipality's school finds nothing for this user.
    assert "Nieko nerasta." in options(web.get(url, {"q": elsewhere.register_id}))


def test_a_municipality_sees_its_schools_in_the_picker_and_not_anothers():
    vilnius = Municipality.objects.get(code="LT-57")
    ours = InstitutionFactory(municipality=vilnius)
    theirs = InstitutionFactory(municipality=Municipality.objects.get(code="LT-19"))
    web = signed_in(municipal_viewer(vilnius))

    found = options(web.get(reverse("pupils:pick-institution"), {"q": "gimnazija"}))

    assert f'data-value="{ours.register_id}"' in found
    assert f'data-value="{theirs.register_id}"' not in found


def test_the_picker_needs_a_signed_in_user(client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("pupils:pick-institution"), {"q": "vilniaus"})

    assert response.status_code == 302


def test_the_pupil_list_filters_by_an_institution_picked_by_name(in_school_year_2025):  # noqa: F811
    vilnius = Municipality.objects.get(code="LT-57")
    first = InstitutionFactory(municipality=vilnius)
    second = InstitutionFactory(municipality=vilnius)
    enrolled(first, class_of(first, "5a", "5"), given_names="Ieva", family_name="Pirmoji")
    enrolled(second, class_of(second, "5a", "5"), given_names="Ona", family_name="Antroji")
    web = signed_in(municipal_viewer(vilnius))

    # What the script sends (the key) and what a browser without it sends (the name typed).
    by_key = web.get(reverse("pupils:list"), {"institution": first.register_id})
    by_name = web.get(reverse("pupils:list"), {"institution": first.name_lt})
    unknown = web.get(reverse("pupils:list"), {"institution": "Neesama mokykla"})

    for response in (by_key, by_name):
        names = {e.person.family_name for e in response.context["page_obj"].object_list}
        assert names == {"Pirmoji"}
        # The picker shows the name, and carries the key for the script.
        assert f'data-key="{first.register_id}"' in response.content.decode()
    assert unknown.context["filter"].form.errors["institution"] == [
        "Pagal „Neesama mokykla“ nieko nerasta."
    ]


def test_a_class_gets_the_language_picked_by_name(in_school_year_2025):  # noqa: F811
    school = InstitutionFactory(municipality=Municipality.objects.get(code="LT-57"))
    web = signed_in(manager_of(school, f"language-{school.register_id}"))
    form = {
        "institution": school.pk,
        "school_year": "2025",
        "kind": "general",
        "grade": "6",
    }

    # With the script: the key in `language`, the label in `language_text`.
    picked = web.post(
        reverse("pupils:group-new"),
        {**form, "name": "6p", "language": "pl", "language_text": "Lenkų (pl)"},
    )
    # Without it: the name as typed, resolved on the server.
    typed = web.post(reverse("pupils:group-new"), {**form, "name": "6r", "language": "rusu"})
    unknown = web.post(reverse("pupils:group-new"), {**form, "name": "6x", "language": "marsiečių"})

    assert picked.status_code == 302
    assert typed.status_code == 302
    assert Group.objects.get(institution=school, name="6p").language == "pl"
    assert Group.objects.get(institution=school, name="6r").language == "ru"
    assert unknown.status_code == 400
    assert unknown.context["form"].errors["language"] == ["Pagal „marsiečių“ nieko nerasta."]
    assert not Group.objects.filter(institution=school, name="6x").exists()


def test_the_new_class_form_shows_lithuanian_as_the_language():
    school = InstitutionFactory(municipality=Municipality.objects.get(code="LT-57"))
    web = signed_in(manager_of(school, f"form-{school.register_id}"))

    page = web.get(reverse("pupils:group-new")).content.decode()

    assert 'value="Lietuvių (lt)"' in page
    assert 'data-key="lt"' in page
    assert 'data-url="/pick/languages/"' in page
