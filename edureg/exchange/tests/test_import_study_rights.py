"""File import of study rights: the rows the students service refuses (an unknown programme,
funding source or person) are refused with the service's field, code and message, and the
good rows open study rights with their funding source."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from edureg.exchange.import_models import ImportKind, RowOutcome
from edureg.exchange.imports import services
from edureg.exchange.tests.import_helpers import csv_file
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.students import services as students
from edureg.students.models import StudyRight
from edureg.students.tests.factories import hei, programme_of, staff_for

pytestmark = pytest.mark.django_db

COLUMNS = ["local_id", "personal_code", "programme", "form", "started_on", "funding_source"]


def test_rows_the_students_service_refuses_are_refused_naming_field_and_rule(
    django_capture_on_commit_callbacks,
):
    university = hei()
    programme = programme_of(university)
    actor = staff_for(university, "sr-import-manager")
    admitted, unknown_programme, unknown_source = (PersonFactory() for _ in range(3))
    code, start = programme.state_code, "2025-09-01"
    rows = [
        ["S-1", admitted.personal_code, code, "full_time", start, "11"],
        ["S-2", unknown_programme.personal_code, "6000XX999", "full_time", start, ""],
        ["S-3", unknown_source.personal_code, code, "full_time", start, "zz"],
        ["S-4", personal_code(), code, "full_time", start, ""],
    ]
    # The uploader reads Lithuanian: the import answers in the language of its upload.
    with translation.override("lt"), django_capture_on_commit_callbacks():
        run = services.import_upload(
            actor=actor,
            kind=ImportKind.STUDY_RIGHTS,
            institution=university,
            source_system="hei-is",
            stream=io.BytesIO(csv_file(rows, COLUMNS)),
            file_name="studentai.csv",
        )
    services.import_apply(run.pk)

    outcomes = {r.line: (r.outcome, r.field, r.code, r.message) for r in run.rows.all()}
    assert outcomes[2][:3] == (RowOutcome.CREATED, "", "")
    assert outcomes[3] == (
        RowOutcome.REFUSED,
        "programme",
        "does_not_exist",
        "Nežinoma programa.",
    )
    assert outcomes[4][:3] == (RowOutcome.REFUSED, "funding_source", "does_not_exist")
    assert outcomes[5][:3] == (RowOutcome.REFUSED, "personal_code", "does_not_exist")
    opened = StudyRight.objects.get(person=admitted)
    assert opened.programme == programme
    assert opened.funding_periods.get().source.code == "11"
    assert not StudyRight.objects.filter(person__in=[unknown_programme, unknown_source]).exists()


def test_the_references_refuse_unknown_codes_as_any_channel_would():
    programme = programme_of(hei())
    references = students.study_right_references(programme_codes=[programme.state_code])
    assert references.programme(programme.state_code) == programme
    assert references.funding_source("") is None
    with pytest.raises(ValidationError) as refused:
        references.programme("no-such-code")
    assert refused.value.error_dict["programme"][0].code == "does_not_exist"
    with pytest.raises(ValidationError) as refused:
        references.funding_source("no-such-code")
    assert refused.value.error_dict["funding_source"][0].code == "does_not_exist"
