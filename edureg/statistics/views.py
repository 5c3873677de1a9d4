"""Statistics pages: the list of reports, one report (chart, table, downloads) and its files.

A report shows counts, never people: no person is read one by one, so nothing goes to an access
log; small counts are suppressed before anything leaves the server, in the page, the chart's
data and the downloads alike. Who sees what is the statistics grant (`reports.base.scoped`).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from edureg.access.models import FunctionArea
from edureg.access.scoping import grant
from edureg.core import exports
from edureg.core.context import Actor
from edureg.core.web import add_service_errors, query_string_without_page, web_actor
from edureg.statistics import extract
from edureg.statistics.forms import ReportForm, year_choices
from edureg.statistics.reports.base import (
    PUPILS,
    Report,
    Table,
    all_reports,
    get_report,
    smallest_count,
    statistics_grant,
)


def _allowed(request: HttpRequest) -> Actor:
    actor = web_actor(request)
    if statistics_grant(actor).empty:
        raise PermissionDenied(_("You have no right to see statistics."))
    return actor


def _report(slug: str) -> Report:
    report = get_report(slug)
    if report is None:
        raise Http404
    return report


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    actor = _allowed(request)
    reports = all_reports()
    return render(
        request,
        "statistics/index.html",
        {
            "pupil_reports": [r for r in reports if r.register == PUPILS],
            "student_reports": [r for r in reports if r.register != PUPILS],
            "may_extract": extract.may_extract(actor),
            "funding": not grant(actor, [FunctionArea.FUNDING_CALCULATION]).empty,
        },
    )


def _table(request: HttpRequest, report: Report) -> tuple[ReportForm, Table | None]:
    actor = _allowed(request)
    data = request.GET if "year" in request.GET else ReportForm.default_data()
    form = ReportForm(data, report=report, actor=actor)
    if not form.is_valid():
        return form, None
    return form, report.table(actor, form.filters())


@login_required
@require_GET
def report_page(request: HttpRequest, slug: str) -> HttpResponse:
    report = _report(slug)
    form, table = _table(request, report)
    context: dict[str, Any] = {
        "report": report,
        "form": form,
        "table": table,
        "chart_json": json.dumps(table.chart_data() if table else {}, ensure_ascii=False),
        "chart_kind": report.chart,
        "query_string": query_string_without_page(request),
        "threshold": smallest_count(),
    }
    template = (
        "statistics/report_body.html"
        if request.headers.get("HX-Request") == "true"
        else "statistics/report.html"
    )
    return render(request, template, context, status=200 if table is not None else 400)


@login_required
@require_GET
def report_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    report = _report(slug)
    form, table = _table(request, report)
    if table is None:
        raise Http404
    actor = web_actor(request)
    header, *lines = table.lines()
    stem = f"{slugify(report.slug)}-{form.cleaned_data['year']}"
    # Counts only: no person in any chunk, so nothing is written to an access log.
    chunks = iter([([], lines)])
    what = f"statistics.{report.slug}"
    if fmt == "csv":
        return exports.csv_response(header, chunks, actor=actor, what=what, stem=stem)
    if fmt == "xlsx":
        return exports.xlsx_response(
            header, chunks, actor=actor, what=what, stem=stem, title=report.slug[:31]
        )
    raise Http404


class ResearchExtractForm(forms.Form):
    school_year = forms.TypedChoiceField(label=gettext_lazy("School or academic year"), coerce=int)
    agreement = forms.CharField(
        label=gettext_lazy("Data-exchange agreement"),
        max_length=200,
        help_text=gettext_lazy("The number and date of the agreement the research is done under."),
    )
    purpose = forms.CharField(label=gettext_lazy("Purpose of the research"), widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school_year"].choices = year_choices()  # type: ignore[attr-defined]


@login_required
def research_extract(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    if not extract.may_extract(actor):
        raise PermissionDenied(_("Research extracts are for analysts under an agreement."))
    form = ResearchExtractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = extract.research_extract_request(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("job-detail", public_id=job.public_id)
    return render(
        request,
        "statistics/research_extract.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
