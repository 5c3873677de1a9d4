"""The agency's pages for agreements and written requests: list, record, read (with its
versions), amend, suspend, resume and end. One small view per legal action, each calling its
service; the selectors answer 404 to anyone but the agency."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edureg.access.api.fieldscope import DATASET_LABELS, dataset_fields
from edureg.core.audit import changes_of
from edureg.core.history import who_changed
from edureg.core.web import add_service_errors, query_string_without_page, web_actor
from edureg.exchange.agreement_models import Agreement
from edureg.exchange.agreements import selectors, services
from edureg.exchange.agreements.forms import AgreementFilterForm, AgreementForm, StatusForm

PAGE_SIZE = 50


@login_required
def agreement_list(request: HttpRequest) -> HttpResponse:
    actor = web_actor(request)
    filters = AgreementFilterForm(request.GET or None)
    query = status = ""
    if filters.is_valid():
        query, status = filters.cleaned_data["q"], filters.cleaned_data["status"]
    agreements = selectors.agreement_list(actor=actor, query=query, status=status)
    page = Paginator(agreements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/agreements/list.html",
        {
            "filters": filters,
            "page_obj": page,
            "query_string": query_string_without_page(request),
            "may_manage": selectors.agreement_may_manage(actor=actor),
        },
    )


def _manager_or_403(request: HttpRequest) -> Any:
    actor = web_actor(request)
    selectors.agreement_list(actor=actor)  # 404 to anyone but the agency
    if not selectors.agreement_may_manage(actor=actor):
        raise PermissionDenied(_("You may view agreements but not change them."))
    return actor


@login_required
def agreement_create(request: HttpRequest) -> HttpResponse:
    actor = _manager_or_403(request)
    clients = selectors.client_choices(actor=actor)
    form = AgreementForm(request.POST or None, clients=clients)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(actor=actor, **form.service_values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The agreement was recorded."))
            return redirect("agreements:detail", public_id=agreement.public_id)
    return render(
        request,
        "exchange/agreements/form.html",
        {"form": form, "title": _("New data-provision agreement or written request")},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def agreement_amend(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = web_actor(request)
    agreement = selectors.agreement_get(actor=actor, public_id=public_id)
    actor = _manager_or_403(request)
    clients = selectors.client_choices(actor=actor)
    form = AgreementForm(request.POST or None, clients=clients, agreement=agreement)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        chosen = values.pop("clients")
        try:
            services.agreement_amend(
                actor=actor, agreement=agreement, changes=values, clients=chosen
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The amendment was recorded as a new version."))
            return redirect("agreements:detail", public_id=agreement.public_id)
    return render(
        request,
        "exchange/agreements/form.html",
        {
            "form": form,
            "agreement": agreement,
            "title": _("Amend %(agreement)s") % {"agreement": agreement},
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _scope_lines(agreement: Agreement) -> list[tuple[str, list[str]]]:
    lines = []
    for dataset, names in (agreement.scope or {}).items():
        labels = dataset_fields(dataset)
        lines.append((str(DATASET_LABELS.get(dataset, dataset)), [labels.get(n, n) for n in names]))
    return lines


def _who(version: Any) -> str:
    return who_changed(version.history_user, version.history_actor)


def _changed_words(changed: dict[str, Any]) -> list[str]:
    words = []
    for name in sorted(changed):
        try:
            words.append(str(Agreement._meta.get_field(name.removesuffix("_id")).verbose_name))
        except FieldDoesNotExist:
            continue
    return words


def _detail(
    request: HttpRequest, agreement: Agreement, status_form: StatusForm | None = None
) -> HttpResponse:
    actor = web_actor(request)
    versions = list(selectors.agreement_versions(actor=actor, agreement=agreement)[:50])
    changes = changes_of("exchange.agreement", [v.history_id for v in versions])
    return render(
        request,
        "exchange/agreements/detail.html",
        {
            "agreement": agreement,
            "status_label": agreement.status_label(),
            "status_now": agreement.status_on(),
            "scope_lines": _scope_lines(agreement),
            "versions": [
                (v, _who(v), _changed_words(changes.get(v.history_id, {}))) for v in versions
            ],
            "status_form": status_form or StatusForm(),
            "may_manage": selectors.agreement_may_manage(actor=actor),
        },
        status=400 if status_form is not None else 200,
    )


@login_required
def agreement_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    agreement = selectors.agreement_get(actor=web_actor(request), public_id=public_id)
    return _detail(request, agreement)


def _status_change(
    request: HttpRequest, public_id: uuid.UUID, service: Callable[..., Agreement], done: str
) -> HttpResponse:
    """Form → service → redirect; the service's refusal back onto the detail page's form."""
    agreement = selectors.agreement_get(actor=web_actor(request), public_id=public_id)
    actor = _manager_or_403(request)
    form = StatusForm(request.POST)
    form.is_valid()
    try:
        service(actor=actor, agreement=agreement, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _detail(request, agreement, form)
    messages.success(request, done)
    return redirect("agreements:detail", public_id=agreement.public_id)


@login_required
@require_POST
def agreement_suspend(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _status_change(
        request, public_id, services.agreement_suspend, _("The agreement was suspended.")
    )


@login_required
@require_POST
def agreement_resume(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _status_change(
        request, public_id, services.agreement_resume, _("The agreement applies again.")
    )


@login_required
@require_POST
def agreement_end(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return _status_change(request, public_id, services.agreement_end, _("The agreement ended."))
