"""Web pages of the Student Register for an HEI's data manager (and, read-only, for those who
view students' data: the HEI's viewers, the agency).

Reads go through the scoped selectors (out of scope answers 404) and every person shown, on a
page or in an export, is written to the access log. Each action on the student card is one POST
to its own URL calling one service, which checks the rights (403 in scope without the manager
level) and the register's rules (their errors are shown on the form's fields, with status 400).
Personal codes are only ever sent by POST.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from edureg.access.models import Level
from edureg.core.collation import name_order
from edureg.core.confirm import ActWarning, WarningsNotConfirmed
from edureg.core.context import Actor
from edureg.core.history import who_changed
from edureg.core.pickers import picker_response
from edureg.core.readable import readable
from edureg.core.transactions import dry_run
from edureg.core.versions import latest_versions
from edureg.core.web import (
    CONFIRMED_WARNINGS,
    add_service_errors,
    confirmation_page,
    confirmed_warnings,
    forms_with_errors,
    is_confirmed,
    page_shown,
    query_string_without_page,
    sign_for_user,
    unsign_for_user,
)
from edureg.institutions.pickers import INSTITUTION
from edureg.people.forms import NewPersonForm, PersonalCodeLookupForm
from edureg.people.models import Person
from edureg.students import exports, selectors, services
from edureg.students.filters import StudyRightFilter
from edureg.students.forms import (
    ActionForm,
    FundingChangeForm,
    GraduateForm,
    InterruptionEndForm,
    InterruptionStartForm,
    LeaveEndForm,
    LeaveStartForm,
    LoanForm,
    MobilityForm,
    PeriodCorrectForm,
    PriorEducationForm,
    ResultForm,
    ScholarshipForm,
    StudyRightOpenForm,
    TerminateForm,
    TransferForm,
)
from edureg.students.models import (
    FundingPeriod,
    Graduation,
    StatusPeriod,
    StudyRight,
    StudyStatus,
)

PAGE_SIZE = 50
HISTORY_ROWS = 100
OPEN_TOKEN_MAX_AGE = 3600  # seconds between finding a person and opening their study right

S = StudyStatus

# --- Helpers ----------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _today() -> dt.date:
    return timezone.localdate()


def _to_card(right: StudyRight) -> HttpResponse:
    return redirect("students:card", public_id=right.public_id)


# --- The student list and its exports ---------------------------------------------------------


def _filtered(request: HttpRequest, actor: Actor) -> tuple[StudyRightFilter, QuerySet[StudyRight]]:
    """The study rights in scope narrowed by the request's filters; invalid filters find nothing
    (the form says what is wrong) rather than silently widening the result."""
    rights = (
        selectors.student_rights_in_scope(actor=actor)
        .prefetch_related("programme__versions")
        .order_by(*name_order("person__"), "-started_on", "pk")
    )
    filterset = StudyRightFilter(request.GET or None, queryset=rights)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, rights.none()
    return filterset, filterset.qs


@login_required
@require_GET
def student_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    filterset, rights = _filtered(request, actor)
    page = page_shown(
        request,
        rights,
        actor=actor,
        what="student.list",
        per_page=PAGE_SIZE,
        person_of=lambda r: r.person,
    )
    shown = page.object_list
    return render(
        request,
        "students/student_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": [(r, exports.programme_name(r)) for r in shown],
            "query_string": query_string_without_page(request),
            "may_open": selectors.managed_institutions(actor=actor).exists(),
        },
    )


@login_required
@require_GET
def student_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    actor = _actor(request)
    _filterset, rights = _filtered(request, actor)
    if fmt == "csv":
        return exports.csv_response(actor=actor, rights=rights)
    if fmt != "xlsx":
        raise Http404
    if exports.too_many_for_xlsx(rights):
        messages.error(
            request,
            _("The list has more than %(count)s rows: download it as CSV, or narrow it.")
            % {"count": exports.XLSX_MAX_ROWS},
        )
        query = query_string_without_page(request)
        return redirect(reverse("students:list") + (f"?{query}" if query else ""))
    return exports.xlsx_response(actor=actor, rights=rights)


# --- Actions on a study right -----------------------------------------------------------------

Run = Callable[[Actor, StudyRight, dict[str, Any]], Any]


def _plain(service: Callable[..., Any]) -> Run:
    """A service whose arguments are the form's fields."""
    return lambda actor, right, data: service(actor=actor, study_right=right, **data)


def _with_reasons(service: Callable[..., Any]) -> Run:
    return lambda actor, right, data: service(
        actor=actor,
        study_right=right,
        on=data["on"],
        reasons=list(data["reasons"]),
        **({CONFIRMED_WARNINGS: data[CONFIRMED_WARNINGS]} if CONFIRMED_WARNINGS in data else {}),
    )


def _transfer(actor: Actor, right: StudyRight, data: dict[str, Any]) -> StudyRight:
    return services.transfer(
        actor=actor,
        study_right=right,
        on=data["on"],
        institution=data["institution"],
        programme=data["programme"],
        form=data["form"] or None,
        course=data["course"],
        student_card_number=data["student_card_number"],
    )


def _correct(actor: Actor, right: StudyRight, data: dict[str, Any]) -> StatusPeriod:
    return services.period_correct(
        actor=actor, period=data["period"], valid_from=data["valid_from"], valid_to=data["valid_to"]
    )


def _prior_education(actor: Actor, right: StudyRight, data: dict[str, Any]) -> Any:
    return services.prior_education_add(actor=actor, study_right=right, **data)


ALWAYS = frozenset(StudyStatus.values)
OPEN_STATES = frozenset({S.STUDYING, S.ACADEMIC_LEAVE, S.INTERRUPTED})
EVENT_DATE = {"valid_from": "on", "valid_to": "on"}


@dataclass(frozen=True)
class Action:
    """One action of the student card: its URL name (and form prefix), form, service call,
    the statuses it is offered in, and the success message."""

    name: str
    title: Promise
    form: type[ActionForm]
    run: Run
    done: Promise
    offered_in: frozenset[str] = ALWAYS
    rename: dict[str, str] = field(default_factory=dict)
    # Irreversible: a page says what will happen and asks to confirm first (#16 item 6).
    confirm: bool = False
    # The service may warn (unusual but lawful acts): the warnings are shown on the
    # confirmation page, and the codes the user confirmed go to the service, which records
    # them in the history.
    warns: bool = False


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "leave-start",
            gettext_lazy("Start academic leave"),
            LeaveStartForm,
            _plain(services.leave_start),
            gettext_lazy("The academic leave was recorded."),
            frozenset({S.STUDYING}),
            EVENT_DATE,
            warns=True,
        ),
        Action(
            "leave-end",
            gettext_lazy("Return from academic leave"),
            LeaveEndForm,
            _plain(services.leave_end),
            gettext_lazy("The return from academic leave was recorded."),
            frozenset({S.ACADEMIC_LEAVE}),
            EVENT_DATE,
        ),
        Action(
            "interruption-start",
            gettext_lazy("Interrupt the studies"),
            InterruptionStartForm,
            _with_reasons(services.interruption_start),
            gettext_lazy("The interruption was recorded."),
            frozenset({S.STUDYING}),
            EVENT_DATE,
            warns=True,
        ),
        Action(
            "interruption-end",
            gettext_lazy("Return after the interruption"),
            InterruptionEndForm,
            _plain(services.interruption_end),
            gettext_lazy("The return after the interruption was recorded."),
            frozenset({S.INTERRUPTED}),
            EVENT_DATE,
        ),
        Action(
            "graduate",
            gettext_lazy("Graduate"),
            GraduateForm,
            _plain(services.graduate),
            gettext_lazy("The graduation was recorded."),
            frozenset({S.STUDYING}),
            EVENT_DATE,
            confirm=True,
            warns=True,
        ),
        Action(
            "terminate",
            gettext_lazy("Terminate the studies"),
            TerminateForm,
            _with_reasons(services.terminate),
            gettext_lazy("The studies were terminated."),
            OPEN_STATES,
            EVENT_DATE,
            confirm=True,
        ),
        Action(
            "transfer",
            gettext_lazy("Transfer to another programme or institution"),
            TransferForm,
            _transfer,
            gettext_lazy("The transfer was recorded: this is the new study right."),
            frozenset({S.STUDYING}),
            EVENT_DATE,
            confirm=True,
        ),
        Action(
            "correct-period",
            gettext_lazy("Correct the dates of a period"),
            PeriodCorrectForm,
            _correct,
            gettext_lazy("The period was corrected."),
        ),
        Action(
            "funding",
            gettext_lazy("Change the funding source"),
            FundingChangeForm,
            _plain(services.funding_change),
            gettext_lazy("The funding source was changed."),
            OPEN_STATES,
        ),
        Action(
            "prior-education",
            gettext_lazy("Add prior education"),
            PriorEducationForm,
            _prior_education,
            gettext_lazy("The prior education was added."),
        ),
        Action(
            "mobility",
            gettext_lazy("Add partial studies (mobility)"),
            MobilityForm,
            _plain(services.mobility_add),
            gettext_lazy("The partial studies were added."),
        ),
        Action(
            "result",
            gettext_lazy("Add a result"),
            ResultForm,
            _plain(services.result_add),
            gettext_lazy("The result was added."),
        ),
        Action(
            "loan",
            gettext_lazy("Record a study loan"),
            LoanForm,
            _plain(services.loan_record),
            gettext_lazy("The study loan was recorded."),
        ),
        Action(
            "scholarship",
            gettext_lazy("Add a scholarship"),
            ScholarshipForm,
            _plain(services.scholarship_add),
            gettext_lazy("The scholarship was added."),
        ),
    ]
}


def _action_form(action: Action, actor: Actor, right: StudyRight, data: Any = None) -> ActionForm:
    kwargs: dict[str, Any] = {"today": _today(), "prefix": action.name}
    if action.form is TransferForm:
        kwargs["institutions"] = selectors.managed_institutions(actor=actor)
    if action.form is PeriodCorrectForm:
        kwargs["periods"] = StatusPeriod.objects.filter(study_right=right).order_by(
            "valid_from", "id"
        )
    return action.form(data, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def study_right_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponse:
    """One action on a study right: its form (GET: the card loads it when the action is
    opened, or a page of its own without JavaScript), its service (POST); errors back on the
    card."""
    actor = _actor(request)
    chosen = ACTIONS[action]
    right = selectors.study_right_get(
        actor=actor, public_id=public_id, what="student.change", level=Level.MANAGER
    )
    url = reverse(f"students:{chosen.name}", args=[right.public_id])
    if request.method == "GET":
        form = _action_form(chosen, actor, right)
        template = (
            "students/action_form.html"
            if request.headers.get("HX-Request")
            else "students/action.html"
        )
        return render(
            request, template, {"action": chosen, "form": form, "url": url, "right": right}
        )
    form = _action_form(chosen, actor, right, request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if chosen.warns:
            data[CONFIRMED_WARNINGS] = confirmed_warnings(request)
        try:
            if chosen.confirm and not is_confirmed(request):
                # What the service would do, undone: its refusals land on the form, and only
                # an act that would go through is put to the user to confirm.
                dry_run(lambda: chosen.run(actor, right, data))
                return _confirmation(request, chosen, right, form, url, [])
            outcome = chosen.run(actor, right, data)
        except WarningsNotConfirmed as unconfirmed:
            return _confirmation(request, chosen, right, form, url, unconfirmed.warnings)
        except ValidationError as exc:
            add_service_errors(form, exc, chosen.rename)
        else:
            messages.success(request, str(chosen.done))
            if isinstance(outcome, StudyRight):  # a transfer opens a new right: show it
                return _to_card(outcome)
            return _to_card(right)
    return _card(request, actor, right, bound=form, status=400)


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, QuerySet | list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _confirmation(
    request: HttpRequest,
    action: Action,
    right: StudyRight,
    form: ActionForm,
    url: str,
    warnings: list[ActWarning],
) -> HttpResponse:
    """What the action will do, in the words of its form, with the warnings it raises."""
    consequences = [
        _("%(action)s: %(name)s, %(programme)s.")
        % {"action": action.title, "name": right.person.full_name, "programme": right.programme}
    ]
    for name, bound in form.fields.items():
        shown = _shown(form.cleaned_data.get(name))
        if shown and not bound.widget.is_hidden:
            consequences.append(f"{bound.label}: {shown}")
    return confirmation_page(
        request,
        title=_("Confirm: %(action)s") % {"action": action.title},
        consequences=consequences,
        warnings=warnings,
        action_url=url,
        back_url=reverse("students:card", args=[right.public_id]),
        confirm_label=_("Confirm") if not warnings else _("Confirm despite the warnings"),
    )


# --- The student card -------------------------------------------------------------------------


def _graduation(right: StudyRight) -> Graduation | None:
    try:
        return right.graduation
    except Graduation.DoesNotExist:
        return None


def _linked(right: StudyRight, name: str) -> StudyRight | None:
    try:
        return getattr(right, name)
    except StudyRight.DoesNotExist:
        return None


HISTORY_MODELS: list[tuple[str, type[Any], str]] = [
    ("students.studyright", StudyRight, "id__in"),
    ("students.statusperiod", StatusPeriod, "study_right_id__in"),
    ("students.fundingperiod", FundingPeriod, "study_right_id__in"),
    ("students.graduation", Graduation, "study_right_id__in"),
]


def _history(rights: Iterable[StudyRight]) -> list[dict[str, Any]]:
    """Versions of the study rights the viewer sees and of their periods, funding and
    graduation, newest first, with what changed (one statement: core.versions)."""
    by_id = {r.pk: r for r in rights}
    parts = [
        (label, model.history.filter(**{lookup: list(by_id)}), lookup.removesuffix("__in"))
        for label, model, lookup in HISTORY_MODELS
    ]
    names = {label: model._meta.verbose_name for label, model, _lookup in HISTORY_MODELS}
    versions = latest_versions(parts, limit=HISTORY_ROWS)
    # A new record's "changes" are all its fields: the badge "created" says enough.
    changes = readable(
        (row["model_label"], row["changes"] if row["history_type"] == "~" else {})
        for row in versions
    )
    return [
        {
            "when": row["history_date"],
            "who": who_changed(row["user"], row["history_actor"]),
            "channel": row["history_channel"],
            "action": row["history_type"],
            "model": row["model_label"],
            "record": names[row["model_label"]],
            "right": by_id.get(row["record_id"]),
            "changes": lines,
            "note": row["history_change_reason"] or "",
        }
        for row, lines in zip(versions, changes, strict=True)
    ]


def _card(
    request: HttpRequest,
    actor: Actor,
    right: StudyRight,
    bound: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The student card: every study right of the person the actor sees, with its history, in
    a fixed number of statements. The actions are listed; each form is loaded when opened
    (GET of the action's URL), except one refused on a POST, shown with its errors."""
    rights = selectors.card_rights(actor=actor, person=right.person)
    visible = {r.pk for r in rights}
    action_forms: list[tuple[Action, ActionForm | None, str]] = []
    if selectors.manages(actor, right.institution_id):
        for action in ACTIONS.values():
            is_bound = bound is not None and bound.prefix == action.name
            # A refused form stays on the page with its message even when not offered now.
            if right.status not in action.offered_in and not is_bound:
                continue
            url = reverse(f"students:{action.name}", args=[right.public_id])
            action_forms.append((action, bound if is_bound else None, url))
    cards = [
        {
            "right": r,
            "current": r.pk == right.pk,
            "programme_name": exports.programme_name(r),
            "periods": list(r.periods.all()),
            "graduation": _graduation(r),
            "transferred_from": _linked(r, "transferred_from"),
            "transferred_to": _linked(r, "transferred_to"),
            "transcript": selectors.transcript_of(list(r.results.all())),
        }
        for r in rights
    ]
    return render(
        request,
        "students/student_card.html",
        {
            "person": right.person,
            "right": right,
            "cards": cards,
            "visible": visible,
            "action_forms": action_forms,
            "history": _history(rights),
            "error_forms": forms_with_errors(bound),
        },
        status=status,
    )


@login_required
@require_GET
def student_card(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    right = selectors.study_right_for_card(actor=actor, public_id=public_id, what="student.card")
    return _card(request, actor, right)


# --- Opening a study right --------------------------------------------------------------------


def _person_token(request: HttpRequest, person: Person) -> str:
    return sign_for_user(request, str(person.public_id), "students.open")


def _person_from_token(actor: Actor, request: HttpRequest, token: str) -> Person | None:
    public_id = unsign_for_user(request, token, "students.open", OPEN_TOKEN_MAX_AGE)
    if public_id is None:
        return None
    return selectors.person_for_study_right(actor=actor, public_id=public_id)


def _open(
    actor: Actor,
    person: Person | None,
    person_form: NewPersonForm | None,
    open_form: StudyRightOpenForm,
) -> StudyRight | None:
    """Register the person when new and open the study right, all or nothing; on refusal the
    errors land on the forms' fields."""
    fields = open_form.study_right_fields()
    try:
        if person is None:
            assert person_form is not None
            return services.study_right_register_and_open(
                actor=actor, person_fields=person_form.person_fields(), **fields
            )
        return services.study_right_open(actor=actor, person=person, **fields)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for name, field_messages in errors.items():
            if person_form is not None and name in person_form.fields:
                target_form: forms.Form = person_form
            else:
                target_form = open_form
            add_service_errors(target_form, ValidationError({name: field_messages}))
        return None


@login_required
def study_right_open(request: HttpRequest) -> HttpResponse:
    """Open a study right: find the person by personal code, or register a person with a code
    or a foreigner without one; then the HEI, programme and start."""
    actor = _actor(request)
    institutions = selectors.managed_institutions(actor=actor)
    if not institutions.exists():
        raise PermissionDenied(_("You may view students' data but not change it."))
    today = _today()
    data = request.POST if request.method == "POST" else None
    step = data.get("step", "") if data is not None else ""
    lookup = PersonalCodeLookupForm(data if step == "find" else None)
    person: Person | None = None
    person_form: NewPersonForm | None = None
    open_form: StudyRightOpenForm | None = None
    token = ""

    if step == "find" and lookup.is_valid():
        code = lookup.cleaned_data["personal_code"]
        person = selectors.person_for_study_right(actor=actor, personal_code=code)
        if person is not None:
            token = _person_token(request, person)
        else:
            person_form = NewPersonForm(initial={"personal_code": code}, with_code=True)
        open_form = StudyRightOpenForm(
            initial={"person": token}, institutions=institutions, today=today
        )
    elif step == "foreign":
        person_form = NewPersonForm(with_code=False)
        open_form = StudyRightOpenForm(institutions=institutions, today=today)
    elif step == "open" and data is not None:
        open_form = StudyRightOpenForm(data, institutions=institutions, today=today)
        token = data.get("person", "")
        if token:
            person = _person_from_token(actor, request, token)
            if person is None:
                open_form.add_error(None, _("Find the person by personal code again."))
        else:
            person_form = NewPersonForm(data, with_code=bool(data.get("personal_code")))
        if open_form.is_valid() and (person_form is None or person_form.is_valid()):
            right = _open(actor, person, person_form, open_form)
            if right is not None:
                messages.success(
                    request,
                    _("%(name)s studies %(programme)s from %(date)s.")
                    % {
                        "name": right.person.full_name,
                        "programme": right.programme.state_code,
                        "date": right.started_on.isoformat(),
                    },
                )
                return _to_card(right)
    errors = forms_with_errors(lookup, person_form, open_form)
    return render(
        request,
        "students/open.html",
        {
            "lookup": lookup,
            "person": person,
            "token": token,
            "person_form": person_form,
            "open_form": open_form,
            "error_forms": errors,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def institution_pick(request: HttpRequest) -> HttpResponse:
    """The institution picker of the students' pages: only institutions in the actor's scope."""
    actor = _actor(request)
    return picker_response(request, selectors.institutions_in_view(actor=actor), INSTITUTION)
