"""The small demo data — what `make run` loads — seeded once for this module and checked
against each register's rules: people and institutions, the Pupil Register, the Student
Register, documents and statistics.

Seeding takes most of a minute, so the module seeds once (inside a transaction that is rolled
back when the module is done) and each test runs in a savepoint of its own, as Django's
`TestCase.setUpTestData` does; the tests share the seed, never each other's changes. The
module is one xdist group, so a parallel run seeds it on one worker only (`--dist loadgroup`,
as `make test` runs).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from stdnum.lt import asmens

from edureg.access.models import FunctionArea, RoleAssignment
from edureg.core.audit import verify_all
from edureg.core.context import Actor
from edureg.core.demo import DEMO_ADMIN_USERNAME
from edureg.core.models import ChangeLogEntry
from edureg.credentials.models import Blank, BlankStatus, Document, DocumentStatus, ReissueKind
from edureg.credentials.selectors import document_verify
from edureg.institutions.models import Institution, InstitutionKind, Municipality
from edureg.institutions.validators import validate_jar_code
from edureg.people.identity import birth_date_from_code, sex_from_code
from edureg.people.models import Person
from edureg.pupils.demo import school_year_of
from edureg.pupils.models import (
    Achievement,
    Enrolment,
    ExamResult,
    ExamSession,
    Group,
    GroupKind,
    NvsFundingMark,
)
from edureg.statistics.opendata.manifest import MANIFEST_DIR, load_datasets
from edureg.statistics.opendata.publish import publish_all, root
from edureg.statistics.reports.base import Filters, census_day, get_report
from edureg.statistics.reports.base import school_year_of as statistics_school_year_of
from edureg.statistics.tests.population import statistics_actor
from edureg.students import timeline
from edureg.students.models import (
    FundingPeriod,
    Graduation,
    Mobility,
    PriorEducation,
    PriorEducationKind,
    Result,
    Scholarship,
    StatusPeriod,
    StudyLoan,
    StudyRight,
    StudyStatus,
)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("small_demo")]

S = StudyStatus
RECORDS = (
    StudyRight,
    StatusPeriod,
    FundingPeriod,
    PriorEducation,
    Mobility,
    Result,
    StudyLoan,
    Scholarship,
    Graduation,
)
SHARED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "open-data"
SPEC = load_datasets(SHARED if SHARED.is_dir() else MANIFEST_DIR)


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The small demo data, seeded once for the module; what the command printed."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", "--scale", "small", "--seed", "3", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _counts() -> dict[str, int]:
    return {
        "persons": Person.objects.count(),
        "institutions": Institution.objects.count(),
        "person versions": Person.history.count(),
        "institution versions": Institution.history.count(),
        "change log": ChangeLogEntry.objects.count(),
        "users": get_user_model().objects.count(),
    }


def _timeline(right: StudyRight) -> list[timeline.Period]:
    return [
        timeline.Period(
            status=period.status,
            valid_from=period.valid_from,
            valid_to=period.valid_to,
            leave_reason=getattr(period.leave_reason, "code", None),
            course=period.course,
            reasons=tuple(sorted(reason.code for reason in period.reasons.all())),
        )
        for period in right.periods.all()
    ]


def valid_on(day, prefix=""):  # type: ignore[no-untyped-def]
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def test_every_audit_chain_verifies(small_demo):
    # Everything the seed wrote went through the audited paths, so every hash chain holds
    assert ChangeLogEntry.objects.count() > 1000
    assert verify_all() == []


def test_the_demo_retention_rules_are_labelled_and_each_names_its_legal_basis(small_demo):
    # The archive's pages are not empty in the walk-through; every demo rule says it is one.
    from edureg.archive.models import ALLOWED_EVENTS, RetentionRule

    rules = list(RetentionRule.objects.all())
    assert {r.kind for r in rules} == set(ALLOWED_EVENTS)
    assert all("demonstracinė" in r.legal_basis for r in rules)
    agency = RoleAssignment.objects.filter(
        user__username="agentura", function_area=FunctionArea.ARCHIVE
    )
    assert agency.exists()


# --- People and institutions --------------------------------------------------------------


def test_people_and_institutions_are_valid_with_history(small_demo):
    output = small_demo

    # Then every Lithuanian has a valid personal code that agrees with the birth date and sex
    people = list(Person.objects.all())
    learners = [p for p in people if not p.wards.exists()]
    assert 350 <= len(learners) <= 450
    # and parents of some of the children, who are no learners themselves
    assert 40 <= len(people) - len(learners) <= 200
    coded = [p for p in people if p.personal_code]
    assert len(coded) >= 0.9 * len(people)
    for person in coded:
        assert asmens.is_valid(person.personal_code), person.personal_code
        assert birth_date_from_code(person.personal_code) == person.birth_date
        assert sex_from_code(person.personal_code) == person.sex
    # and foreigners have a register-assigned id and a foreign citizenship instead
    for person in people:
        if not person.personal_code:
            assert person.foreign_id and person.foreign_id.startswith("U")
            assert person.citizenship != "LT"
    # and the 60 municipalities are all there
    assert Municipality.objects.count() == 60
    # and every institution's legal-entity code is valid; only free teachers go without one
    institutions = list(Institution.objects.select_related("main_group", "main_type"))
    for institution in institutions:
        if institution.kind == InstitutionKind.FREE_TEACHER:
            assert institution.jar_code == ""
        else:
            validate_jar_code(institution.jar_code)
    kinds = Counter(i.kind for i in institutions)
    assert kinds[InstitutionKind.FREE_TEACHER] == 1
    assert kinds[InstitutionKind.BRANCH] == 1
    branch = next(i for i in institutions if i.kind == InstitutionKind.BRANCH)
    assert branch.parent is not None and branch.jar_code == branch.parent.jar_code
    groups = Counter(i.main_group.code for i in institutions)
    assert groups["university"] == 2 and groups["college"] == 1 and groups["vocational"] == 1
    assert groups["school"] >= 20
    # and each person has exactly one version
    versions = Counter(Person.history.values_list("id", flat=True))
    assert set(versions) == {p.pk for p in people}
    assert set(versions.values()) == {1}
    # and the demo administrator can log in, and the summary says what was done
    assert get_user_model().objects.get(username=DEMO_ADMIN_USERNAME).is_superuser
    # (the bulk of them generated in bulk; the documents' demo class is registered one by one)
    generated = int(re.search(r"persons: generated (\d+)", output).group(1))
    assert f"persons: {generated}/{generated}" in output and 350 <= generated <= len(learners)
    assert "families: " in output
    assert "Done in" in output


def test_seeding_again_if_empty_changes_nothing(small_demo):
    # Given a seeded database
    before = _counts()
    # When seeding again with --if-empty
    out = StringIO()
    call_command("seed_demo", "--scale", "small", "--if-empty", stdout=out)
    # Then nothing changes and the command says so
    assert _counts() == before
    assert "not loaded" in out.getvalue()


def test_seeding_a_database_with_data_is_refused(small_demo):
    before = _counts()
    with pytest.raises(CommandError, match="already holds"):
        call_command("seed_demo", "--scale", "small", "--seed", "4", stdout=StringIO())
    assert _counts() == before


# --- The Pupil Register ------------------------------------------------------------------


def test_the_pupil_register_keeps_its_rules(small_demo: str) -> None:
    output = small_demo

    # Then there are a few hundred enrolments this school year, in classes, clubs and NVŠ groups
    year = school_year_of(timezone.localdate())
    current = Enrolment.objects.filter(group__school_year=year)
    kinds = Counter(current.values_list("kind", flat=True))
    assert 200 <= kinds[GroupKind.GENERAL] <= 450
    assert kinds[GroupKind.NVS] > 0 and kinds[GroupKind.CLUB] > 0
    # and earlier school years' enrolments, closed on the next 1 September or on a departure
    past = Enrolment.objects.filter(kind=GroupKind.GENERAL, group__school_year__lt=year)
    assert past.count() > 300
    assert not past.filter(valid_to__isnull=True).exists()
    assert past.filter(departure_reason__code="moved-abroad").exists()
    for enrolment in past.filter(departure_reason__isnull=True, transferred_to__isnull=True):
        assert enrolment.valid_to == dt.date(enrolment.group.school_year + 1, 9, 1)
    # and a pupil who continues somewhere continues on the day the previous enrolment ended
    continued = Enrolment.objects.filter(transferred_to__isnull=False).select_related(
        "transferred_to"
    )
    assert continued.exists()
    for enrolment in continued:
        assert enrolment.transferred_to is not None
        assert enrolment.transferred_to.valid_from == enrolment.valid_to
        assert enrolment.transferred_to.person_id == enrolment.person_id
    # and at most one open general-education enrolment per pupil
    open_general = Enrolment.objects.filter(kind=GroupKind.GENERAL, valid_to__isnull=True)
    assert open_general.exists()
    assert not open_general.values("person").annotate(n=Count("id")).filter(n__gt=1).exists()
    # and NVŠ basket funding marked by one provider a pupil and month
    baskets = NvsFundingMark.objects.filter(basket=True)
    assert baskets.exists()
    assert not baskets.values("person", "month").annotate(n=Count("id")).filter(n__gt=1).exists()
    # and every enrolment's kind and institution agree with its group
    assert not Enrolment.objects.exclude(kind=F("group__kind")).exists()
    assert not Enrolment.objects.exclude(institution=F("group__institution")).exists()
    # and clubs and NVŠ groups have directions
    for group in Group.objects.exclude(kind=GroupKind.GENERAL).prefetch_related("directions"):
        assert list(group.directions.all())
    # and every record has its version
    assert Enrolment.history.count() >= Enrolment.objects.count()
    assert f"{Enrolment.objects.count()} enrolments" in output


# --- The Student Register ----------------------------------------------------------------


def test_the_student_register_keeps_its_rules(small_demo: str) -> None:
    today = timezone.localdate()

    # Then there are some hundred study rights, most of them current
    rights = StudyRight.objects.all()
    current = rights.filter(ended_on__isnull=True)
    assert 100 <= rights.count() <= 400
    assert current.count() >= rights.count() // 2
    # and the university of the demo user "universitetas" has current students
    university = (
        Institution.objects.filter(main_group__code="university").order_by("register_id").first()
    )
    assert current.filter(institution=university).count() >= 10
    # and every status appears, current and ended, with transfers linked to what they continue
    statuses = set(rights.values_list("status", flat=True))
    assert statuses == set(S.values)
    for right in rights.filter(transferred_from__isnull=False).select_related("transferred_from"):
        old = right.transferred_from
        assert old is not None
        assert (old.status, old.ended_on) == (S.TRANSFERRED, right.started_on)
        assert old.person_id == right.person_id
    # and every study right's history, read back, keeps the timeline rules, and its status and
    # end date follow from it
    for right in rights.prefetch_related("periods__reasons", "periods__leave_reason"):
        periods = _timeline(right)
        timeline.validate(right.started_on, periods)
        assert timeline.outcome(periods) == (right.status, right.ended_on)
        assert max(p.valid_from for p in periods) <= today
    # and every leave reason, interruptions and terminations with their reasons
    leave_reasons = StatusPeriod.objects.filter(status=S.ACADEMIC_LEAVE).values_list(
        "leave_reason__code", flat=True
    )
    assert set(leave_reasons) == set(timeline.LEAVE_LIMIT_YEARS)
    for status in (S.INTERRUPTED, S.TERMINATED):
        with_status = StatusPeriod.objects.filter(status=status)
        assert with_status.exists()
        assert not with_status.filter(reasons__isnull=True).exists()
    # and a graduation for every graduated study right, on its end date
    graduated = rights.filter(status=S.GRADUATED)
    assert Graduation.objects.count() == graduated.count() > 0
    for right in graduated.select_related("graduation"):
        assert right.graduation.graduated_on == right.ended_on
        assert right.graduation.degree and right.graduation.diploma_reference
    # and prior education of every study right: from the Pupil Register for school leavers,
    # foreign documents with the recognition decision, other credentials
    assert not rights.filter(prior_education__isnull=True).exists()
    kinds = set(PriorEducation.objects.values_list("kind", flat=True))
    assert kinds == set(PriorEducationKind.values)
    for prior in PriorEducation.objects.filter(kind=PriorEducationKind.PUPIL_REGISTER):
        person = prior.study_right.person_id
        assert Enrolment.objects.filter(person_id=person, group__grade="12").exists()
    for prior in PriorEducation.objects.filter(kind=PriorEducationKind.FOREIGN).select_related(
        "study_right__person"
    ):
        assert prior.recognition_decision and prior.recognition_date
        assert prior.country == prior.study_right.person.citizenship != "LT"
    # and funding from the start of the studies, some with a change of source
    assert not rights.filter(funding_periods__isnull=True).exists()
    assert FundingPeriod.objects.count() > rights.count()
    for funding in FundingPeriod.objects.select_related("study_right"):
        assert funding.valid_from >= funding.study_right.started_on
    open_funding = FundingPeriod.objects.filter(valid_to__isnull=True)
    assert open_funding.count() == current.count()
    assert not open_funding.filter(study_right__ended_on__isnull=False).exists()
    # and mobility, results graded and pass/fail, loans and scholarships
    assert Mobility.objects.filter(programme_name="Erasmus+").exists()
    assert Result.objects.filter(grade__isnull=False).exists()
    assert Result.objects.filter(passed__isnull=False).exists()
    assert StudyLoan.objects.exists() and Scholarship.objects.exists()
    # and every record has its first version and change-log entry
    for model in RECORDS:
        count = model.objects.count()
        assert model.history.count() >= count
        assert ChangeLogEntry.objects.filter(model=model._meta.label_lower).count() >= count
    reasons_history = apps.get_model("students", "HistoricalStatusPeriod_reasons")
    assert reasons_history.objects.count() == StatusPeriod.reasons.through.objects.count() > 0
    assert f"{rights.count()} study rights" in small_demo

    # When seeded again with --if-empty
    counts = {model: model.objects.count() for model in RECORDS}
    again = StringIO()
    call_command("seed_demo", "--scale", "small", "--seed", "3", "--if-empty", stdout=again)

    # Then nothing is added
    assert "not loaded" in again.getvalue()
    assert {model: model.objects.count() for model in RECORDS} == counts


# --- Documents ---------------------------------------------------------------------------


def test_a_graduating_class_has_its_certificates(small_demo):

    # Then the demo school (where `mokykla` forms certificates) has last year's class IV d
    school = (
        RoleAssignment.objects.get(
            user__username="mokykla", function_area=FunctionArea.CERTIFICATES
        )
    ).institution
    maturity = Document.objects.filter(institution=school, document_type__code="maturity")
    assert maturity.count() == 11  # twelve pupils; the one without Lithuanian was refused
    group = maturity.first().group
    assert group.name == "IV d" and group.grade == "12"
    # with exam results that came through the feed, also as the pupils' achievements
    results = ExamResult.objects.filter(person__in=group.enrolments.values("person"))
    assert results.count() == 12 * 3 - 1
    assert Achievement.objects.filter(person__in=group.enrolments.values("person")).count() >= 35
    # and the certificates were formed by `mokykla`, approved by `direktore`, on blanks
    issued = maturity.filter(status=DocumentStatus.ISSUED)
    assert issued.count() == 10
    users = get_user_model().objects
    former = Actor.for_user(users.get(username="mokykla")).label
    approver = Actor.for_user(users.get(username="direktore")).label
    for document in maturity.select_related("blank", "supplement_blank"):
        assert document.formed_by == former and document.approved_by == approver
        assert document.registration_number and document.blank and document.supplement_blank
    # and one was annulled and replaced by an issued duplicate on a blank of its own
    annulled = maturity.get(status=DocumentStatus.ANNULLED)
    duplicate = Document.objects.get(replaces=annulled)
    assert duplicate.reissue_kind == ReissueKind.DUPLICATE
    assert duplicate.status == DocumentStatus.ISSUED and duplicate.blank != annulled.blank
    assert document_verify(code=annulled.verification_code).validity == "replaced"
    # and blanks are allocated to the school: 12 maturity blanks used, the rest on hand
    blanks = Blank.objects.filter(institution=school, blank_type__code="3014")
    assert blanks.filter(status=BlankStatus.USED).count() == 12
    assert blanks.filter(status=BlankStatus.SPOILED).count() == 1
    assert blanks.filter(status=BlankStatus.ON_HAND).count() == 87
    # and this school year's exam session is there for the school to plan
    assert ExamSession.objects.filter(school_year=group.school_year + 1).get().exams.count() == 4
    assert "12 maturity certificates issued, 1 refused" in small_demo


# --- Statistics and open data -------------------------------------------------------------


def test_every_open_data_table_is_filled_and_the_reports_match_direct_counts(small_demo):

    # Every table of every manifest has rows, under exactly the manifest's header
    publications = {p.dataset: p for p in publish_all()}
    assert set(publications) == set(SPEC)
    for name, dataset in SPEC.items():
        for model in dataset.models:
            assert publications[name].tables[model.name] > 0, f"{name} {model.name} is empty"
            path = root() / publications[name].directory / model.file_name
            with path.open(encoding="utf-8", newline="") as handle:
                assert next(csv.reader(handle)) == model.property_names

    # The reports count what a direct query counts
    year = statistics_school_year_of(timezone.localdate())
    start, end = f"{year}-09-01", f"{year + 1}-09-01"
    census = census_day(year)
    agency = statistics_actor("analyst")

    def total(slug, **filters):
        table = get_report(slug).table(agency, Filters(year=year, **filters))
        return sum(sum(row) for row in table.raw)

    assert (
        total("pupils")
        == Enrolment.objects.filter(valid_on(census), kind=GroupKind.GENERAL).count()
    )
    assert total("movement") == (
        Enrolment.objects.filter(
            kind=GroupKind.GENERAL,
            transferred_to__isnull=False,
            valid_to__gte=start,
            valid_to__lt=end,
        )
        .exclude(transferred_to__institution=F("institution"))
        .count()
    )
    assert (
        total("departures")
        == Enrolment.objects.filter(
            kind=GroupKind.GENERAL,
            departure_reason__isnull=False,
            valid_to__gte=start,
            valid_to__lt=end,
        ).count()
    )
    active = StatusPeriod.objects.filter(
        valid_on(census), status__in=("studying", "academic_leave")
    )
    assert total("students") == active.values("study_right").distinct().count() > 0
    assert (
        total("mobility")
        == Mobility.objects.filter(valid_from__gte=start, valid_from__lt=end).count()
    )
    assert (
        total("loans")
        == StudyLoan.objects.filter(granted_on__gte=start, granted_on__lt=end).count()
    )
    assert (
        total("completions")
        == StudyRight.objects.filter(
            transferred_from__isnull=True, started_on__gte=f"{year - 5}-09-01", started_on__lt=end
        ).count()
    )

    # A municipality's view is the part of the national figures in its territory
    vilnius = statistics_actor("vilnius-analyst", municipality_code="LT-57")
    town = get_report("pupils").table(vilnius, Filters(year=year))
    assert (
        sum(map(sum, town.raw))
        == Enrolment.objects.filter(
            valid_on(census), kind=GroupKind.GENERAL, institution__municipality__code="LT-57"
        ).count()
    )


def test_the_demo_has_a_file_for_each_inbound_feed_that_runs(
    small_demo, django_capture_on_commit_callbacks
):
    """The agency runs the demo's feed files: each applies good records and refuses one."""
    import io

    from edureg.exchange.demo import feeds_demo_files_write
    from edureg.exchange.feeds.base import feed_run_start, feeds
    from edureg.exchange.import_models import ImportStatus
    from edureg.exchange.imports.services import import_apply

    files = feeds_demo_files_write()
    assert set(files) == {feed.slug for feed in feeds()}
    for feed in feeds():
        with django_capture_on_commit_callbacks():
            run = feed_run_start(
                feed=feed, stream=io.BytesIO(files[feed.slug].read_bytes()), file_name="demo.csv"
            )
        run = import_apply(run.pk)
        assert run.status == ImportStatus.DONE, feed.slug
        refused = list(run.rows.filter(outcome="refused").values_list("line", "field", "code"))
        assert run.created + run.updated >= 1 and len(refused) == 1, (feed.slug, refused)
