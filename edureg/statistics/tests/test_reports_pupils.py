"""Pupil Register reports on a small known population: exact figures, suppression, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from edureg.pupils import services
from edureg.pupils.models import Enrolment, GroupKind
from edureg.statistics.reports.base import Filters, get_report
from edureg.statistics.tests.population import (
    KAUNAS,
    SEPT_1,
    SYSTEM,
    VILNIUS,
    YEAR,
    child,
    enrol,
    klass,
    municipality,
    reason,
    school,
    statistics_actor,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lithuanian():
    with translation.override("lt"):
        yield


def table(slug, actor, **filters):
    return get_report(slug).table(actor, Filters(year=YEAR, **filters))


def test_pupils_by_grade_and_municipality_with_a_small_cell_hidden_and_complemented():
    # Given a Vilnius school with 7 pupils in grade 5 and 2 in grade 6, and a Kaunas school
    # with 6 and 8, all enrolled on 1 September
    vilnius, kaunas = school(VILNIUS), school(KAUNAS)
    enrol(klass(vilnius, "5"), 7)
    enrol(klass(vilnius, "6"), 2)
    enrol(klass(kaunas, "5"), 6)
    enrol(klass(kaunas, "6"), 8)
    agency = statistics_actor("analyst")

    # When the agency opens the report
    shown = table("pupils", agency)

    # Then the figures are exact, the 2 is hidden, and so is every cell that would give it away
    # (in a 2 × 2 table all four); the totals stay
    assert shown.rows == ["Kauno miesto savivaldybė", "Vilniaus miesto savivaldybė"]
    assert shown.columns == ["5 klasė", "6 klasė"]
    assert shown.raw == [[6, 8], [7, 2]]
    assert shown.cells == [[None, None], [None, None]]
    assert shown.row_totals == [14, 9]
    assert shown.column_totals == [13, 10]
    assert shown.total == 23 == Enrolment.objects.filter(kind=GroupKind.GENERAL).count()


def test_a_school_sees_its_own_pupils_and_a_municipality_its_territory(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    vilnius, other_vilnius, kaunas = school(VILNIUS), school(VILNIUS), school(KAUNAS)
    enrol(klass(vilnius, "1"), 3)
    enrol(klass(other_vilnius, "1", language="pl"), 2)
    enrol(klass(kaunas, "1"), 4)

    own = table("pupils", statistics_actor("school", institution=vilnius))
    assert (own.rows, own.total) == (["Vilniaus miesto savivaldybė"], 3)

    territory = table(
        "pupils", statistics_actor("town", municipality_code=VILNIUS), rows="language"
    )
    assert territory.rows == ["Lenkų", "Lietuvių"]
    assert territory.raw == [[2], [3]]


def test_filters_narrow_by_level_municipality_and_institution_type(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    vilnius = school(VILNIUS)
    enrol(klass(vilnius, "2"), 2)
    enrol(klass(vilnius, "11"), 3)
    enrol(klass(school(KAUNAS), "11"), 4)
    agency = statistics_actor("analyst")

    assert table("pupils", agency, level="secondary").total == 7
    assert table("pupils", agency, level="primary").total == 2
    assert table("pupils", agency, municipality=municipality(KAUNAS)).total == 4
    assert table("pupils", agency, rows="institution").rows[0].startswith("Vilniaus „Saulės“")


def test_movement_from_school_to_school_between_municipalities(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    # Given three pupils who moved from Vilnius to Kaunas and one within Vilnius in January
    vilnius, vilnius_2, kaunas = school(VILNIUS), school(VILNIUS), school(KAUNAS)
    first = enrol(klass(vilnius, "7"), 4)
    kaunas_7, vilnius_2_7 = klass(kaunas, "7"), klass(vilnius_2, "7")
    january = dt.date(YEAR + 1, 1, 15)
    for enrolment in first[:3]:
        services.pupil_enrol(
            actor=SYSTEM, person=enrolment.person, group=kaunas_7, valid_from=january, transfer=True
        )
    services.pupil_enrol(
        actor=SYSTEM, person=first[3].person, group=vilnius_2_7, valid_from=january, transfer=True
    )

    # When a Kaunas analyst opens the movement report (their territory: moves in and out)
    kaunas_view = table("movement", statistics_actor("kaunas", municipality_code=KAUNAS))
    national = table("movement", statistics_actor("agency"))

    # Then Kaunas sees the three moves into it, the agency all four
    assert (kaunas_view.rows, kaunas_view.columns, kaunas_view.raw) == (
        ["Vilniaus miesto savivaldybė"],
        ["Kauno miesto savivaldybė"],
        [[3]],
    )
    assert national.raw == [[3, 1]]
    assert national.columns == ["Kauno miesto savivaldybė", "Vilniaus miesto savivaldybė"]
    # The next year counts none of them
    assert get_report("movement").table(statistics_actor("a2"), Filters(year=YEAR + 1)).empty


def test_departures_by_reason_and_grade(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    abroad = reason("moved-abroad", "Išvyko į užsienį", "Moved abroad")
    family = reason("family-learning", "Pradėjo mokytis šeimoje", "Family learning")
    pupils = enrol(klass(school(), "3"), 3) + enrol(klass(school(), "8"), 1)
    for enrolment, why in zip(pupils, (abroad, abroad, family, abroad), strict=True):
        services.pupil_depart(
            actor=SYSTEM, enrolment=enrolment, on=dt.date(YEAR + 1, 3, 1), reason=why
        )

    shown = table("departures", statistics_actor("analyst"))

    assert shown.rows == ["Išvyko į užsienį", "Pradėjo mokytis šeimoje"]
    assert shown.columns == ["3 klasė", "8 klasė"]
    assert shown.raw == [[2, 1], [1, 0]]


def test_children_not_enrolled_by_municipality_and_age(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    vilnius = municipality(VILNIUS)
    # Given, declared in Vilnius: two 10-year-olds not at school, one at school, one 5-year-old
    for _i in range(2):
        child(born=dt.date(2014, 1, 1), declared_municipality=vilnius)
    enrol(klass(school(), "4"), 1, born=dt.date(2014, 1, 1), declared_municipality=vilnius)
    child(born=dt.date(2019, 1, 1), declared_municipality=vilnius)

    town = table("not-enrolled", statistics_actor("town", municipality_code=VILNIUS))
    school_view = table("not-enrolled", statistics_actor("school", institution=school()))

    assert town.rows == ["Vilniaus miesto savivaldybė"]
    assert town.columns[town.raw[0].index(2)] == "10"
    assert town.total == 2
    # A school's statistics do not cover a town's children
    assert school_view.empty


def test_nvs_basket_pupils_per_month_and_participation(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    provider = school(KAUNAS)
    nvs = klass(provider, "", kind=GroupKind.NVS)
    enrolments = enrol(nvs, 2)
    months = [dt.date(YEAR, 9, 1), dt.date(YEAR, 10, 1)]
    services.nvs_funding_mark(
        actor=SYSTEM, person=enrolments[0].person, provider=provider, months=months, basket=True
    )
    services.nvs_funding_mark(
        actor=SYSTEM, person=enrolments[1].person, provider=provider, months=months[1:], basket=True
    )
    agency = statistics_actor("analyst")

    basket = table("nvs-basket", agency)
    participation = table("nvs-participation", agency)

    assert (basket.rows, basket.columns, basket.raw) == (
        ["Kauno miesto savivaldybė"],
        ["2024-09", "2024-10"],
        [[1, 2]],
    )
    assert participation.total == 2


def test_the_census_day_counts_who_was_enrolled_on_1_october(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    group = klass(school(), "9")
    enrol(group, 2)
    enrol(group, 1, on=dt.date(YEAR, 10, 2))  # came after the census day
    assert dt.date(YEAR, 10, 1) > SEPT_1
    assert table("pupils", statistics_actor("analyst")).total == 2
