"""Demo data of the statistics app: the funding rules of the current school year.

The coefficients are illustrative (the shape of the real methodology, not its numbers); the
agency edits them, as new versions, in the back office.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from edureg.core.audit import bulk_create_with_audit
from edureg.statistics.funding.calculation import school_year_start
from edureg.statistics.funding.models import Factor, FundingCoefficient, FundingRuleSet

COEFFICIENTS = (
    (Factor.PROGRAMME_LEVEL, "preschool", "1.00"),
    (Factor.PROGRAMME_LEVEL, "preprimary", "1.05"),
    (Factor.PROGRAMME_LEVEL, "primary", "1.00"),
    (Factor.PROGRAMME_LEVEL, "basic", "1.10"),
    (Factor.PROGRAMME_LEVEL, "secondary", "1.20"),
    (Factor.CLASS_SIZE, "1-10", "1.25"),
    (Factor.CLASS_SIZE, "11-20", "1.10"),
    (Factor.CLASS_SIZE, "21-", "1.00"),
    (Factor.SPECIAL_NEEDS, "small", "1.20"),
    (Factor.SPECIAL_NEEDS, "moderate", "1.50"),
    (Factor.SPECIAL_NEEDS, "large", "2.00"),
    (Factor.SPECIAL_NEEDS, "very-large", "2.50"),
    (Factor.MINORITY_LANGUAGE, "minority", "1.10"),
    (Factor.SMALL_SCHOOL, "150", "1.15"),
    (Factor.RURAL, "district", "1.05"),
)


def funding_rules_seed() -> FundingRuleSet:
    """The current school year's rules, version 1, unless there are some already."""
    year = school_year_start(timezone.localdate()).year
    existing = FundingRuleSet.objects.filter(school_year=year).first()
    if existing is not None:
        return existing
    rules = FundingRuleSet.objects.create(
        school_year=year,
        version=1,
        name="Mokymo lėšų apskaičiavimo metodika (demonstracinė)",
        base_amount=Decimal("1450.00"),
        nvs_basket_amount=Decimal("15.00"),
    )
    bulk_create_with_audit(
        FundingCoefficient,
        [
            FundingCoefficient(rule_set=rules, factor=f, key=k, multiplier=Decimal(m))
            for f, k, m in COEFFICIENTS
        ],
    )
    return rules
