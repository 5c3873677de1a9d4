"""The per-pupil funding calculation: explained per pupil, adding up, deterministic, versioned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import make_user, verified_actor, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.models import ClassifierValue
from edureg.pupils import services as pupil_services
from edureg.pupils.models import GroupKind
from edureg.statistics.funding import services
from edureg.statistics.funding.models import Factor, FundingCoefficient, FundingRuleSet, LineKind
from edureg.statistics.tests.population import (
    KAUNAS,
    SYSTEM,
    VILNIUS,
    YEAR,
    enrol,
    klass,
    municipality,
    school,
)

pytestmark = pytest.mark.django_db
ON = dt.date(YEAR, 12, 1)


def rules(base: str = "1000.00", **extra: str) -> FundingRuleSet:
    rule_set = FundingRuleSet.objects.create(
        school_year=YEAR,
        version=1,
        name="Test",
        base_amount=Decimal(base),
        nvs_basket_amount=Decimal("15.00"),
    )
    for factor, key, multiplier in (
        (Factor.PROGRAMME_LEVEL, "primary", "1.00"),
        (Factor.PROGRAMME_LEVEL, "secondary", "1.20"),
        (Factor.CLASS_SIZE, "1-3", "1.25"),
        (Factor.CLASS_SIZE, "4-", "1.00"),
        (Factor.SPECIAL_NEEDS, "large", "2.00"),
        (Factor.MINORITY_LANGUAGE, "minority", "1.10"),
    ):
        FundingCoefficient.objects.create(
            rule_set=rule_set, factor=factor, key=key, multiplier=Decimal(multiplier)
        )
    return rule_set


def funding_actor(name: str, level: str = Level.MANAGER, **scope):
    user = make_user(name)
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        function_area=FunctionArea.FUNDING_CALCULATION,
        level=level,
        **(scope or {"scope_kind": ScopeKind.NATIONAL}),
    )
    return user


@pytest.fixture
def population():
    vilnius = school(VILNIUS)
    enrol(klass(vilnius, "2"), 4)  # primary, class of 4: 1000
    small = enrol(
        klass(vilnius, "11", language="pl"), 2
    )  # secondary ×1.2, 2 pupils ×1.25, Polish ×1.1
    pupil_services.special_needs_set(
        actor=SYSTEM,
        person=small[0].person,
        institution=vilnius,
        level=ClassifierValue.objects.get(classifier__code="special-needs-level", code="large"),
        valid_from=dt.date(YEAR, 9, 1),
    )
    enrol(klass(school(KAUNAS), "2"), 5)  # another municipality: not in Vilnius's run
    return vilnius, small


def test_a_run_explains_each_pupil_and_the_lines_add_up_to_the_total(population):
    _vilnius, small = population
    rules()

    run = services.funding_run_create(actor=SYSTEM, on=ON, municipality=municipality(VILNIUS))

    lines = {line.person_id: line for line in run.lines.filter(kind=LineKind.PUPIL)}
    assert run.pupils == 6 == len(lines)
    # The secondary pupil with large needs in a class of 2, taught in Polish
    needs = lines[small[0].person_id]
    steps = needs.explanation["steps"]
    assert [s["factor"] for s in steps] == [
        "base",
        "programme_level",
        "class_size",
        "special_needs",
        "minority_language",
    ]
    assert needs.amount == Decimal("3300.00") == Decimal(steps[-1]["amount"])
    assert lines[small[1].person_id].amount == Decimal("1650.00")
    # Everyone's last step is their amount, and the amounts add up to the run's total
    assert all(
        Decimal(line.explanation["steps"][-1]["amount"]) == line.amount for line in lines.values()
    )
    assert run.total == sum(line.amount for line in lines.values()) == Decimal("8950.00")


def test_the_same_data_and_rules_give_the_same_result(population):
    rules()
    first = services.funding_run_create(actor=SYSTEM, on=ON, municipality=municipality(VILNIUS))
    second = services.funding_run_create(actor=SYSTEM, on=ON, municipality=municipality(VILNIUS))

    def answer(run):
        return [
            (line.person_id, line.amount, line.explanation)
            for line in run.lines.order_by("person_id", "kind")
        ]

    assert answer(first) == answer(second) and first.total == second.total
    assert second.previous == first


def test_a_new_rule_version_changes_new_runs_and_not_old_ones(population):
    version_1 = rules()
    old = services.funding_run_create(actor=SYSTEM, on=ON, municipality=municipality(VILNIUS))

    # The used version is frozen
    with pytest.raises(ValidationError):
        services.rule_set_check_editable(version_1)
    # A new version with a higher secondary coefficient
    version_2 = services.rule_set_new_version(actor=SYSTEM, rule_set=version_1)
    version_2.coefficients.filter(factor=Factor.PROGRAMME_LEVEL, key="secondary").update(
        multiplier=Decimal("1.50")
    )
    new = services.funding_run_create(actor=SYSTEM, on=ON, municipality=municipality(VILNIUS))

    old.refresh_from_db()
    assert (version_2.version, new.rule_set) == (2, version_2)
    assert old.rule_set == version_1 and old.total == Decimal("8950.00")
    assert new.total == Decimal("8950.00") + Decimal("4950.00") * Decimal("0.25")
    assert sum(line.amount for line in old.lines.all()) == old.total


def test_nvs_basket_funding_per_provider_from_the_marks():
    provider = school(VILNIUS)
    nvs = klass(provider, "", kind=GroupKind.NVS)
    (enrolment,) = enrol(nvs, 1)
    pupil_services.nvs_funding_mark(
        actor=SYSTEM,
        person=enrolment.person,
        provider=provider,
        months=[dt.date(YEAR, 9, 1), dt.date(YEAR, 10, 1), dt.date(YEAR + 1, 1, 1)],
        basket=True,
    )
    rules()

    run = services.funding_run_create(actor=SYSTEM, on=ON, institution=provider)

    (line,) = run.lines.filter(kind=LineKind.NVS)
    # January is after the calculation date: two months count
    assert (line.amount, line.explanation["months"]) == (Decimal("30.00"), ["2024-09", "2024-10"])
    assert (run.nvs_total, run.nvs_pupil_months) == (Decimal("30.00"), 2)


def test_only_a_manager_over_the_scope_may_calculate(population):
    rules()
    town = verified_actor(
        funding_actor(
            "kaunas", scope_kind=ScopeKind.MUNICIPALITY, municipality=municipality(KAUNAS)
        )
    )
    with pytest.raises(PermissionDenied):
        services.funding_run_create(actor=town, on=ON, municipality=municipality(VILNIUS))
    with pytest.raises(ValidationError):
        services.funding_run_create(
            actor=SYSTEM, on=dt.date(YEAR + 1, 10, 1), institution=population[0]
        )


def test_the_run_page_shows_why_this_amount_and_the_previous_run(client, population):
    rules()
    user = funding_actor("agency")
    verified_login(client, user)
    response = client.post(
        "/statistics/funding/",
        {"on": ON.isoformat(), "municipality": municipality(VILNIUS).pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "8950.00" in page
    assert "special educational needs level (large) × 2.0000 = 3000.00" in page
    assert "minority language of instruction (minority) × 1.1000 = 3300.00" in page
    second = client.post(
        "/statistics/funding/", {"on": ON.isoformat(), "municipality": municipality(VILNIUS).pk}
    )
    assert "previous" in client.get(second["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
