"""An HEI data manager's work in the Student Register's web pages, and what others may not see."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import AccessLogEntry
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.students import services
from edureg.students.models import Graduation, StatusPeriod, StudyRight, StudyStatus
from edureg.students.tests.factories import (
    SEPT_1,
    SYSTEM,
    funding_source,
    hei,
    leave_reason,
    open_right,
    programme_of,
    termination_reason,
)
from edureg.students.views import ACTIONS

pytestmark = pytest.mark.django_db
D = dt.date


def staff_user(institution, name, level=Level.MANAGER):  # type: ignore[no-untyped-def]
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=ScopeKind.INSTITUTION,
        institution=institution,
        function_area=FunctionArea.STUDENT_DATA,
        level=level,
    )
    return verified_login(Client(), user)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def act(web, right, action, **fields):  # type: ignore[no-untyped-def]
    """POST one action's form (fields are given without the form's prefix)."""
    data: dict[str, Any] = {f"{action}-{name}": value for name, value in fields.items()}
    return web.post(reverse(f"students:{action}", args=[right.public_id]), data)


def confirm_page(web, page):  # type: ignore[no-untyped-def]
    """Press the confirmation page's button: post again what it carries, confirmed."""
    body = text(page)
    form = body[body.index('<form method="post" action="') :]
    url = form.split('action="')[1].split('"')[0]
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        data.setdefault(name, []).append(html.unescape(value))
    return web.post(url, data)


def statuses(right: StudyRight) -> list[tuple[str, dt.date, dt.date | None]]:
    return [(p.status, p.valid_from, p.valid_to) for p in right.periods.order_by("valid_from")]


@pytest.fixture
def vu():  # type: ignore[no-untyped-def]
    return hei(name_lt="Vilniaus universitetas")


@pytest.fixture
def ktu():  # type: ignore[no-untyped-def]
    return hei(name_lt="Kauno technologijos universitetas")


def test_a_data_managers_flow(vu):  # type: ignore[no-untyped-def]
    programme = programme_of(vu)
    web = staff_user(vu, "vu-manager")

    # Given a new student found by personal code (by POST): the register does not know them,
    # so the manager registers the person and opens the study right in one step
    code = personal_code(D(2005, 3, 14), male=False)
    response = web.post(reverse("students:open"), {"step": "find", "personal_code": code})
    assert response.status_code == 200
    assert 'name="given_names"' in text(response)
    response = web.post(
        reverse("students:open"),
        {
            "step": "open",
            "personal_code": code,
            "given_names": "Gabija",
            "family_name": "Petrauskaitė",
            "citizenship": "LT",
            "institution": vu.pk,
            "programme": programme.state_code,
            "form": "full_time",
            "started_on": "2024-09-01",
            "course": "1",
            "funding_source": "11",
        },
    )
    gabija = Person.objects.get(personal_code=code)
    right = gabija.study_rights.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("students:card", args=[right.public_id])
    assert right.funding_periods.get().source.code == "11"
    assert code not in response["Location"]

    # A leave for illness, and the return
    assert (
        act(web, right, "leave-start", on="2025-02-01", leave_reason="illness").status_code == 302
    )
    assert act(web, right, "leave-end", on="2025-09-01").status_code == 302
    # An interruption, and the return to the second course
    response = act(web, right, "interruption-start", on="2025-10-01", reasons=["academic-debt"])
    assert response.status_code == 302
    assert act(web, right, "interruption-end", on="2026-02-01", course="2").status_code == 302
    right.refresh_from_db()
    assert (right.status, right.course) == (StudyStatus.STUDYING, 2)
    assert statuses(right) == [
        (StudyStatus.STUDYING, SEPT_1, D(2025, 2, 1)),
        (StudyStatus.ACADEMIC_LEAVE, D(2025, 2, 1), D(2025, 9, 1)),
        (StudyStatus.STUDYING, D(2025, 9, 1), D(2025, 10, 1)),
        (StudyStatus.INTERRUPTED, D(2025, 10, 1), D(2026, 2, 1)),
        (StudyStatus.STUDYING, D(2026, 2, 1), None),
    ]

    # Results: a passed and a failed unit in semester 1, a pass in semester 3
    for semester, unit, grade, passed in [
        ("1", "MAT101", "8", ""),
        ("1", "FIZ101", "3", ""),
        ("3", "PRA201", "", "yes"),
    ]:
        response = act(
            web,
            right,
            "result",
            semester=semester,
            course_unit_code=unit,
            course_unit_title=f"Unit {unit}",
            credits="6",
            grade=grade,
            passed=passed,
            assessed_on="2026-01-20",
        )
        assert response.status_code == 302
    card = web.get(reverse("students:card", args=[right.public_id]), HTTP_ACCEPT_LANGUAGE="en")
    page = text(card)
    assert "Credits earned in year 1" in page and "Credits earned in year 2" in page
    years = card.context["cards"][0]["transcript"].years
    assert [(y.year, y.credits_earned) for y in years] == [(1, Decimal(6)), (2, Decimal(6))]
    # the timeline is on the card, with the reasons of the interruption
    assert "2025-10-01" in page and termination_reason("academic-debt").name_en in page
    assert leave_reason("illness").name_en in page

    # Graduation with the degree, thesis and diploma: first a page says what will happen and
    # warns that 12 credits are short of the programme's 240; nothing is written yet (#16)
    response = act(
        web,
        right,
        "graduate",
        on="2028-06-30",
        degree="Informatikos bakalauras",
        thesis_title="Grafų algoritmai",
        diploma_reference="BD-0012345",
    )
    assert response.status_code == 200
    assert "BD-0012345" in text(response) and "12" in text(response) and "240" in text(response)
    assert 'name="confirmed_warnings" value="credits-short"' in text(response)
    assert not Graduation.objects.filter(study_right=right).exists()
    response = confirm_page(web, response)
    assert response.status_code == 302
    right.refresh_from_db()
    assert (right.status, right.ended_on) == (StudyStatus.GRADUATED, D(2028, 6, 30))
    assert right.graduation.diploma_reference == "BD-0012345"
    card = web.get(reverse("students:card", args=[right.public_id]))
    assert "Grafų algoritmai" in text(card)
    offered = {action.name for action, _form, _url in card.context["action_forms"]}
    assert not offered & {"graduate", "leave-start", "terminate", "transfer"}  # nothing follows
    # The history of the record: the right, each period and the graduation, with who did it
    history = card.context["history"]
    assert {row["model"] for row in history} >= {
        "students.studyright",
        "students.statusperiod",
        "students.graduation",
    }
    assert all(row["who"] for row in history)

    # Every read of the student was written to the access log
    logged = set(
        AccessLogEntry.objects.filter(person_public_id=gabija.public_id).values_list(
            "what", flat=True
        )
    )
    assert {"student.card", "student.change"} <= logged


def test_a_foreigner_without_a_code_gets_a_study_right(vu):  # type: ignore[no-untyped-def]
    programme = programme_of(vu)
    web = staff_user(vu, "vu-manager")

    response = web.post(reverse("students:open"), {"step": "foreign"})
    assert 'name="birth_date"' in text(response)
    fields = {
        "step": "open",
        "given_names": "Olena",
        "family_name": "Kovalenko",
        "citizenship": "UA",
        "sex": "M",
        "birth_date": "2004-06-01",
        "institution": vu.pk,
        "programme": "NO-SUCH-CODE",
        "form": "full_time",
        "started_on": "2024-09-01",
        "course": "1",
    }
    response = web.post(reverse("students:open"), fields)
    assert response.status_code == 400
    assert 'id="id_programme_error"' in text(response)
    assert not Person.objects.filter(family_name="Kovalenko").exists()

    response = web.post(reverse("students:open"), {**fields, "programme": programme.state_code})
    olena = Person.objects.get(family_name="Kovalenko")
    assert response.status_code == 302
    assert olena.personal_code is None and olena.foreign_id
    assert olena.study_rights.get().programme == programme


def test_a_refused_transition_is_shown_on_the_form_and_changes_nothing(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    services.leave_start(
        actor=SYSTEM, study_right=right, on=D(2025, 2, 1), leave_reason=leave_reason("illness")
    )
    web = staff_user(vu, "vu-manager")
    versions = right.history.count()

    # Graduation is not offered during a leave; posted anyway, the service refuses it
    response = act(web, right, "graduate", on="2025-06-30", degree="Bakalauras")
    assert response.status_code == 400
    assert "error-summary" in text(response)
    form = next(f for a, f, _url in response.context["action_forms"] if a.name == "graduate")
    assert form.non_field_errors()
    right.refresh_from_db()
    assert right.status == StudyStatus.ACADEMIC_LEAVE
    assert not Graduation.objects.filter(study_right=right).exists()
    assert right.history.count() == versions

    # A return before the leave began: the message is on the date field
    response = act(web, right, "leave-end", on="2025-01-15")
    assert response.status_code == 400
    assert 'id="id_leave-end-on_error"' in text(response)
    assert right.periods.count() == 2


def test_a_back_dated_correction_moves_the_boundary(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    leave = services.leave_start(
        actor=SYSTEM, study_right=right, on=D(2025, 2, 1), leave_reason=leave_reason("illness")
    )
    web = staff_user(vu, "vu-manager")

    response = act(web, right, "correct-period", period=str(leave.pk), valid_from="2025-01-20")
    assert response.status_code == 302
    assert statuses(right) == [
        (StudyStatus.STUDYING, SEPT_1, D(2025, 1, 20)),
        (StudyStatus.ACADEMIC_LEAVE, D(2025, 1, 20), None),
    ]
    # A period of another study right cannot be chosen
    other = open_right(vu)
    response = act(
        web, right, "correct-period", period=str(other.periods.get().pk), valid_from="2024-09-02"
    )
    assert response.status_code == 400
    assert other.periods.get().valid_from == SEPT_1


def test_the_other_actions_record_what_the_card_shows(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu, funding_source=funding_source("11"))
    web = staff_user(vu, "vu-manager")

    for action, fields in [
        ("funding", {"source": "self-paid", "valid_from": "2025-09-01"}),
        ("prior-education", {"kind": "foreign", "country": "UA", "recognition_decision": "SKVC-7"}),
        (
            "mobility",
            {
                "host_institution": "Universidade do Porto",
                "host_country": "PT",
                "programme_name": "Erasmus+",
                "valid_from": "2025-02-01",
                "valid_to": "2025-06-30",
                "credits_earned": "30",
                "credits_recognised": "27",
            },
        ),
        (
            "loan",
            {
                "kind": "tuition",
                "amount": "2500.00",
                "granted_on": "2024-10-01",
                "valid_from": "2024-10-01",
            },
        ),
        (
            "scholarship",
            {
                "kind": "incentive",
                "amount": "150.00",
                "valid_from": "2025-02-01",
                "valid_to": "2025-07-01",
                "payer": "VU",
            },
        ),
    ]:
        assert act(web, right, action, **fields).status_code == 302, action
    page = text(
        web.get(reverse("students:card", args=[right.public_id]), HTTP_ACCEPT_LANGUAGE="en")
    )
    for shown in ["SKVC-7", "Universidade do Porto", "2500.00", "150.00"]:
        assert shown in page
    assert right.funding_periods.count() == 2

    # A foreign document without a recognition decision is refused on that field
    response = act(web, right, "prior-education", kind="foreign", country="UA")
    assert response.status_code == 400
    assert 'id="id_prior-education-recognition_decision_error"' in text(response)


def test_a_transfer_links_the_new_right_to_the_old(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    second = programme_of(vu, name_lt="Matematika", name_en="Mathematics")
    web = staff_user(vu, "vu-manager")

    response = act(
        web,
        right,
        "transfer",
        on="2025-09-01",
        institution=str(vu.pk),
        programme=second.state_code,
    )
    assert not StudyRight.objects.filter(transferred_from=right).exists()  # confirm first
    response = confirm_page(web, response)
    new = StudyRight.objects.get(transferred_from=right)
    assert response.status_code == 302
    assert response["Location"] == reverse("students:card", args=[new.public_id])
    page = text(web.get(response["Location"]))
    assert reverse("students:card", args=[right.public_id]) in page  # the link back
    assert "Matematika" in page


def test_a_viewer_sees_the_card_without_forms_and_may_not_act(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    web = staff_user(vu, "vu-viewer", level=Level.VIEWER)

    card = web.get(reverse("students:card", args=[right.public_id]))
    assert card.status_code == 200
    assert card.context["action_forms"] == []
    assert act(web, right, "terminate", on="2025-01-01", reasons=["own-request"]).status_code == 403
    assert web.get(reverse("students:open")).status_code == 403
    right.refresh_from_db()
    assert right.status == StudyStatus.STUDYING


@pytest.mark.parametrize("action", list(ACTIONS))
def test_another_heis_manager_gets_404_on_every_action(vu, ktu, action):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    stranger = staff_user(ktu, "ktu-manager")

    response = act(stranger, right, action, on="2025-02-01")
    assert response.status_code == 404
    assert statuses(right) == [(StudyStatus.STUDYING, SEPT_1, None)]
    assert StatusPeriod.objects.filter(study_right=right).count() == 1


def test_another_heis_manager_gets_404_on_the_card_and_sees_nothing_listed(vu, ktu):  # type: ignore[no-untyped-def]
    right = open_right(vu, person=PersonFactory(family_name="Vilnietė"))
    stranger = staff_user(ktu, "ktu-manager")

    assert stranger.get(reverse("students:card", args=[right.public_id])).status_code == 404
    assert "Vilnietė" not in text(stranger.get(reverse("students:list")))
    body = b"".join(stranger.get(reverse("students:export-csv")).streaming_content)
    assert "Vilnietė" not in body.decode("utf-8")


def test_filters_and_exports(vu, ktu):  # type: ignore[no-untyped-def]
    informatics = programme_of(vu)
    mathematics = programme_of(vu, name_lt="Matematika", name_en="Mathematics")
    first = open_right(vu, programme=informatics, person=PersonFactory(family_name="=Pirmas"))
    second = open_right(
        vu,
        programme=mathematics,
        started_on=D(2025, 9, 1),
        form="part_time",
        person=PersonFactory(family_name="Antrasis"),
    )
    services.terminate(
        actor=SYSTEM,
        study_right=first,
        on=D(2025, 1, 31),
        reasons=[termination_reason("own-request")],
    )
    open_right(ktu, person=PersonFactory(family_name="Kaunietis"))
    web = staff_user(vu, "vu-manager")

    page = text(web.get(reverse("students:list"), {"status": "terminated"}))
    assert "Pirmas" in page and "Antrasis" not in page and "Kaunietis" not in page
    page = text(web.get(reverse("students:list"), {"programme": mathematics.state_code.lower()}))
    assert "Antrasis" in page and "Pirmas" not in page
    page = text(web.get(reverse("students:list"), {"form": "part_time", "course": "1"}))
    assert "Antrasis" in page and "Pirmas" not in page
    page = text(web.get(reverse("students:list"), {"started_from": "2025-01-01"}))
    assert "Antrasis" in page and "Pirmas" not in page
    page = text(web.get(reverse("students:list"), {"started_to": "2024-12-31"}))
    assert "Pirmas" in page and "Antrasis" not in page
    page = text(web.get(reverse("students:list"), {"institution": vu.register_id}))
    assert "Pirmas" in page and "Antrasis" in page
    # An invalid filter finds nothing rather than everything
    page = text(web.get(reverse("students:list"), {"started_from": "not-a-date"}))
    assert "Pirmas" not in page and "Antrasis" not in page

    # The CSV: BOM, headers, the filtered rows only, formulas defused, no personal codes
    response = web.get(
        reverse("students:export-csv"), {"cycle": "bachelor"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0][:4] == ["Study right id", "Family name", "Given names", "Birth date"]
    assert {r[1] for r in rows[1:]} == {"'=Pirmas", "Antrasis"}
    for right in (first, second):
        assert right.person.personal_code not in body
    # The XLSX of the same filter
    response = web.get(reverse("students:export-xlsx"), {"status": "studying"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    xlsx_rows = list(sheet.iter_rows(values_only=True))
    assert len(xlsx_rows) == 2
    assert xlsx_rows[1][1] == "Antrasis"
    assert xlsx_rows[1][6] == mathematics.state_code
    assert xlsx_rows[1][7] == "Matematika"
    assert second.person.personal_code not in str(xlsx_rows)

    # Each listed and exported person is in the access log
    whats = set(
        AccessLogEntry.objects.filter(person_public_id=second.person.public_id).values_list(
            "what", flat=True
        )
    )
    assert {"student.list", "student.export"} <= whats


def test_the_list_costs_the_same_number_of_queries_for_5_and_30_students(vu):  # type: ignore[no-untyped-def]
    programmes = [programme_of(vu), programme_of(vu, name_lt="Matematika")]
    web = staff_user(vu, "vu-manager")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get(reverse("students:list")).status_code == 200
        return len(captured)

    for i in range(5):
        open_right(vu, programme=programmes[i % 2])
    web.get(reverse("students:list"))  # warm-up: sessions, content types
    five = queries()
    for i in range(25):
        open_right(vu, programme=programmes[i % 2])
    assert queries() == five


def test_a_card_shows_only_the_rights_at_the_viewers_hei(vu, ktu):  # type: ignore[no-untyped-def]
    person = PersonFactory()
    at_vu = open_right(vu, person=person)
    at_ktu = open_right(ktu, person=person, programme=programme_of(ktu, name_lt="Mechanika"))
    web = staff_user(ktu, "ktu-manager")

    card = web.get(reverse("students:card", args=[at_ktu.public_id]))
    assert [c["right"] for c in card.context["cards"]] == [at_ktu]
    assert at_vu.programme.state_code not in text(card)
    assert str(at_vu.public_id) not in text(card)
    assert web.get(reverse("students:card", args=[at_vu.public_id])).status_code == 404


# --- Safety nets (#16 item 6) ----------------------------------------------------------------


def test_a_termination_is_confirmed_first_and_a_refused_one_is_not_put_to_confirm(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    web = staff_user(vu, "vu-manager")

    # A termination the service refuses (before the studies began) stays on the form
    refused = act(web, right, "terminate", on="2024-01-01", reasons=["own-request"])
    assert refused.status_code == 400
    assert 'name="confirmed"' not in text(refused)

    page = act(web, right, "terminate", on="2025-03-01", reasons=["own-request"])
    assert page.status_code == 200 and 'name="confirmed" value="yes"' in text(page)
    assert StudyRight.objects.get(pk=right.pk).status == StudyStatus.STUDYING
    assert confirm_page(web, page).status_code == 302
    assert StudyRight.objects.get(pk=right.pk).status == StudyStatus.TERMINATED


def test_a_graduation_short_of_credits_is_warned_and_the_confirmation_recorded(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    for unit in range(29):  # 174 credits of the programme's 240
        services.result_add(
            actor=SYSTEM,
            study_right=right,
            semester=1 + unit % 8,
            course_unit_code=f"U{unit:03d}",
            course_unit_title=f"Unit {unit}",
            credits=Decimal(6),
            grade=8,
            assessed_on=D(2025, 1, 20),
        )
    web = staff_user(vu, "vu-manager")
    warned = act(web, right, "graduate", on="2028-06-30", degree="Bakalauras")
    assert warned.status_code == 200
    assert "174" in text(warned) and "240" in text(warned)
    assert not Graduation.objects.filter(study_right=right).exists()

    # Posting the confirmation without the warning's code does not graduate either
    bare = web.post(
        reverse("students:graduate", args=[right.public_id]),
        {"graduate-on": "2028-06-30", "graduate-degree": "Bakalauras", "confirmed": "yes"},
    )
    assert bare.status_code == 200 and "174" in text(bare)
    assert not Graduation.objects.filter(study_right=right).exists()

    assert confirm_page(web, warned).status_code == 302
    graduation = Graduation.objects.get(study_right=right)
    reason = graduation.history.get().history_change_reason
    assert "174" in reason and "240" in reason
    assert right.history.latest("history_id").history_change_reason == reason
    # and the card's history says so
    assert reason in text(web.get(reverse("students:card", args=[right.public_id])))


def test_a_back_dated_leave_over_results_and_a_mobility_is_warned_not_refused(vu):  # type: ignore[no-untyped-def]
    right = open_right(vu)
    services.result_add(
        actor=SYSTEM,
        study_right=right,
        semester=1,
        course_unit_code="MAT101",
        course_unit_title="Matematika",
        credits=Decimal(6),
        grade=9,
        assessed_on=D(2025, 1, 20),
    )
    services.mobility_add(
        actor=SYSTEM,
        study_right=right,
        host_institution="Universidad de Granada",
        host_country="ES",
        valid_from=D(2025, 2, 1),
        valid_to=D(2025, 6, 30),
    )
    web = staff_user(vu, "vu-manager", level=Level.MANAGER)
    warned = act(web, right, "leave-start", on="2025-01-10", leave_reason="illness")
    page = text(warned)
    assert warned.status_code == 200
    assert "Universidad de Granada" in page and "2025-01-10" in page
    assert StudyRight.objects.get(pk=right.pk).status == StudyStatus.STUDYING

    assert confirm_page(web, warned).status_code == 302
    right.refresh_from_db()
    assert right.status == StudyStatus.ACADEMIC_LEAVE
    leave = right.periods.get(status=StudyStatus.ACADEMIC_LEAVE)
    noted = leave.history.get().history_change_reason
    assert "results-in-break" in noted and "mobility-in-break" in noted

    # A leave over nothing recorded goes through at once, without a page to confirm
    other = open_right(vu)
    assert (
        act(web, other, "leave-start", on="2025-01-10", leave_reason="illness").status_code == 302
    )
