"""The student card, web page and API, costs a fixed handful of SQL statements whatever the
student's history, shows every record of it, and renders an action's form only when opened."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from edureg.people.tests.factories import PersonFactory
from edureg.students import services
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
from edureg.students.tests.test_api import hei_system
from edureg.students.tests.test_views import staff_user, text

pytestmark = pytest.mark.django_db
D = dt.date
CARD_STATEMENTS = 8  # issue #11: at most 8 statements per card, whatever the history


def _long_history(vu):  # type: ignore[no-untyped-def]
    """A student with two study rights (a transfer), leave and interruption periods with
    reasons, changes of funding, prior education, mobility, results over four semesters, a loan,
    scholarships, and a graduation: dozens of version rows."""
    student = PersonFactory(family_name="Ilgaistoris")
    first = open_right(vu, person=student, funding_source=funding_source("11"))
    services.leave_start(
        actor=SYSTEM, study_right=first, on=D(2025, 2, 1), leave_reason=leave_reason("illness")
    )
    services.leave_end(actor=SYSTEM, study_right=first, on=D(2025, 9, 1))
    services.interruption_start(
        actor=SYSTEM,
        study_right=first,
        on=D(2026, 2, 1),
        reasons=[termination_reason("academic-debt")],
    )
    services.interruption_end(actor=SYSTEM, study_right=first, on=D(2026, 9, 1), course=2)
    services.funding_change(
        actor=SYSTEM,
        study_right=first,
        source=funding_source("self-paid"),
        valid_from=D(2026, 9, 1),
    )
    services.prior_education_add(
        actor=SYSTEM, study_right=first, kind="foreign", country="UA", recognition_decision="SKVC-7"
    )
    services.mobility_add(
        actor=SYSTEM,
        study_right=first,
        host_institution="Universidade do Porto",
        host_country="PT",
        valid_from=D(2025, 10, 1),
        valid_to=D(2026, 1, 31),
        credits_earned=Decimal(30),
        credits_recognised=Decimal(27),
    )
    for semester in range(1, 5):
        for unit in ("MAT", "INF"):
            services.result_add(
                actor=SYSTEM,
                study_right=first,
                semester=semester,
                course_unit_code=f"{unit}{semester}01",
                course_unit_title=f"Dalykas {unit} {semester}",
                credits=Decimal("5.0"),
                assessed_on=D(2025 + semester // 3, 1 + (semester % 2) * 5, 20),
                grade=8,
            )
    services.loan_record(
        actor=SYSTEM,
        study_right=first,
        kind="tuition",
        amount=Decimal("2500.00"),
        granted_on=D(2024, 10, 1),
        valid_from=D(2024, 10, 1),
    )
    for start in (D(2025, 2, 1), D(2026, 2, 1)):
        services.scholarship_add(
            actor=SYSTEM,
            study_right=first,
            kind="incentive",
            amount=Decimal("150.00"),
            valid_from=start,
            valid_to=start.replace(month=7),
            payer="VU",
        )
    second = services.transfer(
        actor=SYSTEM,
        study_right=first,
        on=D(2027, 2, 1),
        institution=vu,
        programme=programme_of(vu, name_lt="Matematika", name_en="Mathematics"),
    )
    services.graduate(actor=SYSTEM, study_right=second, on=D(2028, 6, 30), degree="Bakalauras")
    return first, second


def _statements(client, path: str):  # type: ignore[no-untyped-def]
    client.get(path)  # the first request after signing in also reads the user's safeguards
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, path
    return len(captured), response


def test_the_student_card_costs_the_same_few_statements_for_a_long_and_a_short_history():
    vu = hei()
    first, second = _long_history(vu)
    short = open_right(vu)
    manager = staff_user(vu, "card-manager")
    counts = {}
    for right in (first, short):
        counts[right.pk], _page = _statements(
            manager, reverse("students:card", args=[right.public_id])
        )
    assert counts[first.pk] == counts[short.pk] <= CARD_STATEMENTS

    # Everything of both rights is on the card
    _count, page = _statements(manager, reverse("students:card", args=[second.public_id]))
    shown = text(page)
    for expected in (
        "Mathematics",
        "SKVC-7",
        "Universidade do Porto",
        "2500.00",
        "150.00",
        "MAT401",
        "INF101",
        "Bakalauras",
        str(leave_reason("illness")),
        str(termination_reason("academic-debt")),
        str(funding_source("self-paid")),
    ):
        assert expected in shown, expected
    assert "Credits earned in all" in shown
    history = page.context["history"]
    assert {row["model"] for row in history} >= {
        "students.studyright",
        "students.statusperiod",
        "students.fundingperiod",
        "students.graduation",
    }


def test_the_action_forms_are_rendered_only_when_opened():
    vu = hei()
    right = open_right(vu)
    manager = staff_user(vu, "forms-manager")
    page = manager.get(reverse("students:card", args=[right.public_id]))
    offered = page.context["action_forms"]
    assert offered and all(form is None for _action, form, _url in offered)
    assert 'name="leave-start-on"' not in text(page)  # no form rendered with the card
    url = reverse("students:leave-start", args=[right.public_id])
    assert f'hx-get="{url}"' in text(page)

    # Opened in the card, the action's URL answers its form alone; without JavaScript a page
    fragment = manager.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert 'name="leave-start-on"' in text(fragment) and "<html" not in text(fragment)
    assert "<html" in text(manager.get(url))
    # and the same URL still records the action
    response = manager.post(
        url,
        {"leave-start-on": "2025-02-01", "leave-start-leave_reason": "illness"},
    )
    assert response.status_code == 302
    # A viewer is not offered the forms, and may not open one
    viewer = staff_user(vu, "forms-viewer", level="viewer")
    assert viewer.get(url).status_code == 403


def test_the_api_student_card_costs_the_same_few_statements():
    vu = hei()
    first, second = _long_history(vu)
    short = open_right(vu)
    api = hei_system(vu)
    counts = {}
    for right in (second, short):
        counts[right.pk], response = _statements(
            api, f"/api/v1/students/study-rights/{right.public_id}/"
        )
    assert counts[second.pk] == counts[short.pk] <= CARD_STATEMENTS
    _count, response = _statements(api, f"/api/v1/students/study-rights/{first.public_id}/")
    card = response.json()
    assert card["transferred_to"] == str(second.public_id)
    assert [p["status"] for p in card["periods"]][:3] == ["studying", "academic_leave", "studying"]
    assert len(card["funding_periods"]) == 2
    assert SEPT_1.isoformat() == card["periods"][0]["valid_from"]
