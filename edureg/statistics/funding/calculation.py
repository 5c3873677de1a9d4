"""The per-pupil funding rule, as pure functions over a pupil's facts and a rule set's
coefficients (no database), and the set-based gathering of those facts for a date.

A pupil's yearly amount is the rule set's base amount multiplied, in a fixed order, by the
coefficient of each factor that matches the pupil: programme level, class size band, special
educational needs level, minority language of instruction, small school, school in a district
municipality. A factor the rule set has no coefficient for leaves the amount as it is. Every
step is kept (factor, key, coefficient, amount after it), so a line explains itself; the amount
is rounded to cents once, at the end, half up — the same facts and rules give the same cents.

NVŠ basket funding: each month a provider marked a pupil's basket earns the rule set's amount
per pupil and month, for the months of the school year up to the calculation date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from edureg.pupils.models import Enrolment, GroupKind, NvsFundingMark, SpecialNeeds
from edureg.statistics.funding.models import Factor

CENT = Decimal("0.01")
FACTOR_ORDER = [
    Factor.PROGRAMME_LEVEL,
    Factor.CLASS_SIZE,
    Factor.SPECIAL_NEEDS,
    Factor.MINORITY_LANGUAGE,
    Factor.SMALL_SCHOOL,
    Factor.RURAL,
]
LEVEL_OF_GRADE = {"preschool": "preschool", "preprimary": "preprimary"}
LEVEL_OF_GRADE |= {str(g): "primary" for g in range(1, 5)}
LEVEL_OF_GRADE |= {str(g): "basic" for g in range(5, 11)}
LEVEL_OF_GRADE |= {"11": "secondary", "12": "secondary"}

Coefficients = Mapping[str, Mapping[str, Decimal]]  # factor -> key -> multiplier


@dataclass(frozen=True)
class PupilFacts:
    person_id: int
    institution_id: int
    grade: str
    class_size: int
    school_size: int
    special_needs: str  # the level's code, or ""
    language: str
    municipality_kind: str


def _band(key: str) -> tuple[int, int | None] | None:
    low, _dash, high = key.partition("-")
    try:
        return int(low), (int(high) if high else None)
    except ValueError:
        return None


def matching_key(factor: str, keys: Iterable[str], facts: PupilFacts) -> str | None:
    """The key of `factor` that applies to the pupil, if any."""
    keys = list(keys)
    if factor == Factor.PROGRAMME_LEVEL:
        level = LEVEL_OF_GRADE.get(facts.grade)
        return level if level in keys else None
    if factor == Factor.CLASS_SIZE:
        for key in sorted(keys):
            band = _band(key)
            if (
                band
                and band[0] <= facts.class_size
                and (band[1] is None or facts.class_size <= band[1])
            ):
                return key
        return None
    if factor == Factor.SPECIAL_NEEDS:
        return facts.special_needs if facts.special_needs in keys else None
    if factor == Factor.MINORITY_LANGUAGE:
        return "minority" if facts.language != "lt" and "minority" in keys else None
    if factor == Factor.SMALL_SCHOOL:
        # The smallest limit the school still fits under is the most specific one.
        fitting = [key for key in keys if key.isdigit() and facts.school_size <= int(key)]
        return min(fitting, key=int) if fitting else None
    if factor == Factor.RURAL:
        return facts.municipality_kind if facts.municipality_kind in keys else None
    return None


def explain(
    facts: PupilFacts, base_amount: Decimal, coefficients: Coefficients
) -> tuple[Decimal, list[dict[str, Any]]]:
    """(amount in cents, the steps that made it)."""
    amount = Decimal(base_amount)
    steps: list[dict[str, Any]] = [{"factor": "base", "amount": str(amount.quantize(CENT))}]
    for factor in FACTOR_ORDER:
        keys = coefficients.get(factor, {})
        key = matching_key(factor, keys, facts)
        if key is None:
            continue
        multiplier = keys[key]
        amount = amount * multiplier
        steps.append(
            {
                "factor": str(factor),
                "key": key,
                "multiplier": str(multiplier),
                "amount": str(amount.quantize(CENT, rounding=ROUND_HALF_UP)),
            }
        )
    return amount.quantize(CENT, rounding=ROUND_HALF_UP), steps


def pupil_facts(on: dt.date, institution_ids: Iterable[int]) -> list[PupilFacts]:
    """The facts of every general-education pupil of these institutions on `on`, in a fixed
    order, from four set-based queries."""
    ids = list(institution_ids)
    valid = Q(valid_from__lte=on) & (Q(valid_to__isnull=True) | Q(valid_to__gt=on))
    enrolments = Enrolment.objects.filter(valid, kind=GroupKind.GENERAL, institution_id__in=ids)
    class_sizes = dict(enrolments.values_list("group_id").annotate(n=Count("pk")).order_by())
    school_sizes = dict(enrolments.values_list("institution_id").annotate(n=Count("pk")).order_by())
    needs: dict[int, tuple[dt.date, str]] = {}
    for person_id, since, code in (
        SpecialNeeds.objects.filter(valid, person_id__in=enrolments.values("person_id"))
        .values_list("person_id", "valid_from", "level__code")
        .order_by("person_id", "valid_from", "pk")
    ):
        needs[person_id] = (since, code)  # the latest level in force wins
    rows = enrolments.values_list(
        "person_id",
        "institution_id",
        "group_id",
        "group__grade",
        "group__language",
        "institution__municipality__kind",
    ).order_by("institution_id", "person_id", "pk")
    return [
        PupilFacts(
            person_id=person_id,
            institution_id=institution_id,
            grade=grade,
            class_size=class_sizes[group_id],
            school_size=school_sizes[institution_id],
            special_needs=needs.get(person_id, (on, ""))[1],
            language=language,
            municipality_kind=kind,
        )
        for person_id, institution_id, group_id, grade, language, kind in rows
    ]


def school_year_start(on: dt.date) -> dt.date:
    return dt.date(on.year if on.month >= 9 else on.year - 1, 9, 1)


def nvs_months(on: dt.date, institution_ids: Iterable[int]) -> dict[tuple[int, int], list[str]]:
    """(person, provider) → the months of the school year up to `on` the provider marked the
    pupil's basket. The register allows one basket provider a pupil and month."""
    months: dict[tuple[int, int], list[str]] = defaultdict(list)
    for person_id, provider_id, month in (
        NvsFundingMark.objects.filter(
            basket=True,
            provider_id__in=list(institution_ids),
            month__gte=school_year_start(on),
            month__lte=on,
        )
        .values_list("person_id", "provider_id", "month")
        .order_by("provider_id", "person_id", "month")
    ):
        months[(person_id, provider_id)].append(month.strftime("%Y-%m"))
    return months
