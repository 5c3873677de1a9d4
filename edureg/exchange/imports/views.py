"""The file import pages: upload, the list of one's imports, one import's rows and report."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from edureg.core.web import add_service_errors, web_actor
from edureg.exchange.import_models import ImportKind, RowOutcome
from edureg.exchange.imports import reports, services
from edureg.institutions.models import Institution

PAGE = 50


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=ImportKind.choices)
    institution = forms.ModelChoiceField(
        label=gettext_lazy("Institution"), queryset=Institution.objects.none()
    )
    source_system = forms.CharField(
        label=gettext_lazy("Source system"),
        max_length=64,
        help_text=gettext_lazy(
            "The information system the records come from, e.g. the school's diary system: "
            "its records are matched by their id in that system."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV, XLSX (Excel) or JSON Lines; the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.jsonl,.ndjson"}),
    )
    all_or_nothing = forms.BooleanField(
        label=gettext_lazy("All or nothing: apply no row if any row is refused"), required=False
    )

    def __init__(self, *args, actor, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = services.writable_institutions(actor)  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    form = UploadForm(request.POST or None, request.FILES or None, actor=actor)
    if not form.fields["institution"].queryset.exists():  # type: ignore[attr-defined]
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.import_upload(
                actor=actor,
                kind=data["kind"],
                institution=data["institution"],
                source_system=data["source_system"],
                stream=data["file"],
                file_name=data["file"].name,
                all_or_nothing=data["all_or_nothing"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("exchange:detail", public_id=run.public_id)
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "imports": services.imports_of(actor=actor)[:10],
        "columns": [
            (kind.label, services.REQUIRED[kind], services.OPTIONAL[kind]) for kind in ImportKind
        ],
    }
    return render(request, "exchange/imports/upload.html", context, status=status)


@login_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = web_actor(request)
    run = services.import_for(actor=actor, public_id=public_id)
    shown = request.GET.get("outcome", "")
    page = Paginator(reports.rows_shown(run, shown), PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/imports/detail.html",
        {"run": run, "page_obj": page, "outcomes": RowOutcome.choices, "shown": shown},
    )


@login_required
def report(request: HttpRequest, public_id: str, extension: str) -> HttpResponse:
    """The refused rows as CSV or XLSX, for the uploader only."""
    actor = web_actor(request)
    run = services.import_for(actor=actor, public_id=public_id)
    return reports.report_response(run, extension)
