"""The work pages of the programmes register: a provider's users draft and submit their
institution's programmes; the registrar asks for changes, rejects, registers and deregisters.

Every read goes through the scoped selectors (another provider's programme is 404) and every
action is one POST calling one service, which checks the rights (403 when in scope but not
allowed). What the pages show as possible actions is only a convenience; the services decide.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from edureg.core.context import Actor
from edureg.core.upsert import StaleVersion
from edureg.programmes import selectors, services
from edureg.programmes.models import (
    Programme,
    ProgrammeStatus,
    ProgrammeVersion,
    VersionStatus,
)
from edureg.programmes.work_forms import (
    DeregisterForm,
    ProgrammeDraftForm,
    RejectForm,
    RequestChangesForm,
    WorkFilterForm,
    module_formset,
    modules_of,
)

PAGE_SIZE = 50


def _stale_message() -> str:
    return _(
        "Someone changed this programme meanwhile; reload the page and make your changes again."
    )


# --- Helpers ----------------------------------------------------------------------------------


def _programme(actor: Actor, public_id: UUID) -> Programme:
    """The programme as the actor may see it (404 otherwise), with every version's modules."""
    programme = selectors.programme_work_get(actor=actor, public_id=public_id)
    prefetch_related_objects([programme], "versions__modules", "deregistration_reason")
    return programme


def _versions(programme: Programme) -> list[ProgrammeVersion]:
    return sorted(programme.versions.all(), key=lambda v: v.number, reverse=True)


def _open_version(programme: Programme) -> ProgrammeVersion | None:
    return next((v for v in _versions(programme) if v.status in services.OPEN_STATUSES), None)


def _awaiting_version(programme: Programme) -> ProgrammeVersion | None:
    return next((v for v in _versions(programme) if v.status == VersionStatus.SUBMITTED), None)


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's errors on the form's fields; what no field shows goes to the summary."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for field, messages_ in errors.items():
        target = field if field in form.fields else None
        for message in messages_:
            form.add_error(target, message)


def _messages_of(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _to_work_page(programme: Programme) -> HttpResponse:
    return redirect("programmes:work-detail", public_id=programme.public_id)


# --- The list ---------------------------------------------------------------------------------


@login_required
def work_list(request: HttpRequest) -> HttpResponse:
    """ "My programmes": a provider's users see their institution's programmes, drafts included;
    the registrar sees all, and can narrow them to those awaiting a decision."""
    actor = Actor.for_user(request.user)
    registrar = selectors.is_registrar(actor)
    filters = WorkFilterForm(request.GET or None, registrar=registrar)
    programmes = selectors.programme_work_list(actor=actor)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            programmes = programmes.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data.get("awaiting"):
            awaiting = ProgrammeVersion.objects.filter(status=VersionStatus.SUBMITTED)
            programmes = programmes.filter(pk__in=awaiting.values("programme_id"))
    elif filters.is_bound:
        programmes = programmes.none()
    page = Paginator(programmes.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for programme in page.object_list:
        versions = _versions(programme)
        latest = versions[0] if versions else None
        awaiting_version = _awaiting_version(programme)
        rows.append((programme, latest, awaiting_version is not None))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "programmes/work_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "rows": rows,
            "query_string": params.urlencode(),
            "may_draft": selectors.provider_choices(actor).exists(),
        },
    )


# --- Drafting ---------------------------------------------------------------------------------


@login_required
def work_new(request: HttpRequest) -> HttpResponse:
    """A provider's user starts a programme: its kind, provider, content and modules."""
    actor = Actor.for_user(request.user)
    providers = selectors.provider_choices(actor)
    if not providers.exists():
        raise PermissionDenied(_("You do not have the right to submit programmes."))
    data = request.POST if request.method == "POST" else None
    form = ProgrammeDraftForm(data, providers=providers)
    modules = module_formset(data)
    if data is not None and form.is_valid() and modules.is_valid():
        try:
            programme = services.programme_draft_create(
                actor=actor,
                provider=form.cleaned_data["provider"],
                kind=form.cleaned_data["kind"],
                modules=modules_of(modules),
                **form.content(),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved. Submit it when it is ready."))
            return _to_work_page(programme)
    return render(
        request,
        "programmes/work_form.html",
        {"form": form, "modules": modules, "programme": None},
        status=400 if form.errors or modules.total_error_count() else 200,
    )


@login_required
def work_edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Edit the open draft. The form carries the record version it was made from; if someone
    saved meanwhile, the change is refused rather than overwriting theirs."""
    actor = Actor.for_user(request.user)
    programme = _programme(actor, public_id)
    if not selectors.programme_work_rights(actor, programme).provider:
        raise PermissionDenied(_("You may view this record but not change it."))
    draft = _open_version(programme)
    if draft is None:
        messages.error(request, _("There is no draft to edit."))
        return _to_work_page(programme)
    data = request.POST if request.method == "POST" else None
    form = ProgrammeDraftForm(data, version=draft, record_version=programme.version)
    modules = module_formset(data, version=draft)
    status = 200
    if data is not None and form.is_valid() and modules.is_valid():
        try:
            services.programme_draft_update(
                actor=actor,
                programme=programme,
                expected_version=form.cleaned_data["version"],
                modules=modules_of(modules),
                **form.content(),
            )
        except StaleVersion:
            form.add_error(None, _stale_message())
            status = 409
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The draft was saved."))
            return _to_work_page(programme)
    if status == 200 and (form.errors or modules.total_error_count()):
        status = 400
    return render(
        request,
        "programmes/work_form.html",
        {"form": form, "modules": modules, "programme": programme, "draft": draft},
        status=status,
    )


# --- The work page ----------------------------------------------------------------------------


def _work_page(
    request: HttpRequest,
    actor: Actor,
    programme: Programme,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    rights = selectors.programme_work_rights(actor, programme)
    versions = _versions(programme)
    draft = _open_version(programme)
    awaiting = _awaiting_version(programme)
    current = next((v for v in versions if v.status == VersionStatus.REGISTERED), None)
    shown = draft or awaiting or current or (versions[0] if versions else None)
    registered = programme.status == ProgrammeStatus.REGISTERED
    action_forms: dict[str, forms.Form] = {
        "changes": RequestChangesForm(prefix="changes"),
        "reject": RejectForm(prefix="reject"),
        "deregister": DeregisterForm(prefix="deregister"),
        **(bound or {}),
    }
    return render(
        request,
        "programmes/work_detail.html",
        {
            "programme": programme,
            "versions": versions,
            "shown": shown,
            "draft": draft,
            "awaiting": awaiting,
            "current": current,
            "modules": list(shown.modules.all()) if shown else [],
            "may_edit": rights.provider and draft is not None,
            "may_change": rights.provider and registered and draft is None and awaiting is None,
            "may_decide": rights.registrar and awaiting is not None,
            "may_deregister": rights.registrar and registered,
            "forms": action_forms,
        },
        status=status,
    )


@login_required
def work_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    actor = Actor.for_user(request.user)
    return _work_page(request, actor, _programme(actor, public_id))


def _simple_action(
    request: HttpRequest, public_id: UUID, act: Callable[[Actor, Programme], Any], done: str
) -> HttpResponse:
    """An action without input: done, or its refusal shown on the work page."""
    actor = Actor.for_user(request.user)
    programme = _programme(actor, public_id)
    try:
        act(actor, programme)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return _to_work_page(programme)


def _form_action(
    request: HttpRequest,
    public_id: UUID,
    name: str,
    form_class: type[forms.Form],
    act: Callable[[Actor, Programme, dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """An action with input (a note, a reason): done, or the work page again with the form's
    errors."""
    actor = Actor.for_user(request.user)
    programme = _programme(actor, public_id)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            act(actor, programme, form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return _to_work_page(programme)
    return _work_page(request, actor, programme, bound={name: form}, status=400)


@login_required
@require_POST
def work_submit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _simple_action(
        request,
        public_id,
        lambda actor, programme: services.programme_submit(actor=actor, programme=programme),
        _("The programme was submitted to the registrar."),
    )


@login_required
@require_POST
def work_change(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _simple_action(
        request,
        public_id,
        lambda actor, programme: services.programme_change_start(actor=actor, programme=programme),
        _("A change was started: edit the new draft and submit it."),
    )


@login_required
@require_POST
def work_register(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _simple_action(
        request,
        public_id,
        lambda actor, programme: services.programme_register(actor=actor, programme=programme),
        _("The programme was registered."),
    )


@login_required
@require_POST
def work_request_changes(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _form_action(
        request,
        public_id,
        "changes",
        RequestChangesForm,
        lambda actor, programme, data: services.programme_request_changes(
            actor=actor, programme=programme, note=data["note"]
        ),
        _("The programme was sent back to the provider for changes."),
    )


@login_required
@require_POST
def work_reject(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _form_action(
        request,
        public_id,
        "reject",
        RejectForm,
        lambda actor, programme, data: services.programme_reject(
            actor=actor, programme=programme, reason=data["reason"]
        ),
        _("The submission was rejected."),
    )


@login_required
@require_POST
def work_deregister(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _form_action(
        request,
        public_id,
        "deregister",
        DeregisterForm,
        lambda actor, programme, data: services.programme_deregister(
            actor=actor, programme=programme, reason=data["reason"]
        ),
        _("The programme was deregistered."),
    )
