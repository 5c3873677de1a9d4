"""The inbound feeds, one scenario each: a good file is applied through the registers' services
as the feed (channel "feed") with history, a re-sent file changes nothing, and a file with bad
records refuses each with its field and machine code while the good ones are applied and
nothing of a refused record is half-applied."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from edureg.core.models import ChangeLogEntry
from edureg.credentials.tests import factories as cf
from edureg.exchange.feeds.base import FileDropSource, feed_of, feed_run_start, feeds_poll
from edureg.exchange.import_models import FeedKind, ImportRun, ImportStatus, RowOutcome
from edureg.exchange.imports.services import import_apply
from edureg.exchange.tests.import_helpers import csv_file
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.people.models import Guardianship, Person, ResidencePermit
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.pupils import exams
from edureg.pupils import services as pupils
from edureg.pupils.models import Enrolment, ExamResult, GroupKind
from edureg.students.models import Scholarship, StudyLoan, StudyStatus
from edureg.students.tests import factories as sf

pytestmark = pytest.mark.django_db

SEPT_1 = dt.date(2025, 9, 1)


def run_feed(capture: Any, kind: str, rows: list[list[Any]], columns: list[str]) -> ImportRun:
    """Bring a file as the file drop does, then apply it as the worker's task does."""
    with capture() as callbacks, translation.override("en"):
        run = feed_run_start(
            feed=feed_of(kind), stream=io.BytesIO(csv_file(rows, columns)), file_name="feed.csv"
        )
    assert len(callbacks) == 1  # the application is queued when the run commits
    with translation.override("en"):
        return import_apply(run.pk)


def results(run: ImportRun) -> dict[int, tuple[str, str, str]]:
    return {r.line: (r.outcome, r.field, r.code) for r in run.rows.order_by("line")}


def pupil_at_school(person: Person) -> Enrolment:
    school = InstitutionFactory()
    group = pupils.group_create(
        actor=sf.SYSTEM,
        institution=school,
        school_year=2025,
        name="7a",
        kind=GroupKind.GENERAL,
        grade="7",
    )
    return pupils.pupil_enrol(actor=sf.SYSTEM, person=person, group=group, valid_from=SEPT_1)


# --- Population register -----------------------------------------------------------------------

POPULATION = [
    "local_id",
    "event",
    "personal_code",
    "date",
    "given_names",
    "family_name",
    "municipality",
    "guardian_personal_code",
    "relation",
]


def test_population_feed_births_deaths_names_residence_and_guardianship(
    django_capture_on_commit_callbacks,
):
    # Given a pupil, a student, a parent and a person who will change her name
    pupil = PersonFactory(personal_code=personal_code(dt.date(2012, 3, 4)))
    enrolment = pupil_at_school(pupil)
    right = sf.open_right(sf.hei())
    student = right.person
    parent = PersonFactory(personal_code=personal_code(dt.date(1990, 1, 2), male=False))
    marrying = PersonFactory(
        given_names="Rūta",
        family_name="Jonaitytė",
        personal_code=personal_code(dt.date(1998, 6, 7), male=False),
    )
    newborn = personal_code(dt.date(2026, 11, 20))
    rows = [
        ["E-1", "birth", newborn, "2026-11-20", "Ieva", "Petraitytė", "LT-57", "", ""],
        ["E-2", "guardianship", newborn, "2026-11-20", "", "", "", parent.personal_code, "parent"],
        ["E-3", "name", marrying.personal_code, "2026-08-01", "Rūta", "Kazlauskienė", "", "", ""],
        ["E-4", "residence", marrying.personal_code, "2026-08-01", "", "", "LT-19", "", ""],
        ["E-5", "death", pupil.personal_code, "2026-10-05", "", "", "", "", ""],
        ["E-6", "death", student.personal_code, "2026-10-06", "", "", "", "", ""],
    ]
    # When the population register's file is run
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.POPULATION, rows, POPULATION)

    # Then every event is applied
    assert run.status == ImportStatus.DONE and run.source_system == "gyventoju-registras"
    assert results(run) == {
        2: (RowOutcome.CREATED, "", ""),
        3: (RowOutcome.CREATED, "", ""),
        4: (RowOutcome.UPDATED, "", ""),
        5: (RowOutcome.UPDATED, "", ""),
        6: (RowOutcome.UPDATED, "", ""),
        7: (RowOutcome.UPDATED, "", ""),
    }
    baby = Person.objects.get(personal_code=newborn)
    assert (baby.full_name, baby.declared_municipality.code) == ("Ieva Petraitytė", "LT-57")
    assert Guardianship.objects.get(child=baby).guardian == parent
    # A name change shows in the person's history, written by the feed
    marrying.refresh_from_db()
    assert marrying.family_name == "Kazlauskienė"
    assert marrying.declared_municipality == Municipality.objects.get(code="LT-19")
    versions = list(marrying.history.order_by("history_date", "history_id"))
    assert [v.family_name for v in versions] == ["Jonaitytė", "Kazlauskienė", "Kazlauskienė"]
    assert (versions[1].history_channel, versions[1].history_actor) == (
        "feed",
        "system:gyventoju-registras",
    )
    assert ChangeLogEntry.objects.filter(
        actor="system:gyventoju-registras", channel="feed"
    ).exists()
    # A death closes the open enrolment and the open study right with the death reason
    enrolment.refresh_from_db()
    assert enrolment.valid_to == dt.date(2026, 10, 5)
    assert enrolment.departure_reason.code == "death"
    right.refresh_from_db()
    assert (right.status, right.ended_on) == (StudyStatus.TERMINATED, dt.date(2026, 10, 6))
    assert [r.code for r in right.periods.order_by("valid_from").last().reasons.all()] == ["death"]
    pupil.refresh_from_db()
    assert pupil.date_of_death == dt.date(2026, 10, 5)

    # And the same file again changes nothing and writes no history
    versions_before = Person.history.count()
    again = run_feed(django_capture_on_commit_callbacks, FeedKind.POPULATION, rows, POPULATION)
    assert {outcome for outcome, _f, _c in results(again).values()} == {RowOutcome.UNCHANGED}
    assert Person.history.count() == versions_before


def test_population_feed_refuses_bad_records_each_with_its_reason_and_applies_the_rest(
    django_capture_on_commit_callbacks,
):
    # Given a pupil enrolled from September whose death the register dates before that
    early = PersonFactory(personal_code=personal_code(dt.date(2011, 2, 3)))
    enrolment = pupil_at_school(early)
    right = sf.open_right(sf.hei(), person=early)
    known = PersonFactory()
    good = personal_code(dt.date(2026, 10, 1), male=False)
    rows = [
        ["B-1", "birth", good, "", "Ona", "Rimkutė", "", "", ""],  # 2: good
        ["B-2", "birth", "39001010001", "", "Jonas", "Jonaitis", "", "", ""],  # 3: checksum
        ["B-3", "wedding", known.personal_code, "", "", "", "", "", ""],  # 4: unknown event
        ["B-4", "death", known.personal_code, "", "", "", "", "", ""],  # 5: no date
        ["B-5", "residence", known.personal_code, "", "", "", "LT-99", "", ""],  # 6: no such
        ["B-6", "name", personal_code(dt.date(1980, 1, 1)), "", "A", "B", "", "", ""],  # 7: nobody
        ["B-7", "death", early.personal_code, "2025-08-01", "", "", "", "", ""],  # 8: before
        ["B-8", "name", known.personal_code, "", "Jonas", "Naujas", "", "", ""],  # 9: twice
        ["B-8", "name", known.personal_code, "", "Jonas", "Senas", "", "", ""],  # 10: twice
        ["B-9", "guardianship_end", good, "2026-11-01", "", "", "", known.personal_code, ""],
    ]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.POPULATION, rows, POPULATION)

    assert results(run) == {
        2: (RowOutcome.CREATED, "", ""),
        3: (RowOutcome.REFUSED, "personal_code", "personal_code_checksum"),
        4: (RowOutcome.REFUSED, "event", "invalid_choice"),
        5: (RowOutcome.REFUSED, "date", "required"),
        6: (RowOutcome.REFUSED, "municipality", "unknown_municipality"),
        7: (RowOutcome.REFUSED, "personal_code", "not_found"),
        8: (RowOutcome.REFUSED, "valid_to", "invalid"),
        9: (RowOutcome.REFUSED, "local_id", "duplicate_in_file"),
        10: (RowOutcome.REFUSED, "local_id", "duplicate_in_file"),
        11: (RowOutcome.REFUSED, "guardian_personal_code", "not_found"),
    }
    assert (run.created, run.refused) == (1, 9)
    assert all(r.message for r in run.rows.filter(outcome=RowOutcome.REFUSED))
    # The refused death is not half-applied: no date of death, the enrolment and right open
    early.refresh_from_db()
    enrolment.refresh_from_db()
    right.refresh_from_db()
    assert early.date_of_death is None and enrolment.valid_to is None and right.is_open
    known.refresh_from_db()
    assert known.family_name not in ("Naujas", "Senas")


def test_population_feed_messages_are_lithuanian_by_default(django_capture_on_commit_callbacks):
    rows = [["L-1", "name", personal_code(dt.date(1980, 1, 1)), "", "A", "B", "", "", ""]]
    with django_capture_on_commit_callbacks(), translation.override("lt"):
        run = feed_run_start(
            feed=feed_of(FeedKind.POPULATION),
            stream=io.BytesIO(csv_file(rows, POPULATION)),
            file_name="gr.csv",
        )
    import_apply(run.pk)
    assert run.rows.get().message == "Tokio asmens registre nėra."
    with translation.override("lt"):
        assert run.get_kind_display() == "gyventojų registro duomenys"


# --- Foreigners register -----------------------------------------------------------------------

FOREIGNERS = ["local_id", "personal_code", "kind", "valid_from", "valid_to", "citizenship"]


def test_foreigners_feed_keeps_residence_permits(django_capture_on_commit_callbacks):
    foreigner = PersonFactory(citizenship="LT")
    other = PersonFactory()
    rows = [
        ["LP-1", foreigner.personal_code, "temporary", "2025-01-10", "2027-01-10", "UA"],  # 2
        ["LP-2", other.personal_code, "residence", "2025-01-10", "", ""],  # 3: unknown kind
        ["LP-3", other.personal_code, "permanent", "2026-01-10", "2025-01-10", ""],  # 4: order
        ["LP-4", personal_code(dt.date(1985, 5, 5)), "permanent", "2026-01-10", "", ""],  # 5
        ["LP-5", other.personal_code, "eu", "2026-13-10", "", ""],  # 6: not a date
    ]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.FOREIGNERS, rows, FOREIGNERS)
    assert results(run) == {
        2: (RowOutcome.CREATED, "", ""),
        3: (RowOutcome.REFUSED, "kind", "invalid_choice"),
        4: (RowOutcome.REFUSED, "valid_to", "invalid"),
        5: (RowOutcome.REFUSED, "personal_code", "not_found"),
        6: (RowOutcome.REFUSED, "valid_from", "invalid"),
    }
    permit = ResidencePermit.objects.get(person=foreigner)
    assert (permit.local_id, permit.valid_to) == ("LP-1", dt.date(2027, 1, 10))
    assert permit.history.get().history_channel == "feed"
    foreigner.refresh_from_db()
    assert foreigner.citizenship == "UA"
    assert not ResidencePermit.objects.filter(person=other).exists()

    # The permit is withdrawn early: the same key, a new end; another person's key is refused
    later = [
        ["LP-1", foreigner.personal_code, "temporary", "2025-01-10", "2026-06-01", "UA"],
        ["LP-1b", foreigner.personal_code, "temporary", "2025-01-10", "2027-01-10", "UA"],
    ]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.FOREIGNERS, later[:1], FOREIGNERS)
    assert results(run) == {2: (RowOutcome.UPDATED, "", "")}
    permit.refresh_from_db()
    assert permit.valid_to == dt.date(2026, 6, 1) and permit.history.count() == 2
    stolen = [["LP-1", other.personal_code, "temporary", "2025-01-10", "", ""]]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.FOREIGNERS, stolen, FOREIGNERS)
    assert results(run) == {2: (RowOutcome.REFUSED, "local_id", "invalid")}


# --- Exam centre -------------------------------------------------------------------------------

EXAMS = ["local_id", "personal_code", "school_year", "subject", "level", "score", "grade"]


def test_exam_centre_feed_records_results_and_refuses_bad_ones(
    django_capture_on_commit_callbacks,
):
    school = InstitutionFactory()
    _group, (first, second) = cf.final_class(school, size=2)
    _session, by_subject = cf.exam_session()
    planner = cf.staff(school, "feeds-planner", "exam_planning")
    exams.exam_register(
        actor=planner, exam=by_subject["mathematics"], person=first, institution=school
    )
    year = cf.SCHOOL_YEAR
    rows = [
        ["R-1", first.personal_code, year, "mathematics", "state_maturity", 87, ""],  # 2: good
        ["R-2", second.personal_code, year, "mathematics", "state_maturity", 50, ""],  # 3
        ["R-3", first.personal_code, year, "astrology", "state_maturity", 50, ""],  # 4
        ["R-4", first.personal_code, year, "mathematics", "oral", 50, ""],  # 5
        ["R-5", first.personal_code, year, "lithuanian", "state_maturity", 70, ""],  # 6
        ["R-6", first.personal_code, "twenty", "mathematics", "state_maturity", 50, ""],  # 7
    ]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.EXAM_RESULTS, rows, EXAMS)
    assert results(run) == {
        2: (RowOutcome.CREATED, "", ""),
        3: (RowOutcome.REFUSED, "personal_code", "not_planned"),
        4: (RowOutcome.REFUSED, "subject", "unknown_exam"),
        5: (RowOutcome.REFUSED, "level", "invalid_choice"),
        6: (RowOutcome.REFUSED, "personal_code", "not_planned"),
        7: (RowOutcome.REFUSED, "school_year", "invalid"),
    }
    result = ExamResult.objects.get(person=first)
    assert result.score == 87 and result.history.get().history_channel == "feed"
    assert not ExamResult.objects.filter(person=second).exists()
    # An appeal raises the points: the same result updated
    appeal = [["R-1", first.personal_code, year, "mathematics", "state_maturity", 90, ""]]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.EXAM_RESULTS, appeal, EXAMS)
    assert results(run) == {2: (RowOutcome.UPDATED, "", "")}


# --- Paskola and Parama ------------------------------------------------------------------------

LOANS = ["local_id", "personal_code", "institution", "kind", "amount", "granted_on", "valid_to"]
SUPPORT = ["local_id", "personal_code", "institution", "amount", "valid_from", "valid_to"]


def test_loans_feed_records_study_loans(django_capture_on_commit_callbacks):
    hei = sf.hei()
    right = sf.open_right(hei)
    student = right.person
    stranger = PersonFactory()
    code = hei.jar_code
    rows = [
        ["P-1", student.personal_code, code, "tuition", "1200.50", "2025-10-01", ""],  # 2
        ["P-2", stranger.personal_code, code, "tuition", "900", "2025-10-01", ""],  # 3
        ["P-3", student.personal_code, code, "holiday", "900", "2025-10-01", ""],  # 4
        ["P-4", student.personal_code, code, "living", "0", "2025-10-01", ""],  # 5
        ["P-5", student.personal_code, code, "living", "lots", "2025-10-01", ""],  # 6
        ["P-6", student.personal_code, code, "living", "500", "2025-10-01", "2025-09-01"],  # 7
    ]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.LOANS, rows, LOANS)
    assert results(run) == {
        2: (RowOutcome.CREATED, "", ""),
        3: (RowOutcome.REFUSED, "institution", "no_study_right"),
        4: (RowOutcome.REFUSED, "kind", "invalid_choice"),
        5: (RowOutcome.REFUSED, "amount", "invalid"),
        6: (RowOutcome.REFUSED, "amount", "invalid"),
        7: (RowOutcome.REFUSED, "valid_to", "invalid"),
    }
    loan = StudyLoan.objects.get(study_right=right)
    assert (loan.source_system, loan.local_id, loan.amount) == (
        "paskola",
        "P-1",
        Decimal("1200.50"),
    )
    assert loan.history.get().history_actor == "system:paskola"
    again = run_feed(django_capture_on_commit_callbacks, FeedKind.LOANS, rows[:1], LOANS)
    assert results(again) == {2: (RowOutcome.UNCHANGED, "", "")}


def test_support_feed_records_social_scholarships(django_capture_on_commit_callbacks):
    hei = sf.hei()
    right = sf.open_right(hei)
    student = right.person
    code = hei.jar_code
    rows = [
        ["S-1", student.personal_code, code, "160", "2025-09-01", "2026-02-01"],  # 2: good
        ["S-2", student.personal_code, code, "160", "2026-02-01", "2025-09-01"],  # 3: order
        ["S-3", student.personal_code, "111111111", "160", "2025-09-01", "2026-02-01"],  # 4
        ["S-4", student.personal_code, code, "", "2025-09-01", "2026-02-01"],  # 5: no amount
    ]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.SUPPORT, rows, SUPPORT)
    assert results(run) == {
        2: (RowOutcome.CREATED, "", ""),
        3: (RowOutcome.REFUSED, "valid_to", "invalid"),
        4: (RowOutcome.REFUSED, "institution", "no_study_right"),
        5: (RowOutcome.REFUSED, "amount", "required"),
    }
    (scholarship,) = Scholarship.objects.filter(study_right=right)
    assert (scholarship.kind, scholarship.amount) == ("social", Decimal("160"))
    # A corrected amount updates the same scholarship
    fixed = [["S-1", student.personal_code, code, "180", "2025-09-01", "2026-02-01"]]
    run = run_feed(django_capture_on_commit_callbacks, FeedKind.SUPPORT, fixed, SUPPORT)
    assert results(run) == {2: (RowOutcome.UPDATED, "", "")}
    assert Scholarship.objects.get(study_right=right).amount == Decimal("180")


# --- The file drop -----------------------------------------------------------------------------


def test_dropped_files_are_picked_up_and_moved_aside(tmp_path, django_capture_on_commit_callbacks):
    person = PersonFactory(given_names="Tomas", family_name="Balčiūnas")
    incoming = tmp_path / "population" / "incoming"
    incoming.mkdir(parents=True)
    rows = [["D-1", "name", person.personal_code, "", "Tomas", "Balčiūnas-Jonaitis", "", "", ""]]
    (incoming / "2026-12-01.csv").write_bytes(csv_file(rows, POPULATION))
    (incoming / "broken.xlsx").write_bytes(b"not a workbook")
    (incoming / ".still-writing.csv").write_bytes(b"")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("feeds_poll", "--dir", str(tmp_path), stdout=io.StringIO())
    (run,) = ImportRun.objects.filter(kind=FeedKind.POPULATION)
    run.refresh_from_db()
    assert run.status in (ImportStatus.STAGED, ImportStatus.DONE)
    import_apply(run.pk)
    person.refresh_from_db()
    assert person.family_name == "Balčiūnas-Jonaitis"
    assert [p.name for p in incoming.iterdir()] == [".still-writing.csv"]
    assert [p.name.split("-", 1)[1] for p in (tmp_path / "population" / "processed").iterdir()] == [
        "2026-12-01.csv"
    ]
    failed = sorted(p.name for p in (tmp_path / "population" / "failed").iterdir())
    assert len(failed) == 2 and failed[1].endswith("broken.xlsx.error.txt")
    assert feeds_poll(FileDropSource(tmp_path)) == []


# --- The agency's page -------------------------------------------------------------------------


def test_the_agency_uploads_a_feed_file_and_reads_each_rows_result(
    client, django_capture_on_commit_callbacks
):
    from conftest import make_user
    from edureg.exchange.tests.agreement_helpers import agency_user

    person = PersonFactory()
    rows = [
        ["W-1", "residence", person.personal_code, "", "", "", "LT-13", "", ""],
        ["W-2", "residence", person.personal_code, "", "", "", "LT-00", "", ""],
    ]
    upload = io.BytesIO(csv_file(rows, POPULATION))
    upload.name = "gr-2026-12-04.csv"
    client.force_login(agency_user())
    with django_capture_on_commit_callbacks():
        response = client.post(
            "/feeds/", {"kind": FeedKind.POPULATION, "file": upload}, HTTP_ACCEPT_LANGUAGE="en"
        )
    run = ImportRun.objects.get(file_name="gr-2026-12-04.csv")
    assert response.status_code == 302 and response["Location"] == f"/feeds/{run.public_id}/"
    import_apply(run.pk)
    page = client.get(f"/feeds/{run.public_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "gyventoju-registras" in page and "No such municipality" in page
    report = client.get(f"/feeds/{run.public_id}/errors.csv")
    assert report.status_code == 200 and b"unknown_municipality" in report.content
    assert "gr-2026-12-04.csv" in client.get("/feeds/").content.decode()
    # Someone without the agency's right is refused
    client.force_login(make_user("feeds-outsider"))
    assert client.get("/feeds/").status_code == 403
    assert client.get(f"/feeds/{run.public_id}/").status_code == 403


def test_feed_runs_show_on_the_agencys_transfer_dashboard_and_a_refusal_fixed_later(
    django_capture_on_commit_callbacks,
):
    from django.test import Client
    from django.utils import timezone

    from conftest import make_user, verified_actor, verified_login
    from edureg.access import services as access_services
    from edureg.access.models import FunctionArea, Level, ScopeKind
    from edureg.exchange.transfers import selectors as transfers

    user = make_user("feeds-dashboard-agency")
    for area in (FunctionArea.PUPIL_PERSONAL, FunctionArea.AGREEMENTS):
        access_services.role_grant(
            actor=sf.SYSTEM,
            user=user,
            scope_kind=ScopeKind.NATIONAL,
            function_area=area,
            level=Level.MANAGER,
        )
    agency = verified_actor(user)
    school_manager = sf.staff_for(sf.hei(), "feeds-dashboard-hei")
    person = PersonFactory()
    bad = [["T-1", "residence", person.personal_code, "", "", "", "LT-00", "", ""]]
    run_feed(django_capture_on_commit_callbacks, FeedKind.POPULATION, bad, POPULATION)
    since = timezone.localdate()

    (refused,) = transfers.refused_rows(transfers.runs_in_view(agency, since=since))
    assert (refused.code, refused.fixed) == ("unknown_municipality", False)
    # and the agency reads it on the page, the feed named in words
    page = verified_login(Client(), user).get(
        "/imports/transfers/", headers={"Accept-Language": "lt"}
    )
    assert page.status_code == 200
    assert "kito registro srautas" in page.content.decode()
    assert "None" not in page.content.decode()
    (group,) = transfers.error_groups(transfers.runs_in_view(agency, since=since))
    assert (group.code, group.refused, group.still_open) == ("unknown_municipality", 1, 1)
    assert not transfers.runs_in_view(school_manager, since=since).exists()

    # The population register sends the event again, corrected: the refusal shows fixed
    good = [["T-1", "residence", person.personal_code, "", "", "", "LT-13", "", ""]]
    run_feed(django_capture_on_commit_callbacks, FeedKind.POPULATION, good, POPULATION)
    (refused,) = transfers.refused_rows(transfers.runs_in_view(agency, since=since))
    assert refused.fixed is True
