"""Correction requests: from any record the citizen (or a parent) asks the institution that
keeps it; the request waits in that institution's queue, counted on its data managers' home;
a manager answers (corrected, answered, declined with a reason); the citizen sees the status.
The request itself changes nothing in the register."""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from conftest import verified_login
from edureg.access.citizens import citizen_user_for
from edureg.access.models import FunctionArea
from edureg.citizen import services
from edureg.citizen.models import CorrectionRequest, CorrectionStatus
from edureg.citizen.tests.factories import child, data_manager, parent_of, school_leaver, sign_in
from edureg.core.context import Actor
from edureg.core.history import history_rows_for
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_a_request_goes_to_the_school_and_its_data_manager_answers_it(client):
    # Given a school leaver whose exam result is wrong in the register
    history = school_leaver()
    exam = history.written["achievements"][1]
    key = f"achievement:{exam.pk}"
    citizen = sign_in(history.person)
    versions_before = exam.history.count()

    # When they ask for a correction from the record
    home = citizen.get("/me/").content.decode()
    assert f"/me/corrections/new/?record={key.replace(':', '%3A')}" in home
    form = citizen.get("/me/corrections/new/", {"record": key})
    assert "Vilniaus „Ąžuolo“ gimnazija" in _text(form)
    empty = citizen.post("/me/corrections/new/", {"record": key, "message": " "})
    assert empty.status_code == 400
    assert "Write what is wrong and what it should say." in _text(empty)
    sent = citizen.post(
        "/me/corrections/new/",
        {"record": key, "message": "Mano rezultatas buvo 84, ne 74."},
    )
    assert sent.status_code == 302

    # Then it waits for the school, and nothing in the register changed
    request = CorrectionRequest.objects.get()
    assert request.institution == history.school
    assert request.status == CorrectionStatus.SENT
    assert exam.history.count() == versions_before
    assert "Waiting for an answer" in _text(citizen.get("/me/corrections/"))

    # and the school's data manager sees the count on their home page and the request
    manager = data_manager(history.school, "school-corrections", FunctionArea.PUPIL_LEARNING)
    staff = verified_login(client, manager.user)
    assert "1 request of a person to correct a record waits for your answer." in _text(
        staff.get("/", HTTP_ACCEPT_LANGUAGE="en")
    )
    queue = _text(staff.get("/corrections/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Austėja Žukauskaitė" in queue
    detail = staff.get(f"/corrections/{request.public_id}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Mano rezultatas buvo 84, ne 74." in _text(detail)
    assert f"/pupils/card/{history.person.public_id}/" in detail.content.decode()

    # When the manager declines without a reason, they are told what is missing
    refused = staff.post(
        f"/corrections/{request.public_id}/",
        {"status": "declined", "answer": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert "Give the reason why the request is declined." in _text(refused)
    # and with the reason, the person sees it
    staff.post(
        f"/corrections/{request.public_id}/",
        {"status": "declined", "answer": "Egzaminų centro duomenimis rezultatas yra 74."},
    )
    request.refresh_from_db()
    assert request.status == CorrectionStatus.DECLINED
    mine = _text(citizen.get("/me/corrections/"))
    assert "Declined" in mine and "Egzaminų centro duomenimis rezultatas yra 74." in mine
    # and the request, with its answer, keeps its history
    assert [row.status for row in history_rows_for(request)] == ["declined", "sent"]
    # and the data manager's reading of it is in the person's "who saw my data"
    assert "Your correction request" in _text(citizen.get("/me/access/"))


def test_only_the_responsible_institution_answers():
    history = school_leaver()
    me = Actor.for_user(citizen_user_for(history.person))
    right = history.written["study_right"]
    request = services.correction_request_send(
        actor=me,
        person=history.person,
        record_key=f"study-right:{right.public_id}",
        message="Kursas turėtų būti antras.",
    )
    assert request.institution == history.university

    school_manager = data_manager(history.school, "not-the-hei")
    with pytest.raises(Http404):
        services.correction_request_answer(
            actor=school_manager, request=request, status="answered", answer="Ne mūsų."
        )
    hei_manager = data_manager(history.university, "the-hei", FunctionArea.STUDENT_DATA)
    answered = services.correction_request_answer(
        actor=hei_manager, request=request, status="corrected", answer="Pataisyta."
    )
    assert answered.status == CorrectionStatus.CORRECTED
    with pytest.raises(ValidationError):
        services.correction_request_answer(
            actor=hei_manager, request=request, status="answered", answer="Dar kartą."
        )


def test_a_parent_asks_for_a_child_and_no_one_asks_about_a_stranger():
    history = school_leaver(child())
    parent = parent_of(history.person)
    parent_actor = Actor.for_user(citizen_user_for(parent))
    elective = f"elective:{history.written['electives'][0].pk}"

    request = services.correction_request_send(
        actor=parent_actor, person=history.person, record_key=elective, message="Lygis A."
    )
    assert request.person == history.person and request.sent_by == parent_actor.user

    stranger = Actor.for_user(citizen_user_for(PersonFactory()))
    with pytest.raises(Http404):
        services.correction_request_send(
            actor=stranger, person=history.person, record_key=elective, message="?"
        )
    with pytest.raises(ValidationError):
        services.correction_request_send(
            actor=parent_actor, person=history.person, record_key="elective:0", message="?"
        )
