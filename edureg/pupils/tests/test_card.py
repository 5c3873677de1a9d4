"""The pupil card, web page and API, costs a fixed handful of SQL statements whatever the
pupil's history, and shows every record of that history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import ClassifierValue
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people import services as people_services
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services
from edureg.pupils.models import GroupKind
from edureg.pupils.tests.test_api import school_system
from edureg.pupils.tests.test_views import (
    SEPT_1,
    SYSTEM,
    class_of,
    departure_reason,
    manager_of,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db

CARD_STATEMENTS = 8  # issue #11: at most 8 statements per card, whatever the history


def _value(classifier: str) -> ClassifierValue:
    return ClassifierValue.objects.filter(classifier__code=classifier).order_by("code").first()


def _long_history(school, other):  # type: ignore[no-untyped-def]
    """A pupil who moved schools, changed class, left, attends a club and an NVŠ group with
    funding marked for months, has electives, achievements, special needs, and whose name
    changed: some thirty version rows over a dozen records."""
    pupil = PersonFactory(family_name="Ilgaistorė")
    first = services.pupil_enrol(
        actor=SYSTEM, person=pupil, group=class_of(other, "5b", "5"), valid_from=SEPT_1
    )
    second = services.pupil_enrol(
        actor=SYSTEM,
        person=pupil,
        group=class_of(school, "5a", "5"),
        valid_from=dt.date(2025, 11, 3),
        transfer=True,
    )
    moved = services.pupil_move(
        actor=SYSTEM, enrolment=second, group=class_of(school, "5c", "5"), on=dt.date(2026, 1, 12)
    )
    services.pupil_depart(
        actor=SYSTEM, enrolment=moved, on=dt.date(2026, 3, 2), reason=departure_reason()
    )
    services.pupil_enrol(
        actor=SYSTEM,
        person=pupil,
        group=services.group_create(
            actor=SYSTEM,
            institution=school,
            school_year=2026,
            name="6a",
            kind=GroupKind.GENERAL,
            grade="6",
        ),
        valid_from=SEPT_1.replace(2026),
    )
    club = class_of(school, "Robotika", "", GroupKind.CLUB)
    services.group_directions_set(actor=SYSTEM, group=club, directions=[_value("nvs-direction")])
    services.pupil_enrol(actor=SYSTEM, person=pupil, group=club, valid_from=SEPT_1)
    nvs = class_of(school, "Šokiai", "", GroupKind.NVS)
    services.group_directions_set(actor=SYSTEM, group=nvs, directions=[_value("nvs-direction")])
    services.pupil_enrol(actor=SYSTEM, person=pupil, group=nvs, valid_from=SEPT_1)
    services.nvs_funding_mark(
        actor=SYSTEM,
        person=pupil,
        provider=school,
        months=services.months_between(dt.date(2025, 9, 1), dt.date(2026, 2, 1)),
        basket=True,
        municipal_funds=False,
        state_funds=False,
        other_funding=False,
    )
    for year, subject in ((2025, "Dailė"), (2025, "Informatika"), (2026, "Chemija")):
        services.elective_add(
            actor=SYSTEM,
            person=pupil,
            institution=school,
            school_year=year,
            subject=subject,
            course_level=_value("course-level"),
        )
    for day, name in (
        (dt.date(2026, 2, 10), "Matematikos olimpiada"),
        (dt.date(2026, 4, 1), "Dailės konkursas"),
    ):
        services.achievement_add(
            actor=SYSTEM,
            person=pupil,
            institution=school,
            kind="olympiad",
            level="municipal",
            name=name,
            result="1 vieta",
            achieved_on=day,
        )
    services.special_needs_set(
        actor=SYSTEM,
        person=pupil,
        institution=school,
        level=_value("special-needs-level"),
        valid_from=SEPT_1,
    )
    for name in ("Ilgaistorė-Petrauskienė", "Ilgaistorė"):
        people_services.person_update(actor=SYSTEM, person=pupil, family_name=name)
    assert first.pk
    return pupil


def _national(area: str):  # type: ignore[no-untyped-def]
    user = make_user(f"national-{area}")
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.NATIONAL,
        function_area=area,
        level=Level.VIEWER,
    )
    return signed_in(user)


def _statements(client, path: str) -> tuple[int, object]:  # type: ignore[no-untyped-def]
    client.get(path)  # the first request after signing in also reads the user's safeguards
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured), response


def test_the_pupil_card_costs_the_same_few_statements_for_a_long_and_a_short_history():
    school, other = InstitutionFactory(), InstitutionFactory()
    long = _long_history(school, other)
    short = services.pupil_enrol(
        actor=SYSTEM, person=PersonFactory(), group=class_of(school, "7a", "7"), valid_from=SEPT_1
    ).person
    viewer = _national(FunctionArea.PUPIL_PERSONAL)
    manager = signed_in(manager_of(school, "card-manager"))

    for client in (viewer, manager):
        counts = {}
        for pupil in (long, short):
            counts[pupil.pk], page = _statements(
                client, reverse("pupils:card", args=[pupil.public_id])
            )
        assert counts[long.pk] == counts[short.pk] <= CARD_STATEMENTS

    # and the long history is all there
    _count, page = _statements(viewer, reverse("pupils:card", args=[long.public_id]))
    shown = text(page)
    for expected in ("Robotika", "Šokiai", "Dailė", "Chemija", "Matematikos olimpiada", "5b", "5c"):
        assert expected in shown
    assert str(_value("nvs-direction")) in shown
    assert str(departure_reason()) in shown
    assert shown.count("NVŠ") >= 6  # the basket marked for six months
    assert "Ilgaistorė-Petrauskienė" in shown  # the history of the person record
    # The manager may mark NVŠ funding: the form is loaded when opened, from its own URL
    _count, page = _statements(manager, reverse("pupils:card", args=[long.public_id]))
    nvs_url = reverse("pupils:nvs-mark", args=[long.public_id])
    assert f'hx-get="{nvs_url}"' in text(page)
    form = manager.get(nvs_url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="nvs-month_from"' in text(form)
    assert "<html" not in text(form)  # only the form, for the card
    assert "<html" in text(manager.get(nvs_url))  # a page of its own without JavaScript


def test_the_api_pupil_card_costs_the_same_few_statements_and_holds_the_history():
    school, other = InstitutionFactory(), InstitutionFactory()
    long = _long_history(school, other)
    short = services.pupil_enrol(
        actor=SYSTEM, person=PersonFactory(), group=class_of(school, "7a", "7"), valid_from=SEPT_1
    ).person
    api = school_system(school)
    counts = {}
    for pupil in (long, short):
        counts[pupil.pk], response = _statements(api, f"/api/v1/pupils/cards/{pupil.public_id}/")
    assert counts[long.pk] == counts[short.pk] <= CARD_STATEMENTS

    _count, response = _statements(api, f"/api/v1/pupils/cards/{long.public_id}/")
    card = response.json()
    assert card["person"]["id"] == str(long.public_id)
    # The school's system sees what the school recorded: its enrolments, not the other school's
    assert {e["institution"] for e in card["enrolments"]} == {school.register_id}
    assert len(card["enrolments"]) == 5
    departed = next(e for e in card["enrolments"] if e["valid_to"] == "2026-03-02")
    assert departed["departure_reason"] == departure_reason().code
    assert len(card["nvs_marks"]) == 6 and all(m["basket"] for m in card["nvs_marks"])
    assert [e["subject"] for e in card["electives"]] == ["Dailė", "Informatika", "Chemija"]
    assert len(card["achievements"]) == 2 and len(card["special_needs"]) == 1
    # Out of scope: 404, and nothing logged for the stranger
    stranger = school_system(InstitutionFactory(), "Kita IS")
    assert stranger.get(f"/api/v1/pupils/cards/{long.public_id}/").status_code == 404


def test_the_history_reads_as_labels_and_names_not_columns_and_ids():
    school, other = InstitutionFactory(), InstitutionFactory()
    pupil = _long_history(school, other)
    manager = signed_in(manager_of(school, "card-history-reader"))
    shown = text(manager.get(reverse("pupils:card", args=[pupil.public_id])))
    history = shown[shown.index('id="history-heading"') :]
    # the departure: the reason's name under the field's label
    assert f"Išvykimo priežastis</strong>: — → {departure_reason()}" in history
    for internal in ("_id</strong>", "valid_to", "version", "departure_reason"):
        assert internal not in history
