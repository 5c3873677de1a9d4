"""Demo students: the generator is reproducible and its plan check refuses a broken history. The
seeded Student Register (histories that keep the rules, versions, change log, every kind of
record) is checked in `edureg/tests/test_demo_small.py`, which seeds once for every register."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest

from edureg.core.demo import Scale
from edureg.students.demo import (
    HeiRef,
    RightSpec,
    StudentRef,
    StudyProgrammeRef,
    plan_check,
    students_generate,
)
from edureg.students.models import (
    StudyStatus,
)

S = StudyStatus


def _references() -> dict[str, Any]:
    students = [
        StudentRef(i, dt.date(1990 + i % 17, 3, 1 + i % 28), "LT" if i % 9 else "UA")
        for i in range(1, 300)
    ]
    students += [
        StudentRef(i, dt.date(2007, 5, 5), "LT", dt.date(2026, 9, 1), "Vilniaus licėjus")
        for i in range(300, 340)
    ]
    heis = [
        HeiRef(1, "Vilniaus universitetas", "university"),
        HeiRef(2, "Vilniaus kolegija", "college"),
    ]
    programmes = [
        StudyProgrammeRef(10, 1, "bachelor", 4, True, "Informatika", ""),
        StudyProgrammeRef(11, 1, "master", 2, False, "Teisė", ""),
        StudyProgrammeRef(12, 2, "professional_bachelor", 3, True, "Slauga", ""),
    ]
    return {"students": students, "heis": heis, "programmes": programmes}


def test_the_same_seed_gives_the_same_register_and_another_seed_another() -> None:
    day = dt.date(2026, 11, 22)

    def generate(seed: int) -> list[RightSpec]:
        return students_generate(scale=Scale.SMALL, seed=seed, today=day, **_references()).rights

    first, again, other = generate(3), generate(3), generate(4)

    assert first == again
    assert first != other
    # Nothing is dated after the day the data is generated for, and the school leavers start
    # their first year on the day their grade 12 ended.
    assert max(right.started_on for right in first) <= day
    leavers = [right for right in first if right.person_id >= 300]
    assert leavers and {right.started_on for right in leavers} == {dt.date(2026, 9, 1)}


def test_the_check_refuses_a_history_that_breaks_the_rules() -> None:
    day = dt.date(2026, 11, 22)
    plan = students_generate(scale=Scale.SMALL, seed=3, today=day, **_references())
    plan_check(plan, day)
    # A termination without a reason, as a generator bug might make it.
    right = next(r for r in plan.rights if r.status == S.TERMINATED)
    right.periods[-1] = replace(right.periods[-1], reasons=())

    with pytest.raises(AssertionError):
        plan_check(plan, day)
