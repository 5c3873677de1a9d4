"""The agency's page of the inbound feeds: upload a feed's file (as the file drop would bring
it), the latest runs of every feed, one run's rows and its error report.

The feeds are the agency's: running one needs the data-exchange area (data-provision
agreements) at the national manager level, reading their runs its viewer level; anyone else
gets 403 (the page says nothing about persons to them)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from edureg.access.models import FunctionArea, Level
from edureg.access.scoping import require
from edureg.core.context import Actor
from edureg.core.web import add_service_errors, web_actor
from edureg.exchange.feeds.base import feed_of, feed_run_start, feeds
from edureg.exchange.import_models import FeedKind, ImportRun, RowOutcome
from edureg.exchange.imports import reports

PAGE = 50


def feed_runs(*, actor: Actor):  # type: ignore[no-untyped-def]
    """Every feed's runs, newest first, for the agency (403 for anyone else)."""
    require(actor, FunctionArea.AGREEMENTS, Level.VIEWER, national=True)
    return ImportRun.objects.filter(kind__in=FeedKind.values).select_related("job")


def feed_run_for(*, actor: Actor, public_id: object) -> ImportRun:
    run = feed_runs(actor=actor).filter(public_id=public_id).first()
    if run is None:
        raise Http404
    return run


class FeedUploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Feed"), choices=FeedKind.choices)
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV, XLSX (Excel) or JSON Lines; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.jsonl,.ndjson"}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def feed_list(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    runs = feed_runs(actor=actor)
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(actor, FunctionArea.AGREEMENTS, Level.MANAGER, national=True)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = feed_run_start(
                    feed=feed_of(form.cleaned_data["kind"]),
                    stream=upload,
                    file_name=upload.name,
                    owner=actor,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("feeds:detail", public_id=run.public_id)
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "runs": runs[:20],
        "feeds": [(f.name, f.source_system, f.slug, f.required, f.optional) for f in feeds()],
    }
    return render(request, "exchange/feeds/list.html", context, status=status)


@login_required
def feed_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = web_actor(request)
    run = feed_run_for(actor=actor, public_id=public_id)
    shown = request.GET.get("outcome", "")
    page = Paginator(reports.rows_shown(run, shown), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/feeds/detail.html",
        {
            "run": run,
            "own": run.owner_label == actor.label,  # a job is followed by its owner only
            "page_obj": page,
            "outcomes": RowOutcome.choices,
            "shown": shown,
        },
    )


@login_required
def feed_report(request: HttpRequest, public_id: str, extension: str) -> HttpResponse:
    """A run's refused rows as CSV or XLSX."""
    actor = web_actor(request)
    run = feed_run_for(actor=actor, public_id=public_id)
    return reports.report_response(run, extension)
