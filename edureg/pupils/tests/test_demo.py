"""Demo pupils: `seed_demo` fills the Pupil Register with classes and enrolments that keep its
rules, with history and audit."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from edureg.core.audit import verify_all
from edureg.core.demo import Scale
from edureg.institutions.models import InstitutionKind
from edureg.pupils.demo import (
    NvsProgrammeRef,
    PupilRef,
    SchoolRef,
    pupils_generate,
    school_year_of,
)
from edureg.pupils.models import Enrolment, Group, GroupKind, NvsFundingMark


@pytest.mark.django_db
def test_small_seed_gives_a_pupil_register_that_keeps_its_rules() -> None:
    # Given a freshly migrated database
    # When the small demo data is seeded
    out = StringIO()
    call_command("seed_demo", "--scale", "small", "--seed", "3", stdout=out)
    output = out.getvalue()

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
    # and every record has its version, and the audit chains verify
    assert Enrolment.history.count() >= Enrolment.objects.count()
    assert verify_all() == []
    assert f"{Enrolment.objects.count()} enrolments" in output


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
