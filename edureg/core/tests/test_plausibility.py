"""Implausible dates are refused with a field error, on every channel, by one rule set
(`core.plausibility`, windows from settings): births and deaths not in the future, a personal
code that states a future birth refused, enrolments, departures, graduations and terminations
between 1900-01-01 and today + PLAUSIBLE_YEARS_AHEAD years."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from stdnum.ee.ik import calc_check_digit

from edureg.core.context import Actor
from edureg.core.models import ChangeLogEntry
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory
from edureg.pupils import services as pupil_services
from edureg.students.tests.factories import hei, open_right

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def field_error(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.json()
    return response.json()["field"], response.json()["message"]


PERSON = {"given_names": "Jonas", "family_name": "K", "sex": "V", "citizenship": "UA"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"birth_date": "9999-01-01"}, "birth_date", "The date cannot be in the future."),
        ({"birth_date": "TOMORROW"}, "birth_date", "The date cannot be in the future."),
        ({"birth_date": "1850-01-01"}, "birth_date", "The date must be between 1900-01-01"),
        (
            {"birth_date": "2010-01-01", "date_of_death": "TOMORROW"},
            "date_of_death",
            "The date cannot be in the future.",
        ),
    ],
)
def test_a_person_born_or_dead_in_the_future_is_refused(admin_api, changes, field, message):
    body = {**PERSON, **{k: tomorrow() if v == "TOMORROW" else v for k, v in changes.items()}}
    response = admin_api.post("/api/v1/persons/", body, format="json", **EN)
    got_field, got_message = field_error(response)
    assert got_field == field
    assert got_message.startswith(message)
    assert not Person.objects.exists()


def test_a_personal_code_stating_a_future_birth_is_refused(admin_api):
    born = timezone.localdate().replace(year=timezone.localdate().year + 2)
    body = f"5{born:%y%m%d}123"
    code = body + calc_check_digit(body + "0")

    response = admin_api.post(
        "/api/v1/persons/",
        {"personal_code": code, "given_names": "A", "family_name": "B"},
        format="json",
        **EN,
    )
    lithuanian = admin_api.post(
        "/api/v1/persons/",
        {"personal_code": code, "given_names": "A", "family_name": "B"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="lt",
    )

    field, message = field_error(response)
    assert (field, message.startswith("The personal code states a birth date in the future")) == (
        "personal_code",
        True,
    )
    assert "ateityje" in field_error(lithuanian)[1]


def test_a_death_in_the_future_is_refused_on_update(admin_api):
    person = PersonFactory()
    response = admin_api.patch(
        f"/api/v1/persons/{person.public_id}/", {"date_of_death": tomorrow()}, format="json", **EN
    )
    assert field_error(response)[0] == "date_of_death"
    person.refresh_from_db()
    assert person.date_of_death is None


def test_enrolment_and_departure_dates_must_be_plausible(admin_api):
    school = InstitutionFactory()
    group = pupil_services.group_create(
        actor=SYSTEM, institution=school, school_year=2025, name="5a", kind="general", grade="5"
    )
    pupil = PersonFactory()
    enrol = {"person": str(pupil.public_id), "group": str(group.public_id)}
    written = ChangeLogEntry.objects.count()

    ancient = admin_api.put(
        "/api/v1/pupils/enrolments/by-source/tamo/E-1/",
        {**enrol, "valid_from": "0001-01-01"},
        format="json",
        **EN,
    )
    assert field_error(ancient)[0] == "valid_from"
    assert ChangeLogEntry.objects.count() == written

    enrolment = pupil_services.pupil_enrol(
        actor=SYSTEM, person=pupil, group=group, valid_from=dt.date(2025, 9, 1)
    )
    from edureg.core.models import Classifier, ClassifierValue

    reason = ClassifierValue.objects.get_or_create(
        classifier=Classifier.objects.get(code="departure-reason"),
        code="moved-abroad",
        defaults={"name_lt": "Išvyko į užsienį", "name_en": "Moved abroad"},
    )[0]
    far = admin_api.post(
        f"/api/v1/pupils/enrolments/{enrolment.public_id}/depart/",
        {"date": "2200-01-01", "reason": reason.code},
        format="json",
        **EN,
    )
    field, message = field_error(far)
    assert field == "date"
    assert message.startswith("The date must be between 1900-01-01 and")
    enrolment.refresh_from_db()
    assert enrolment.valid_to is None


@pytest.mark.parametrize(
    ("action", "extra"),
    [("graduate", {"degree": "Bakalauras"}), ("terminate", {"reasons": ["own-request"]})],
)
def test_graduation_and_termination_far_ahead_are_refused(admin_api, action, extra):
    right = open_right(hei())
    response = admin_api.post(
        f"/api/v1/students/study-rights/{right.public_id}/{action}/",
        {"on": "9999-12-31", **extra},
        format="json",
        **EN,
    )
    field, message = field_error(response)
    assert field == "on"
    assert message.startswith("The date must be between")
    right.refresh_from_db()
    assert right.version == 1


def test_the_window_is_a_setting(admin_api, settings):
    settings.PLAUSIBLE_EARLIEST_DATE = dt.date(2000, 1, 1)
    response = admin_api.post(
        "/api/v1/persons/", {**PERSON, "birth_date": "1999-12-31"}, format="json", **EN
    )
    assert field_error(response) == (
        "birth_date",
        f"The date must be between 2000-01-01 and {timezone.localdate().isoformat()}.",
    )
