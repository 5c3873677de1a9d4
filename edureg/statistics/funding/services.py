"""Writes of the funding calculation: rule set versions and dated runs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import require
from edureg.core.context import Actor, acting_as
from edureg.institutions.models import Institution, Municipality
from edureg.statistics.funding import calculation
from edureg.statistics.funding.models import (
    FundingCoefficient,
    FundingRuleSet,
    FundingRun,
    FundingRunLine,
    LineKind,
)

AREA = FunctionArea.FUNDING_CALCULATION


def rule_set_check_editable(rule_set: FundingRuleSet) -> None:
    """A version a run has used is frozen: old runs must stay explainable by their rules."""
    if rule_set.pk is not None and FundingRun.objects.filter(rule_set_id=rule_set.pk).exists():
        raise ValidationError(
            _(
                "Calculations have used this version of the rules, so it cannot be changed. "
                "Make a new version instead."
            )
        )


@transaction.atomic
def rule_set_new_version(*, actor: Actor, rule_set: FundingRuleSet) -> FundingRuleSet:
    """A copy of the rule set and its coefficients as the next version of its school year."""
    require(actor, AREA, Level.MANAGER, national=True)
    number = (
        FundingRuleSet.objects.filter(school_year=rule_set.school_year).aggregate(n=Max("version"))[
            "n"
        ]
        or 0
    ) + 1
    with acting_as(actor):
        copy = FundingRuleSet.objects.create(
            school_year=rule_set.school_year,
            version=number,
            name=rule_set.name,
            base_amount=rule_set.base_amount,
            nvs_basket_amount=rule_set.nvs_basket_amount,
            note=rule_set.note,
        )
        for coefficient in rule_set.coefficients.all():
            FundingCoefficient.objects.create(
                rule_set=copy,
                factor=coefficient.factor,
                key=coefficient.key,
                multiplier=coefficient.multiplier,
            )
    return copy


def rule_set_for(on: dt.date) -> FundingRuleSet | None:
    """The latest version of the rules of the school year `on` falls in."""
    year = calculation.school_year_start(on).year
    return FundingRuleSet.objects.filter(school_year=year).order_by("-version").first()


def _check_scope(
    actor: Actor, institution: Institution | None, municipality: Municipality | None
) -> None:
    given = require(actor, AREA, Level.MANAGER)
    if given.national:
        return
    if municipality is not None and municipality.pk in given.municipality_ids:
        return
    if institution is not None and (
        institution.pk in given.institution_ids
        or institution.municipality_id in given.municipality_ids
    ):
        return
    raise PermissionDenied(_("You may not calculate the funding of this school or municipality."))


@transaction.atomic
def funding_run_create(
    *,
    actor: Actor,
    on: dt.date,
    institution: Institution | None = None,
    municipality: Municipality | None = None,
    rule_set: FundingRuleSet | None = None,
) -> FundingRun:
    """Calculate the per-pupil funding for `on` of one school (with its branches) or one
    municipality's schools, and the NVŠ basket funding of the providers there, with the latest
    rules of that school year unless a version is given. Stored as a dated run linked to the
    previous run of the same scope, for comparison."""
    if (institution is None) == (municipality is None):
        raise ValidationError({"institution": [_("Choose a school or a municipality.")]})
    _check_scope(actor, institution, municipality)
    rules = rule_set or rule_set_for(on)
    if rules is None:
        raise ValidationError(
            {"on": [_("There are no funding rules for the school year of this date.")]}
        )
    if calculation.school_year_start(on).year != rules.school_year:
        raise ValidationError({"on": [_("The date is outside the school year of these rules.")]})
    if institution is not None:
        institution_ids = [institution.pk, *institution.branches.values_list("pk", flat=True)]
    else:
        institution_ids = list(
            Institution.objects.filter(municipality=municipality).values_list("pk", flat=True)
        )
    coefficients: dict[str, dict[str, Decimal]] = {}
    for coefficient in rules.coefficients.all():
        coefficients.setdefault(coefficient.factor, {})[coefficient.key] = coefficient.multiplier
    previous = (
        FundingRun.objects.filter(institution=institution, municipality=municipality)
        .order_by("-created_at", "-pk")
        .first()
    )
    run = FundingRun.objects.create(
        rule_set=rules,
        calculated_for=on,
        institution=institution,
        municipality=municipality,
        created_by=actor.user,
        total=Decimal(0),
        nvs_total=Decimal(0),
        previous=previous,
    )
    lines = []
    total = Decimal(0)
    for facts in calculation.pupil_facts(on, institution_ids):
        amount, steps = calculation.explain(facts, rules.base_amount, coefficients)
        total += amount
        lines.append(
            FundingRunLine(
                run=run,
                kind=LineKind.PUPIL,
                person_id=facts.person_id,
                institution_id=facts.institution_id,
                amount=amount,
                explanation={"facts": _facts_shown(facts), "steps": steps},
            )
        )
    nvs_total, pupil_months = Decimal(0), 0
    for (person_id, provider_id), months in calculation.nvs_months(on, institution_ids).items():
        amount = (rules.nvs_basket_amount * len(months)).quantize(calculation.CENT)
        nvs_total += amount
        pupil_months += len(months)
        lines.append(
            FundingRunLine(
                run=run,
                kind=LineKind.NVS,
                person_id=person_id,
                institution_id=provider_id,
                amount=amount,
                explanation={"months": months, "per_month": str(rules.nvs_basket_amount)},
            )
        )
    FundingRunLine.objects.bulk_create(lines, batch_size=2000)
    run.pupils = sum(1 for line in lines if line.kind == LineKind.PUPIL)
    run.total = total
    run.nvs_total = nvs_total
    run.nvs_pupil_months = pupil_months
    run.save(update_fields=["pupils", "total", "nvs_total", "nvs_pupil_months"])
    return run


def _facts_shown(facts: calculation.PupilFacts) -> dict[str, object]:
    return {
        "grade": facts.grade,
        "class_size": facts.class_size,
        "school_size": facts.school_size,
        "special_needs": facts.special_needs,
        "language": facts.language,
        "municipality_kind": facts.municipality_kind,
    }
