"""The analysts' pseudonymised extract, for research under a data-exchange agreement.

Who may have one: a user holding the statistics area nationally *and* the back-office permission
"statistics.create_researchextract" (given to the analysts of an agreement), who names the
agreement the extract is made under. The data-provision agreements themselves arrive with the
data-exchange work (issue #14); until then the agreement is recorded by its reference, and this
permission is the one switch that says "this person works under one". Small counts are not
suppressed here (rows are people, not counts), so this permission, not the suppression rule, is
what protects the people in it.

What it holds, for one school year: the people enrolled in general education or with a study
right active on some day of it — each under a keyed hash (HMAC-SHA256) with a key drawn for
this extract alone, so one person has one pseudonym across the extract's files and a different
one in any other extract, and no one can join extracts or recompute a pseudonym from a personal
code; the birth year only; the sex, citizenship and municipality of residence; and their
enrolments and study rights in that year by institution code, grade or programme code.

Every person in it is written to their access log ("what: statistics.research-extract"), chunk
by chunk, as the extract is made.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import secrets
import zipfile
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django_tasks import task

from edureg.access.scoping import grant
from edureg.core import jobs
from edureg.core.audit import log_person_access
from edureg.core.context import Actor, ActorKind
from edureg.people.models import Person
from edureg.pupils.models import Enrolment, GroupKind
from edureg.statistics.models import ResearchExtract
from edureg.statistics.reports.base import AREA, year_bounds
from edureg.students.models import StudyRight

CHUNK = 2000
PERMISSION = "statistics.create_researchextract"


def may_extract(actor: Actor) -> bool:
    user = actor.user
    return (
        actor.kind == ActorKind.STAFF
        and user is not None
        and user.has_perm(PERMISSION)
        and grant(actor, [AREA]).national
    )


def research_extract_request(
    *, actor: Actor, school_year: int, agreement: str, purpose: str
) -> jobs.Job:
    """Record the request and queue the extract as a background job of the requester."""
    if not may_extract(actor):
        raise PermissionDenied(_("Research extracts are for analysts under an agreement."))
    agreement, purpose = agreement.strip(), purpose.strip()
    errors = {}
    if not agreement:
        errors["agreement"] = [_("Name the data-exchange agreement the extract is made under.")]
    if not purpose:
        errors["purpose"] = [_("Say what the research is for.")]
    if errors:
        raise ValidationError(errors)
    record = ResearchExtract.objects.create(
        requested_by=actor.user, school_year=school_year, agreement=agreement, purpose=purpose
    )
    job = jobs.job_create(
        actor=actor,
        kind="statistics.research-extract",
        title=_("Research extract %(year)s–%(next)s")
        % {"year": school_year, "next": school_year + 1},
        params={"extract": record.pk},
    )
    research_extract_build.enqueue(job_id=job.pk, extract_id=record.pk)
    return job


def _people(school_year: int) -> tuple[Any, Any, Any]:
    start, end = year_bounds(school_year)
    during = Q(valid_from__lt=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start))
    enrolments = Enrolment.objects.filter(during, kind=GroupKind.GENERAL)
    rights = StudyRight.objects.filter(started_on__lt=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=start)
    )
    people = Person.objects.filter(
        Q(pk__in=enrolments.values("person_id")) | Q(pk__in=rights.values("person_id"))
    )
    return people, enrolments, rights


def _rows(queryset: Any, fields: list[str]) -> Iterator[tuple[Any, ...]]:
    yield from queryset.order_by("pk").values_list(*fields).iterator(chunk_size=CHUNK)


@task()
def research_extract_build(*, job_id: int, extract_id: int) -> None:
    with jobs.job_running(job_id) as job:
        record = ResearchExtract.objects.select_related("requested_by").get(pk=extract_id)
        actor = Actor.for_user(record.requested_by)
        key = secrets.token_bytes(32)  # this extract's own key, never stored

        def alias(person_id: Any) -> str:
            return hmac.new(key, str(person_id).encode(), hashlib.sha256).hexdigest()

        people, enrolments, rights = _people(record.school_year)
        total = people.count()
        files: dict[str, io.StringIO] = {
            name: io.StringIO() for name in ("people", "enrolments", "study_rights")
        }
        writers = {name: csv.writer(handle) for name, handle in files.items()}
        writers["people"].writerow(
            ["person", "birth_year", "sex", "citizenship", "municipality_of_residence"]
        )
        chunk: list[Any] = []
        for public_id, born, sex, citizenship, municipality in _rows(
            people, ["public_id", "birth_date", "sex", "citizenship", "declared_municipality__code"]
        ):
            writers["people"].writerow(
                [alias(public_id), born.year, sex, citizenship, municipality or ""]
            )
            chunk.append(public_id)
            if len(chunk) == CHUNK:
                log_person_access(
                    actor=actor, person_public_ids=chunk, what="statistics.research-extract"
                )
                jobs.job_advance(job, len(chunk), total=total)
                chunk = []
        if chunk:
            log_person_access(
                actor=actor, person_public_ids=chunk, what="statistics.research-extract"
            )
            jobs.job_advance(job, len(chunk), total=total, force=True)
        writers["enrolments"].writerow(
            [
                "person",
                "institution",
                "municipality",
                "grade",
                "language",
                "from",
                "until",
                "departure_reason",
            ]
        )
        for row in _rows(
            enrolments,
            [
                "person__public_id",
                "institution__register_id",
                "institution__municipality__code",
                "group__grade",
                "group__language",
                "valid_from",
                "valid_to",
                "departure_reason__code",
            ],
        ):
            writers["enrolments"].writerow(
                [alias(row[0]), *("" if v is None else v for v in row[1:])]
            )
        writers["study_rights"].writerow(
            [
                "person",
                "institution",
                "programme",
                "cycle",
                "form",
                "started_on",
                "status",
                "ended_on",
                "course",
            ]
        )
        for row in _rows(
            rights,
            [
                "person__public_id",
                "institution__register_id",
                "programme__state_code",
                "cycle",
                "form",
                "started_on",
                "status",
                "ended_on",
                "course",
            ],
        ):
            writers["study_rights"].writerow(
                [alias(row[0]), *("" if v is None else v for v in row[1:])]
            )
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for name, handle in files.items():
                bundle.writestr(f"{name}.csv", handle.getvalue())
        jobs.job_attach(
            job, name=f"research-extract-{record.school_year}.zip", content=archive.getvalue()
        )
        record.people = total
        record.save(update_fields=["people"])
