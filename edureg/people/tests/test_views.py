"""Web UI and back office for people."""

from __future__ import annotations

import datetime as dt

import pytest

from edureg.core.models import AccessLogEntry
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory, personal_code

pytestmark = pytest.mark.django_db


def test_the_person_page_shows_the_record_and_logs_the_read(admin_web):
    person = PersonFactory(given_names="Austėja", family_name="Žukauskaitė")
    html = admin_web.get(f"/people/{person.public_id}/").content.decode()
    assert "Austėja Žukauskaitė" in html
    assert AccessLogEntry.objects.filter(person_public_id=person.public_id).count() == 1


def test_lookup_by_personal_code_posts_and_redirects_to_the_uuid(admin_web):
    code = personal_code()
    person = PersonFactory(personal_code=code)
    response = admin_web.post("/people/", {"personal_code": code})
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.public_id}/"
    assert code not in response["Location"]


def test_the_search_by_get_matches_names_only_and_the_code_by_post_in_any_digits(admin_web):
    code = personal_code()
    person = PersonFactory(personal_code=code, given_names="Rūta", family_name="Šimkutė")
    fullwidth = code.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})

    by_name = admin_web.get("/people/", {"q": "Šimkutė"}).content.decode()
    by_code_in_url = admin_web.get("/people/", {"q": code}).content.decode()
    by_post = admin_web.post("/people/", {"personal_code": fullwidth})

    assert str(person.public_id) in by_name
    assert str(person.public_id) not in by_code_in_url
    assert by_post["Location"] == f"/people/{person.public_id}/"


def test_a_person_outside_the_scope_is_404(client, plain_staff):
    person = PersonFactory()
    client.force_login(plain_staff)
    assert client.get(f"/people/{person.public_id}/").status_code == 404
    assert person.family_name not in client.get("/people/").content.decode()


def test_the_list_shows_an_empty_state(admin_web):
    html = admin_web.get("/people/?q=Niekas").content.decode()
    assert 'class="empty"' in html


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "check digit is wrong"), ("lt", "kontrolinis skaitmuo")]
)
def test_the_back_office_refuses_an_invalid_code_with_a_field_error(admin_web, language, expected):
    response = admin_web.post(
        "/admin/people/person/add/",
        {
            "personal_code": "33309240065",
            "given_names": "Jonas",
            "family_name": "Jonaitis",
            "birth_date": "1933-09-24",
            "sex": "V",
            "citizenship": "LT",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert Person.objects.count() == 0


def test_the_back_office_refuses_a_birth_date_that_disagrees(admin_web):
    response = admin_web.post(
        "/admin/people/person/add/",
        {
            "personal_code": personal_code(dt.date(2009, 9, 1)),
            "given_names": "Rokas",
            "family_name": "Vaitkus",
            "birth_date": "2009-09-02",
            "sex": "V",
            "citizenship": "LT",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "does not match the personal code" in response.content.decode()
    assert Person.objects.count() == 0


def test_the_back_office_registers_a_valid_person_with_history(admin_web):
    response = admin_web.post(
        "/admin/people/person/add/",
        {
            "personal_code": personal_code(dt.date(2009, 9, 1)),
            "given_names": "Rokas",
            "family_name": "Vaitkus",
            "birth_date": "2009-09-01",
            "sex": "V",
            "citizenship": "LT",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.history.get().history_channel == "web"


def test_the_person_page_shows_the_record_as_of_a_past_date(admin_web):
    person = PersonFactory(family_name="Rimkutė")
    html = admin_web.get(f"/people/{person.public_id}/?as_of=2000-01-01").content.decode()
    assert 'class="empty"' in html  # not yet registered then
