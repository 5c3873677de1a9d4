"""Student Register reports on a small known population: exact figures, the merged-interval
rule, money with suppression, cohorts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from edureg.core.models import ClassifierValue
from edureg.programmes.tests.factories import registered_study_programme
from edureg.pupils import services as pupil_services
from edureg.statistics.reports.base import Filters, get_report
from edureg.statistics.tests.population import SYSTEM, YEAR, child, klass, school, statistics_actor
from edureg.students import services
from edureg.students.models import StatusPeriod, StudyRight, StudyStatus
from edureg.students.tests.factories import funding_source, hei, open_right, termination_reason

pytestmark = pytest.mark.django_db
D = dt.date
SEPT = D(YEAR, 9, 1)


@pytest.fixture(autouse=True)
def lithuanian():
    with translation.override("lt"):
        yield


def table(slug, actor, **filters):
    return get_report(slug).table(actor, Filters(year=filters.pop("year", YEAR), **filters))


def right_with(person, programme, periods, course=1):
    """A study right with a given status history (as the services leave it)."""
    right = StudyRight.objects.create(
        person=person,
        institution=programme.provider,
        programme=programme,
        cycle="bachelor",
        form="full_time",
        started_on=periods[0][1],
        course=course,
        status=periods[-1][0],
    )
    for status, start, end, reasons in periods:
        period = StatusPeriod.objects.create(
            study_right=right, status=status, valid_from=start, valid_to=end
        )
        period.reasons.set([termination_reason(code) for code in reasons])
    return right


def test_students_by_institution_cycle_and_field_on_the_census_day(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    # Given two HEIs: 3 bachelors at one, 2 at the other, one of whom left before 1 October
    vu, ktu = hei(), hei(name_lt="Kauno technologijos universitetas")
    for _i in range(3):
        open_right(vu, started_on=SEPT)
    ktu_rights = [open_right(ktu, started_on=SEPT) for _i in range(2)]
    services.terminate(
        actor=SYSTEM,
        study_right=ktu_rights[0],
        on=D(YEAR, 9, 20),
        reasons=[termination_reason("own-request")],
    )
    agency = statistics_actor("analyst")

    shown = table("students", agency)
    by_field = table("students", agency, rows="field")

    assert shown.rows == ["Kauno technologijos universitetas", "Vilniaus universitetas"]
    assert shown.columns == ["bakalauras"]
    assert shown.raw == [[1], [3]]
    assert by_field.rows == ["Informatika"] and by_field.total == 4
    # An HEI sees its own students only
    assert table("students", statistics_actor("vu", institution=vu)).total == 3


def test_interruptions_merge_like_the_open_data_and_terminations_count_once(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    programme = registered_study_programme(hei())
    # Given two interruptions with no day of studies between them, then a termination
    # (one stage, several reasons), and another student's single interruption
    right_with(
        child(born=D(2003, 1, 1)),
        programme,
        [
            (StudyStatus.STUDYING, D(YEAR - 1, 9, 1), D(YEAR, 10, 1), ()),
            (StudyStatus.INTERRUPTED, D(YEAR, 10, 1), D(YEAR + 1, 1, 31), ("not-paying",)),
            (StudyStatus.INTERRUPTED, D(YEAR + 1, 1, 31), D(YEAR + 1, 3, 1), ("own-request",)),
            (StudyStatus.TERMINATED, D(YEAR + 1, 3, 1), None, ("own-request", "academic-debt")),
        ],
        course=2,
    )
    right_with(
        child(born=D(2003, 2, 1)),
        programme,
        [
            (StudyStatus.STUDYING, D(YEAR, 9, 1), D(YEAR, 11, 1), ()),
            (StudyStatus.INTERRUPTED, D(YEAR, 11, 1), None, ("own-request",)),
        ],
    )

    shown = table("interruptions", statistics_actor("analyst"))

    own = ClassifierValue.objects.get(
        classifier__code="study-termination-reason", code="own-request"
    )
    assert dict(zip(shown.rows, shown.raw, strict=True)) == {
        f"Pertraukimas: {own.name_lt}": [1, 0],
        "Pertraukimas: kelios priežastys": [0, 1],
        "Nutraukimas: kelios priežastys": [0, 1],
    }
    assert shown.columns == ["1", "2"]
    assert shown.total == 3


def test_transfers_completions_and_graduation_rate(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    vu, ktu = hei(), hei(name_lt="Kauno technologijos universitetas")
    rights = [open_right(vu, started_on=SEPT) for _i in range(4)]
    services.graduate(actor=SYSTEM, study_right=rights[0], on=D(YEAR + 1, 6, 30), degree="b")
    services.terminate(
        actor=SYSTEM,
        study_right=rights[1],
        on=D(YEAR + 1, 2, 1),
        reasons=[termination_reason("own-request")],
    )
    services.transfer(
        actor=SYSTEM,
        study_right=rights[2],
        on=D(YEAR + 1, 2, 1),
        institution=ktu,
        programme=registered_study_programme(ktu),
    )
    agency = statistics_actor("analyst")

    transfers = table("transfers", agency)
    cohorts = table("completions", agency)

    assert (transfers.rows, transfers.columns, transfers.raw) == (
        ["Vilniaus universitetas"],
        ["Kauno technologijos universitetas"],
        [[1]],
    )
    # The transfer's new right is not an entrant; the 2024 cohort has 4
    assert cohorts.rows == [f"{YEAR}–{YEAR + 1}"]
    assert cohorts.raw == [[1, 1, 1, 1]]
    assert cohorts.extra["Baigimo dalis"] == ["25,0 %"]


def test_loan_amounts_are_hidden_where_their_counts_are():
    # Given 6 tuition loans of 1,000 € and 2 living-costs loans of 500 €
    programme = registered_study_programme(hei())
    for kind, amount, count in (("tuition", "1000", 6), ("living", "500", 2)):
        for _i in range(count):
            services.loan_record(
                actor=SYSTEM,
                study_right=open_right(programme.provider, programme=programme, started_on=SEPT),
                kind=kind,
                amount=Decimal(amount),
                granted_on=D(YEAR, 10, 1),
                valid_from=D(YEAR, 10, 1),
            )
    agency = statistics_actor("analyst")

    counts = table("loans", agency)
    amounts = table("loans", agency, measure="amount")

    # Then the 2 living-costs loans are hidden (with the complement the table needs), and their
    # amount with them; the totals stay
    assert counts.rows == ["paskola gyvenimo išlaidoms", "paskola studijų kainai sumokėti"]
    assert counts.raw == [[2], [6]]
    assert counts.cells == [[None], [None]]
    assert counts.row_totals == [None, None]
    assert counts.total == 8
    assert amounts.cells == [[None], [None]]
    assert amounts.total == Decimal("7000")


def test_mobility_prior_education_funding_and_foreign_learners(settings):
    settings.STATISTICS_SMALLEST_COUNT = 1
    vu = hei()
    foreign = child(born=D(2004, 1, 1), citizenship="UA")
    right = open_right(vu, started_on=SEPT, person=foreign, funding_source=funding_source("11"))
    open_right(vu, started_on=SEPT, funding_source=funding_source("11"))
    services.mobility_add(
        actor=SYSTEM,
        study_right=right,
        host_institution="Universidad de Granada",
        host_country="ES",
        valid_from=D(YEAR + 1, 2, 1),
        valid_to=D(YEAR + 1, 6, 30),
        programme_name="Erasmus+",
    )
    pupil = klass(school(), "10")
    pupil_services.pupil_enrol(
        actor=SYSTEM, person=child(citizenship="UA"), group=pupil, valid_from=SEPT
    )
    agency = statistics_actor("analyst")

    mobility = table("mobility", agency)
    funding = table("funding-sources", agency)
    foreigners = table("foreign", agency)

    assert (mobility.rows, mobility.columns, mobility.raw) == (["Ispanija"], ["Erasmus+"], [[1]])
    assert funding.total == 2 and funding.columns == ["bakalauras"]
    assert (foreigners.rows, foreigners.raw) == (["Ukraina"], [[1, 1]])
