"""The analysts' pseudonymised extract: by an agreement of its own, one pseudonym per person
within an extract (and another in the next), birth year only, every person's access logged."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from conftest import make_user
from edureg.core.context import Actor
from edureg.core.jobs import Job
from edureg.core.models import AccessLogEntry
from edureg.statistics import extract
from edureg.statistics.tests.population import YEAR, enrol, klass, school, statistics_user
from edureg.students.tests.factories import hei, open_right

pytestmark = pytest.mark.django_db(transaction=True)


def analyst():
    user = statistics_user("researcher")
    user.user_permissions.add(Permission.objects.get(codename="create_researchextract"))
    return Actor.for_user(type(user).objects.get(pk=user.pk))


def files_of(job: Job) -> dict[str, list[list[str]]]:
    job.refresh_from_db()
    with zipfile.ZipFile(job.result.path) as bundle:
        return {
            name.removesuffix(".csv"): list(csv.reader(io.StringIO(bundle.read(name).decode())))
            for name in bundle.namelist()
        }


def test_an_extract_needs_the_agreement_permission_and_a_named_agreement():
    with pytest.raises(PermissionDenied):
        extract.research_extract_request(
            actor=Actor.for_user(statistics_user("plain")),
            school_year=YEAR,
            agreement="A",
            purpose="B",
        )
    with pytest.raises(ValidationError) as error:
        extract.research_extract_request(
            actor=analyst(), school_year=YEAR, agreement=" ", purpose=""
        )
    assert set(error.value.message_dict) == {"agreement", "purpose"}
    assert make_user("x").has_perm(extract.PERMISSION) is False


def test_pseudonyms_are_stable_within_an_extract_and_differ_between_extracts():
    # Given a pupil who is also a student, and another pupil
    (pupil, other) = enrol(klass(school(), "12"), 2)
    open_right(hei(), person=pupil.person)
    researcher = analyst()

    jobs = [
        extract.research_extract_request(
            actor=researcher, school_year=YEAR, agreement="S-12/2024", purpose="Drop-out study"
        )
        for _i in range(2)
    ]
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    first, second = (files_of(job) for job in jobs)

    people = first["people"][1:]
    assert len(people) == 2
    # No personal code, name or public id; the birth year only
    text = "\n".join(",".join(r) for rows in first.values() for r in rows)
    for person in (pupil.person, other.person):
        assert person.personal_code not in text and str(person.public_id) not in text
        assert person.family_name not in text
    assert {row[1] for row in people} == {
        str(pupil.person.birth_date.year),
        str(other.person.birth_date.year),
    }
    # One pseudonym per person across the files of one extract
    pseudonyms = {row[0] for row in people}
    assert {row[0] for row in first["enrolments"][1:]} == pseudonyms
    assert {row[0] for row in first["study_rights"][1:]} < pseudonyms
    # Another extract, other pseudonyms
    assert pseudonyms.isdisjoint({row[0] for row in second["people"][1:]})
    # Each person is told, in their access log
    logged = AccessLogEntry.objects.filter(what="statistics.research-extract")
    assert set(logged.values_list("person_public_id", flat=True)) == {
        pupil.person.public_id,
        other.person.public_id,
    }
