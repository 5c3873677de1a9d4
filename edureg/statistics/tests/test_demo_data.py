"""On the demo data: every table of every bundled manifest is published with rows and with the
manifest's header, and the reports' figures agree with direct counts in the database."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F, Q
from django.utils import timezone

from edureg.pupils.models import Enrolment, GroupKind
from edureg.statistics.opendata.manifest import MANIFEST_DIR, load_datasets
from edureg.statistics.opendata.publish import publish_all, root
from edureg.statistics.reports.base import Filters, census_day, get_report, school_year_of
from edureg.statistics.tests.population import statistics_actor
from edureg.students.models import Mobility, StatusPeriod, StudyLoan, StudyRight

pytestmark = pytest.mark.django_db

SHARED = Path(__file__).resolve().parents[4] / "shared" / "reference" / "open-data"
SPEC = load_datasets(SHARED if SHARED.is_dir() else MANIFEST_DIR)


def valid_on(day, prefix=""):
    return Q(**{f"{prefix}valid_from__lte": day}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": day})
    )


def test_demo_data_fills_every_manifest_table_and_the_reports_match_direct_counts():
    call_command("seed_demo", "--scale", "small", "--seed", "1", stdout=StringIO())

    # Every table of every manifest has rows, under exactly the manifest's header
    publications = {p.dataset: p for p in publish_all()}
    assert set(publications) == set(SPEC)
    for name, dataset in SPEC.items():
        for model in dataset.models:
            assert publications[name].tables[model.name] > 0, f"{name} {model.name} is empty"
            path = root() / publications[name].directory / model.file_name
            with path.open(encoding="utf-8", newline="") as handle:
                assert next(csv.reader(handle)) == model.property_names

    # The reports count what a direct query counts
    year = school_year_of(timezone.localdate())
    start, end = f"{year}-09-01", f"{year + 1}-09-01"
    census = census_day(year)
    agency = statistics_actor("analyst")

    def total(slug, **filters):
        table = get_report(slug).table(agency, Filters(year=year, **filters))
        return sum(sum(row) for row in table.raw)

    assert (
        total("pupils")
        == Enrolment.objects.filter(valid_on(census), kind=GroupKind.GENERAL).count()
    )
    assert total("movement") == (
        Enrolment.objects.filter(
            kind=GroupKind.GENERAL,
            transferred_to__isnull=False,
            valid_to__gte=start,
            valid_to__lt=end,
        )
        .exclude(transferred_to__institution=F("institution"))
        .count()
    )
    assert (
        total("departures")
        == Enrolment.objects.filter(
            kind=GroupKind.GENERAL,
            departure_reason__isnull=False,
            valid_to__gte=start,
            valid_to__lt=end,
        ).count()
    )
    active = StatusPeriod.objects.filter(
        valid_on(census), status__in=("studying", "academic_leave")
    )
    assert total("students") == active.values("study_right").distinct().count() > 0
    assert (
        total("mobility")
        == Mobility.objects.filter(valid_from__gte=start, valid_from__lt=end).count()
    )
    assert (
        total("loans")
        == StudyLoan.objects.filter(granted_on__gte=start, granted_on__lt=end).count()
    )
    assert (
        total("completions")
        == StudyRight.objects.filter(
            transferred_from__isnull=True, started_on__gte=f"{year - 5}-09-01", started_on__lt=end
        ).count()
    )

    # A municipality's view is the part of the national figures in its territory
    vilnius = statistics_actor("vilnius-analyst", municipality_code="LT-57")
    town = get_report("pupils").table(vilnius, Filters(year=year))
    assert (
        sum(map(sum, town.raw))
        == Enrolment.objects.filter(
            valid_on(census), kind=GroupKind.GENERAL, institution__municipality__code="LT-57"
        ).count()
    )
