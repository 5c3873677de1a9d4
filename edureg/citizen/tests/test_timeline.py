"""The learning history a citizen sees is what the registers' services wrote."""

from __future__ import annotations

import datetime as dt

import pytest

from edureg.access.citizens import citizen_user_for
from edureg.citizen import selectors
from edureg.citizen.forms import ShareLinkForm
from edureg.citizen.tests.factories import school_leaver
from edureg.citizen.timeline import EntryKind, with_parts
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _facts(entry):  # type: ignore[no-untyped-def]
    return dict(entry.facts)


def test_the_timeline_holds_exactly_the_records_the_services_wrote():
    # Given a school leaver whose history the Pupil and Student Register services wrote
    history = school_leaver()
    w = history.written
    me = Actor.for_user(citizen_user_for(history.person))

    # When the citizen reads their learning history
    entries = selectors.learning_history(actor=me, person=history.person)
    by_key = {entry.key: entry for entry in entries}

    # Then there is one entry per record, and nothing else
    expected = {
        f"enrolment:{w['enrolment_11'].public_id}": (EntryKind.GENERAL, dt.date(2023, 9, 1)),
        f"enrolment:{w['enrolment_12'].public_id}": (EntryKind.GENERAL, dt.date(2024, 9, 1)),
        f"departure:{w['enrolment_12'].public_id}": (EntryKind.DEPARTURE, dt.date(2025, 6, 30)),
        f"enrolment:{w['club'].public_id}": (EntryKind.CLUB, dt.date(2023, 9, 15)),
        f"enrolment:{w['nvs'].public_id}": (EntryKind.NVS, dt.date(2023, 9, 10)),
        **{
            f"elective:{e.pk}": (EntryKind.ELECTIVE, dt.date(e.school_year, 9, 1))
            for e in w["electives"]
        },
        **{f"achievement:{a.pk}": (EntryKind(a.kind), a.achieved_on) for a in w["achievements"]},
        f"study-right:{w['earlier_study_right'].public_id}": (
            EntryKind.STUDY_RIGHT,
            dt.date(2021, 9, 1),
        ),
        f"graduation:{w['graduation'].pk}": (EntryKind.GRADUATION, dt.date(2022, 6, 30)),
        f"study-right:{w['study_right'].public_id}": (EntryKind.STUDY_RIGHT, dt.date(2025, 9, 1)),
    }
    assert {key: (e.kind, e.start) for key, e in by_key.items()} == expected
    # and newest first
    assert [e.start for e in entries] == sorted((e.start for e in entries), reverse=True)

    # and each entry says what the register holds, by name, never by code
    departure = by_key[f"departure:{w['enrolment_12'].public_id}"]
    assert _facts(departure)["Reason"] == "Completed the programme"
    assert _facts(departure)["Director's order No."] == "V-117"
    assert _facts(departure)["Institution"] == "Vilniaus „Ąžuolo“ gimnazija"
    grade_11 = by_key[f"enrolment:{w['enrolment_11'].public_id}"]
    assert grade_11.title == "Secondary education: III a (grade 11 / gymnasium III)"
    assert grade_11.end == dt.date(2024, 9, 1)
    assert _facts(grade_11)["Continued as"] == "Vilniaus „Ąžuolo“ gimnazija, IV a"
    elective = by_key[f"elective:{w['electives'][0].pk}"]
    assert _facts(elective)["Course level"] == "A — Advanced"
    assert _facts(elective)["School year"] == "2023–2024"
    exam = by_key[f"achievement:{w['achievements'][0].pk}"]
    assert exam.title == "Matematikos valstybinis brandos egzaminas"
    assert _facts(exam)["Result"] == "86 iš 100"
    assert _facts(exam)["Level"] == "national"
    nvs = by_key[f"enrolment:{w['nvs'].public_id}"]
    # and the records offered for sharing keep the label's capitals ("NVŠ", never "nvš")
    offered = dict(ShareLinkForm(entries=entries).fields["keys"].choices)
    assert offered[nvs.key].startswith("Non-formal education (NVŠ): Tapybos studija 1")
    assert nvs.sections[0].rows == [["2023-10", "NVŠ basket"], ["2023-11", "NVŠ basket"]]

    studies = by_key[f"study-right:{w['study_right'].public_id}"]
    sections = {s.title: s for s in studies.sections}
    assert _facts(studies)["Higher education institution"] == "Vilniaus universitetas"
    assert _facts(studies)["Credits earned"] == "11"
    assert [row[0] for row in sections["Status history"].rows] == [
        "studying",
        "academic leave (Illness)",
        "studying",
    ]
    assert sections["Status history"].rows[1][1:] == ["2026-02-01", "2026-04-01"]
    assert sections["Results: year of study 1"].rows == [
        ["1", "Matematinė analizė I", "6", "8", "2026-01-15"],
        ["1", "Tiesinė algebra", "5", "passed", "2026-01-22"],
    ]
    assert sections["Partial studies (mobility)"].rows == [
        ["Universität Wien", "Austria", "Erasmus+", "2026-04-10 – 2026-06-30", "15", "12"]
    ]
    assert sections["Study loans"].rows[0][:3] == ["living-costs loan", "1,250.50 €", "2025-10-01"]
    assert sections["Scholarships"].rows[0][1] == "300.00 €"
    assert sections["Funding"].rows[0][0] == "State-funded place"
    graduation = by_key[f"graduation:{w['graduation'].pk}"]
    assert graduation.parent == f"study-right:{w['earlier_study_right'].public_id}"
    assert _facts(graduation)["Degree awarded"] == "Informatikos bakalauras"

    # and a study right shared takes its graduation along
    shared = with_parts(entries, [f"study-right:{w['earlier_study_right'].public_id}"])
    assert [e.kind for e in shared] == [EntryKind.GRADUATION, EntryKind.STUDY_RIGHT]

    # and reading one's own history is not "someone saw my data"
    assert not AccessLogEntry.objects.filter(person_public_id=history.person.public_id).exists()


def test_a_citizen_reads_no_one_elses_history_and_the_query_count_is_fixed(
    django_assert_max_num_queries,
):
    history = school_leaver()
    stranger = PersonFactory()
    them = Actor.for_user(citizen_user_for(stranger))

    # The stranger's own history is empty, and another person is not theirs to read
    assert selectors.learning_history(actor=them, person=stranger) == []
    assert selectors.learning_history(actor=them, person=history.person) == []

    me = Actor.for_user(citizen_user_for(history.person))
    with django_assert_max_num_queries(30):
        selectors.learning_history(actor=me, person=history.person)
