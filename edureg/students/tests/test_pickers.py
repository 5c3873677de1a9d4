"""Pickers on the Student Register's pages: institutions, programmes and qualifications are
picked by name; the forms still store, and the API still takes, register ids and codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from edureg.people.models import Person
from edureg.students.tests.factories import hei, open_right, programme_of
from edureg.students.tests.test_views import staff_user, text

pytestmark = pytest.mark.django_db


def test_an_hei_users_institution_picker_offers_only_their_hei():
    vu = hei(name_lt="Vilniaus universitetas")
    ktu = hei(name_lt="Kauno technologijos universitetas", name_en="Kaunas University")
    web = staff_user(vu, f"pick-{vu.register_id}")

    found = text(web.get(reverse("students:pick-institution"), {"q": "universitetas"}))

    assert f'data-value="{vu.register_id}"' in found
    assert f'data-value="{ktu.register_id}"' not in found


def test_the_programme_picker_finds_a_programme_by_words_of_its_name():
    vu = hei()
    physics = programme_of(vu, name_lt="Taikomoji fizika", name_en="Applied Physics")
    url = reverse("programmes:pick-study-programme")

    by_lithuanian = text(staff_user(vu, f"p-{vu.register_id}").get(url, {"q": "TAIKOMOJI"}))
    by_code = text(staff_user(vu, f"c-{vu.register_id}").get(url, {"q": physics.state_code}))

    assert f'data-value="{physics.state_code}"' in by_lithuanian
    assert f"Taikomoji fizika ({physics.state_code})" in by_lithuanian
    assert f'data-value="{physics.state_code}"' in by_code


def test_a_study_right_opened_through_the_picker_stores_the_programme():
    vu = hei()
    programme = programme_of(vu, name_lt="Skaitmeninė žiniasklaida", name_en="Digital Media")
    web = staff_user(vu, f"open-{vu.register_id}")
    fields = {
        "step": "open",
        "given_names": "Olena",
        "sex": "M",
        "citizenship": "UA",
        "birth_date": "2004-06-01",
        "institution": vu.pk,
        "form": "full_time",
        "started_on": "2024-09-01",
        "course": "1",
    }

    # Without the script the name typed is resolved, diacritics or not.
    typed = web.post(
        reverse("students:open"),
        {**fields, "family_name": "Typed", "programme": "skaitmenine ziniasklaida"},
    )
    # With it, the key chosen is posted and the label shown beside it.
    picked = web.post(
        reverse("students:open"),
        {
            **fields,
            "family_name": "Picked",
            "programme": programme.state_code,
            "programme_text": f"Digital Media ({programme.state_code})",
        },
    )
    unknown = web.post(
        reverse("students:open"),
        {**fields, "family_name": "Unknown", "programme": "Astrologija"},
    )

    assert typed.status_code == 302
    assert picked.status_code == 302
    for name in ("Typed", "Picked"):
        assert Person.objects.get(family_name=name).study_rights.get().programme == programme
    assert unknown.status_code == 400
    assert "Pagal „Astrologija“ nieko nerasta." in text(unknown)
    assert not Person.objects.filter(family_name="Unknown").exists()


def test_the_student_list_and_the_api_still_filter_by_state_code():
    vu = hei()
    programme = programme_of(vu, name_lt="Chemija", name_en="Chemistry")
    open_right(vu, programme=programme)
    web = staff_user(vu, f"list-{vu.register_id}")

    page = web.get(reverse("students:list"), {"programme": programme.state_code.lower()})
    by_name = web.get(reverse("students:list"), {"programme": "chemija"})

    assert len(page.context["page_obj"].object_list) == 1
    assert len(by_name.context["page_obj"].object_list) == 1
    assert f'value="Chemija ({programme.state_code})"' in text(page)
