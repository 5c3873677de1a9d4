"""The archive's pages: lawful search, an archived record, restore, the retention rules and the
daily runs' reports. Only the agency's archive users reach them (see `selectors`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from edureg.access.models import Level
from edureg.archive import selectors, services
from edureg.archive.forms import ArchiveRestoreForm, ArchiveSearchForm
from edureg.core.web import add_service_errors, web_actor


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """A lawful search: by POST, so no personal code is ever in a URL."""
    actor = web_actor(request)
    if not selectors.may_use_archive(actor):
        raise PermissionDenied(_("You have no right to use the archive."))
    form = ArchiveSearchForm(request.POST or None)
    context: dict[str, Any] = {"form": form, "searched": None, "records": []}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found_search, records = selectors.archive_search(
                actor=actor,
                legal_basis=data["legal_basis"],
                reason=data["reason"],
                personal_code=data["personal_code"],
                family_name=data["family_name"],
                birth_date=data["birth_date"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            context.update(searched=found_search, records=records)
    return render(request, "archive/search.html", context)


@login_required
@require_GET
def record(request: HttpRequest, public_id: Any) -> HttpResponse:
    """An archived record, opened under the basis and reason of the search that found it."""
    actor = web_actor(request)
    found_by = selectors.archive_search_of(actor=actor, public_id=request.GET.get("search"))
    archived, rows, moves = selectors.archived_record_open(
        actor=actor, public_id=public_id, search=found_by
    )
    return render(
        request,
        "archive/record.html",
        {
            "record": archived,
            "rows": rows,
            "moves": moves,
            "search": found_by,
            "restore_form": ArchiveRestoreForm(),
            "may_restore": selectors.may_use_archive(actor, Level.MANAGER),
        },
    )


@login_required
@require_POST
def restore(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Restore an archived record to the live register (`services.archive_restore`)."""
    actor = web_actor(request)
    archived = selectors.archived_record_for_restore(actor=actor, public_id=public_id)
    form = ArchiveRestoreForm(request.POST)
    if form.is_valid():
        try:
            services.archive_restore(
                actor=actor, record=archived, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The record is back in the live register."))
            if archived.person_public_id:
                return redirect("people:detail", archived.person_public_id)
            return redirect("archive:search")
    return render(
        request, "archive/restore_failed.html", {"record": archived, "form": form}, status=400
    )


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    return render(
        request,
        "archive/rules.html",
        {
            "rules": selectors.retention_rules(actor=actor),
            "tombstones": selectors.tombstones(actor=actor)[:50],
        },
    )


@login_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    """The daily runs' reports: what moved, as counts per kind of record."""
    actor = web_actor(request)
    return render(
        request, "archive/runs.html", {"runs": selectors.retention_runs(actor=actor)[:100]}
    )
