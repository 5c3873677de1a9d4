"""Statistics pages: who may open them, what the page, the chart data and the files hold."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from conftest import make_user
from edureg.statistics.reports.base import all_reports
from edureg.statistics.tests.population import (
    KAUNAS,
    VILNIUS,
    YEAR,
    enrol,
    klass,
    school,
    statistics_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def population():
    vilnius, kaunas = school(VILNIUS), school(KAUNAS)
    enrol(klass(vilnius, "5"), 7)
    enrol(klass(vilnius, "6"), 2)
    enrol(klass(kaunas, "5"), 6)
    enrol(klass(kaunas, "6"), 8)
    return vilnius


def chart_data(html: str) -> dict:
    found = re.search(
        r'<script type="application/json" id="report-chart-data">(.*?)</script>', html, re.S
    )
    assert found, "the page carries its chart's data"
    return json.loads(found.group(1))


def test_without_a_statistics_role_the_pages_are_refused(client):
    client.force_login(make_user("nobody"))
    assert client.get("/statistics/").status_code == 403
    assert client.get("/statistics/pupils/").status_code == 403


def test_every_report_opens_for_the_agency(client, population):
    client.force_login(statistics_user("analyst"))
    index = client.get("/statistics/")
    assert index.status_code == 200
    for report in all_reports():
        assert f'href="/statistics/{report.slug}/"' in index.content.decode()
        page = client.get(f"/statistics/{report.slug}/?year={YEAR}")
        assert page.status_code == 200, report.slug
    assert client.get("/statistics/no-such-report/").status_code == 404
    assert client.get("/statistics/pupils/?year=1900").status_code == 400


def test_the_page_chart_and_downloads_show_the_same_suppressed_figures(client, population):
    client.force_login(statistics_user("analyst"))
    query = f"?year={YEAR}"

    page = client.get("/statistics/pupils/" + query, HTTP_ACCEPT_LANGUAGE="lt")
    html = page.content.decode()
    data = chart_data(html)
    assert data["labels"] == ["Kauno miesto savivaldybė", "Vilniaus miesto savivaldybė"]
    # Hidden counts reach the chart as gaps, not numbers
    assert [d["data"] for d in data["datasets"]] == [[None, None], [None, None]]
    assert '<td class="number"><strong>23</strong></td>' in html
    assert 'data-kind="bar"' in html

    csv_response = client.get("/statistics/pupils/export.csv" + query, HTTP_ACCEPT_LANGUAGE="lt")
    lines = list(
        csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")))
    )
    assert lines == [
        ["Savivaldybė", "5 klasė", "6 klasė", "Iš viso"],
        ["Kauno miesto savivaldybė", "paslėpta", "paslėpta", "14"],
        ["Vilniaus miesto savivaldybė", "paslėpta", "paslėpta", "9"],
        ["Iš viso", "13", "10", "23"],
    ]

    xlsx = client.get("/statistics/pupils/export.xlsx" + query, HTTP_ACCEPT_LANGUAGE="lt")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)][-1] == ["Iš viso", 13, 10, 23]


def test_htmx_gets_the_figures_only_and_a_school_its_own(client, population):
    client.force_login(statistics_user("school", institution=population))
    partial = client.get(f"/statistics/pupils/?year={YEAR}", HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert "<html" not in html
    assert chart_data(html)["labels"] == ["Vilniaus miesto savivaldybė"]
    # One school: no municipality to choose
    full = client.get(f"/statistics/pupils/?year={YEAR}").content.decode()
    assert 'name="municipality"' not in full
    assert 'name="year"' in full
