"""Demo pupils: the generator is reproducible. The seeded Pupil Register's rules, history and
audit are checked in `edureg/tests/test_demo_small.py`, which seeds once for every register."""

from __future__ import annotations

import datetime as dt

from edureg.core.demo import Scale
from edureg.institutions.models import InstitutionKind
from edureg.pupils.demo import (
    NvsProgrammeRef,
    PupilRef,
    SchoolRef,
    pupils_generate,
)


def _references() -> dict[str, list]:  # type: ignore[type-arg]
    pupils = [
        PupilRef(person_id=i, birth_year=2008 + i % 14, citizenship="LT", municipality="LT-57")
        for i in range(1, 400)
    ]
    schools = [
        SchoolRef(i, f"S{i}", InstitutionKind.INSTITUTION, kind, "LT-57")
        for i, kind in enumerate(
            ["gymnasium", "progymnasium", "basic-school", "primary-school", "kindergarten"] * 2,
            start=1000,
        )
    ]
    programmes = [NvsProgrammeRef(1, 2000, "LT-57", "Robotikos būrelis", ("technology",))]
    return {"pupils": pupils, "schools": schools, "nvs_programmes": programmes}


def test_the_same_seed_gives_the_same_register_and_another_seed_another() -> None:
    day = dt.date(2026, 11, 22)

    def generate(seed: int) -> tuple[list, list, list]:  # type: ignore[type-arg]
        plan = pupils_generate(scale=Scale.SMALL, seed=seed, today=day, **_references())
        return plan.groups, plan.enrolments, plan.marks

    first, again, other = generate(3), generate(3), generate(4)

    assert first == again
    assert first != other
    groups, enrolments, marks = first
    assert enrolments and marks
    names = {(g.institution_id, g.school_year, g.name) for g in groups}
    assert len(names) == len(groups)
    # Nothing starts after the day the data is generated for.
    assert max(e.valid_from for e in enrolments) <= day
    assert max(m.month for m in marks) <= day
