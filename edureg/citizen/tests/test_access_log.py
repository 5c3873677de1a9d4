"""Who saw my data, in plain words: the organisation and the role of the reader (recorded when
the data was read), what was seen, when and through which channel — the same words on the
citizen's page, in the citizen's download and on the staff page of the person."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from conftest import make_user, verified_actor, verified_login
from edureg.access import services as access_services
from edureg.access.citizens import citizen_user_for
from edureg.access.models import ClientBinding, FunctionArea, Level, ScopeKind
from edureg.citizen.tests.factories import (
    SYSTEM,
    child,
    data_manager,
    parent_of,
    school_leaver,
    sign_in,
)
from edureg.core.audit import access_what_keys, log_person_access, verify_all
from edureg.core.context import Actor, Channel
from edureg.core.models import AccessLogEntry
from edureg.core.readable import readable
from edureg.people import services as people_services
from edureg.people.selectors import person_get
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _national_viewer() -> Actor:
    user = make_user("agency-viewer", first_name="Tomas", last_name="Jankauskas")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.VIEWER,
    )
    return verified_actor(user)


def _school_system(history) -> Actor:  # type: ignore[no-untyped-def]
    binding, _secret = access_services.client_register(
        actor=SYSTEM,
        name="Mokyklos informacinė sistema „Tamo“",
        institution=history.school,
        rights=[(FunctionArea.PUPIL_PERSONAL, Level.VIEWER)],
    )
    return Actor.for_client(ClientBinding.objects.get(pk=binding.pk))


def test_a_citizen_reads_who_saw_their_data_in_plain_words(settings):
    # Given a school leaver whose card the school's data manager opened on the web, whom the
    # agency looked up, and whom the school's information system read through the API
    history = school_leaver()
    manager = data_manager(history.school, "school-manager")
    person_get(actor=manager, public_id=history.person.public_id, what="pupil.card")
    person_get(actor=_national_viewer(), public_id=history.person.public_id, what="person.detail")
    person_get(
        actor=_school_system(history), public_id=history.person.public_id, what="enrolment.detail"
    )

    # When the citizen opens "who saw my data"
    page = _text(sign_in(history.person).get("/me/access/"))

    # Then each read says who (organisation and role), what, and how
    assert "Vilniaus „Ąžuolo“ gimnazija, data manager Pupil's card web" in page
    assert "Nacionalinė švietimo agentūra, data viewer Person's record web" in page
    assert "Vilniaus „Ąžuolo“ gimnazija, information system Learning contract API" in page
    # and never the register's internal keys, nor (by default) the staff member's name
    for internal in ("user:", "client:", "pupil.card", "person.detail", "Rūta", "Vaitkutė"):
        assert internal not in page
    # unless the policy lets citizens see the names of staff
    settings.CITIZEN_SEES_STAFF_NAMES = True
    named = _text(sign_in(history.person).get("/me/access/"))
    assert "Vilniaus „Ąžuolo“ gimnazija, data manager (Rūta Vaitkutė)" in named


def test_the_organisation_and_role_are_those_at_the_time_of_the_read():
    history = school_leaver()
    manager = data_manager(history.school, "manager-who-moves")
    person_get(actor=manager, public_id=history.person.public_id, what="pupil.card")

    # The school is renamed afterwards
    history.school.name_lt = "Vilniaus Ąžuolo licėjus"
    history.school.save()

    entry = AccessLogEntry.objects.get(person_public_id=history.person.public_id)
    assert (entry.reader_organisation, entry.reader_role) == (
        "Vilniaus „Ąžuolo“ gimnazija",
        "data_manager",
    )
    assert verify_all() == []


def test_the_staff_page_of_a_person_uses_the_same_words_and_names_the_reader(client):
    history = school_leaver()
    manager = data_manager(history.school, "the-manager")
    person_get(actor=manager, public_id=history.person.public_id, what="pupil.card")
    agency_user = make_user(
        "agency-staff", is_superuser=True, first_name="Eglė", last_name="Butkutė"
    )

    staff = verified_login(client, agency_user)
    page = _text(staff.get(f"/people/{history.person.public_id}/", HTTP_ACCEPT_LANGUAGE="en"))

    assert "Vilniaus „Ąžuolo“ gimnazija, data manager (Rūta Vaitkutė) Pupil's card web" in page
    assert "user:" not in page and "pupil.card" not in page


def test_the_list_is_paginated_filtered_by_period_and_downloadable():
    person = PersonFactory()
    manager = replace(_national_viewer(), channel=Channel.API)
    for _ in range(30):
        log_person_access(actor=manager, person_public_ids=[person.public_id], what="person.list")
    old = AccessLogEntry.objects.filter(person_public_id=person.public_id).order_by("id")[:5]
    AccessLogEntry.objects.filter(pk__in=[e.pk for e in old]).update(
        at=dt.datetime(2024, 3, 5, 8, 0, tzinfo=dt.UTC)
    )
    client = sign_in(person)

    first = client.get("/me/access/")
    assert first.status_code == 200
    assert _text(first).count("List: search of people") == 25
    assert "Page 1 of 2" in _text(first)
    assert _text(client.get("/me/access/?page=2")).count("List: search of people") == 5

    march = client.get("/me/access/", {"date_from": "2024-03-01", "date_to": "2024-03-31"})
    assert _text(march).count("List: search of people") == 5
    download = client.get(
        "/me/access/export.csv", {"date_from": "2024-03-01", "date_to": "2024-03-31"}
    )
    rows = b"".join(download.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert download["Content-Type"].startswith("text/csv")
    assert rows[0] == "When,Who,What was seen,Channel"
    assert len(rows) == 6
    who = '"Nacionalinė švietimo agentūra, data viewer"'
    assert rows[1] == f"2024-03-05 10:00,{who},List: search of people,API"

    backwards = client.get("/me/access/", {"date_from": "2024-03-31", "date_to": "2024-03-01"})
    assert backwards.status_code == 400
    assert "The end of the period cannot come before its start." in _text(backwards)


# --- Parents ------------------------------------------------------------------------------


def test_a_parent_sees_each_child_under_18_and_the_child_sees_the_parents_views():
    kid = child(dt.date(2014, 5, 5), "Kajus")
    history = school_leaver(child(dt.date(2010, 2, 2), "Matas"))
    grown_up = child(dt.date(2000, 1, 1), "Jonas")
    parent = parent_of(kid, history.person, grown_up)
    client = sign_in(parent)

    home = _text(client.get("/me/"))
    assert "Kajus" in home and "Matas" in home
    assert "Jonas" not in home  # an adult child is no longer the parent's to see
    assert client.get(f"/me/children/{grown_up.public_id}/").status_code == 404
    stranger = PersonFactory()
    assert client.get(f"/me/children/{stranger.public_id}/").status_code == 404

    childs_page = _text(client.get(f"/me/children/{history.person.public_id}/"))
    assert "Learning history of Matas Žukauskas" in childs_page
    assert "Matematikos valstybinis brandos egzaminas" in childs_page

    # and the child, signed in, sees that the parent looked
    seen = _text(sign_in(history.person).get("/me/access/"))
    assert "Parent or guardian: Inga Žukauskienė Learning history in the portal “My data”" in seen


def test_a_parent_reads_but_never_changes_a_childs_record_and_loses_sight_when_it_ends():
    kid = child()
    parent = parent_of(kid)
    parent_actor = Actor.for_user(citizen_user_for(parent))

    assert person_get(actor=parent_actor, public_id=kid.public_id) == kid
    with pytest.raises(PermissionDenied):
        people_services.person_update(actor=parent_actor, person=kid, family_name="Pakeista")
    kid.refresh_from_db()
    assert kid.family_name == "Žukauskas"

    relation = kid.guardianships.get()
    people_services.guardianship_end(
        actor=SYSTEM, guardianship=relation, valid_to=timezone.localdate()
    )
    client = sign_in(parent)
    assert client.get(f"/me/children/{kid.public_id}/").status_code == 404


# --- Every logged read has words --------------------------------------------------------------

SOURCE = Path(__file__).resolve().parents[2]
WHAT_LITERAL = re.compile(
    r"""\bwhat(?:\s*:\s*str)?\s*=\s*["']([a-z][\w.-]*)["']|\bWHAT\s*=\s*["']([a-z][\w.-]*)["']"""
)


def test_every_kind_of_logged_read_has_words_for_the_person():
    used = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in WHAT_LITERAL.finditer(path.read_text(encoding="utf-8")):
            used.add(match.group(1) or match.group(2))
    assert len(used) > 20
    assert used - access_what_keys() == set()


def test_the_staff_cards_name_the_channel_and_the_country_in_words(client):
    # Given a school leaver whose records the register's services wrote (the "system" channel),
    # with Lithuanian citizenship and a mobility in Austria
    history = school_leaver()
    agency_user = make_user("agency-reader", is_superuser=True)
    staff = verified_login(client, agency_user)

    # When the agency reads the person, the pupil card and the student card in Lithuanian
    pages = {
        url: _text(staff.get(url, HTTP_ACCEPT_LANGUAGE="lt"))
        for url in (
            f"/people/{history.person.public_id}/",
            f"/pupils/card/{history.person.public_id}/",
            f"/students/{history.written['study_right'].public_id}/",
        )
    }

    # Then each history says through which channel in words and each country by its name,
    # never the register's codes ("system", "LT", "AT")
    for url, page in pages.items():
        assert "registro vidinis darbas" in page, url
        assert "Pilietybė Lietuva" in page, url
        assert " system " not in page and " LT " not in page, url
    # and so does a recorded change of citizenship in every history
    with translation.override("lt"):
        [[change]] = readable([("people.person", {"citizenship": ["LT", "AT"]})])
    assert (change.label, change.before, change.after) == ("Pilietybė", "Lietuva", "Austrija")
    student_card = pages[f"/students/{history.written['study_right'].public_id}/"]
    assert "Universität Wien Austrija" in student_card and " AT " not in student_card
