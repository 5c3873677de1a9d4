"""Web pages of the Pupil Register for a school's data manager (and, read-only, for those who
view pupils' data: a municipality, the agency).

Reads go through the scoped selectors (out of scope answers 404) and every person shown, on a
page or in an export, is written to the access log. Each form is one POST calling one service,
which checks the rights (403 in scope without the manager level) and the register's rules (their
errors are shown on the form's fields). Personal codes are only ever sent by POST.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from edureg.access.models import Level
from edureg.core.collation import name_order
from edureg.core.context import Actor
from edureg.core.history import person_history_from_sources, who_changed
from edureg.core.models import ClassifierValue
from edureg.core.pickers import picker_response
from edureg.core.readable import readable
from edureg.core.transactions import dry_run
from edureg.core.versions import latest_versions
from edureg.core.web import (
    add_service_errors,
    confirmation_page,
    forms_with_errors,
    is_confirmed,
    page_shown,
    query_string_without_page,
    sign_for_user,
    unsign_for_user,
)
from edureg.institutions.models import Institution, Municipality
from edureg.institutions.pickers import INSTITUTION
from edureg.people.forms import NewPersonForm, PersonalCodeLookupForm
from edureg.people.models import Person
from edureg.people.selectors import person_get, persons_shown
from edureg.pupils import exports, selectors, services, year_end
from edureg.pupils.filters import EnrolmentFilter, with_study_municipality
from edureg.pupils.forms import (
    DepartForm,
    DirectionsForm,
    EnrolForm,
    GroupCloseForm,
    GroupForm,
    MoveForm,
    MunicipalityChildrenForm,
    NvsMarkForm,
    YearEndForm,
    current_school_year,
)
from edureg.pupils.models import (
    Enrolment,
    Group,
    GroupKind,
    not_ended_on,
)

PAGE_SIZE = 50
HISTORY_ROWS = 100
ENROL_TOKEN_MAX_AGE = 3600  # seconds between finding a pupil and enrolling them

# --- Helpers ----------------------------------------------------------------------------------


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user)


def _require_manager(actor: Actor) -> QuerySet[Institution]:
    institutions = selectors.managed_institutions(actor=actor)
    if not institutions.exists():
        raise PermissionDenied(_("You may view pupils' data but not change it."))
    return institutions


def _open_groups(actor: Actor, institutions: QuerySet[Institution]) -> QuerySet[Group]:
    """The groups a pupil may join: open, of this or a later school year (#16)."""
    return selectors.group_list(actor=actor).filter(
        closed_on__isnull=True,
        institution__in=institutions,
        school_year__gte=current_school_year(selectors.today()),
    )


def _status(*candidates: forms.Form | None) -> int:
    return 400 if forms_with_errors(*candidates) else 200


def _to_card(person: Person) -> HttpResponse:
    return redirect("pupils:card", public_id=person.public_id)


# --- The pupil list and its exports -----------------------------------------------------------


def _filtered(request: HttpRequest, actor: Actor) -> tuple[EnrolmentFilter, QuerySet[Enrolment]]:
    """The enrolments in scope narrowed by the request's filters; invalid filters find nothing
    (the form says what is wrong) rather than silently widening the result."""
    enrolments = with_study_municipality(selectors.enrolment_list(actor=actor)).order_by(
        *name_order("person__"), "-valid_from", "pk"
    )
    filterset = EnrolmentFilter(request.GET or None, queryset=enrolments)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, enrolments.none()
    return filterset, filterset.qs


@login_required
@require_GET
def pupil_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    filterset, enrolments = _filtered(request, actor)
    page = page_shown(
        request,
        enrolments,
        actor=actor,
        what="pupil.list",
        per_page=PAGE_SIZE,
        person_of=lambda e: e.person,
    )
    shown = page.object_list
    municipalities = exports.municipality_names() if shown else {}
    rows = [
        (e, municipalities.get(getattr(e, "study_municipality_id", None) or 0, "")) for e in shown
    ]
    return render(
        request,
        "pupils/pupil_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "rows": rows,
            "query_string": query_string_without_page(request),
            "may_enrol": selectors.managed_institutions(actor=actor).exists(),
            "sees_municipality": selectors.municipalities_in_view(actor=actor).exists(),
        },
    )


@login_required
@require_GET
def pupil_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    actor = _actor(request)
    _filterset, enrolments = _filtered(request, actor)
    if fmt == "csv":
        return exports.csv_response(actor=actor, enrolments=enrolments)
    if fmt != "xlsx":
        raise Http404
    if exports.too_many_for_xlsx(enrolments):
        messages.error(
            request,
            _("The list has more than %(count)s rows: download it as CSV, or narrow it.")
            % {"count": exports.XLSX_MAX_ROWS},
        )
        query = query_string_without_page(request)
        return redirect(reverse("pupils:list") + (f"?{query}" if query else ""))
    return exports.xlsx_response(actor=actor, enrolments=enrolments)


# --- The pupil card ---------------------------------------------------------------------------


def _nvs_providers(actor: Actor, person: Person) -> QuerySet[Institution]:
    """Where the actor may mark the pupil's NVŠ funding: institutions it manages at which the
    pupil has an NVŠ enrolment it can see."""
    nvs_at = selectors.enrolment_list(actor=actor).filter(person=person, kind=GroupKind.NVS)
    return selectors.managed_institutions(actor=actor).filter(
        pk__in=nvs_at.values("institution_id")
    )


def _names_in_hand(person: Person, enrolments: Iterable[Enrolment]) -> dict[type, dict[Any, str]]:
    """The related records a pupil's history names that the card has loaded already."""
    names: dict[type, dict[Any, str]] = {
        ClassifierValue: {},
        Enrolment: {},
        Group: {},
        Institution: {},
        Municipality: {},
    }
    for enrolment in enrolments:
        names[Enrolment][enrolment.pk] = f"{enrolment.group.name}, {enrolment.institution}"
        names[Group][enrolment.group_id] = enrolment.group.name
        names[Institution][enrolment.institution_id] = str(enrolment.institution)
        if enrolment.departure_reason_id is not None:
            names[ClassifierValue][enrolment.departure_reason_id] = str(enrolment.departure_reason)
    if Person.declared_municipality.is_cached(person) and person.declared_municipality:  # type: ignore[attr-defined]
        names[Municipality][person.declared_municipality_id] = str(person.declared_municipality)
    return names


def _history(actor: Actor, person: Person, enrolments: Iterable[Enrolment]) -> list[dict[str, Any]]:
    """Versions of the person and of the enrolments the viewer sees, newest first, with what
    changed (one statement: core.versions), and the versions of the person's records in other
    registers that the viewer sees (documents, say: `person_history_from_sources`)."""
    by_id = {e.pk: e for e in enrolments}
    parts = [
        ("people.person", Person.history.filter(id=person.pk), "id"),
        ("pupils.enrolment", Enrolment.history.filter(id__in=list(by_id)), "id"),
    ]
    versions = latest_versions(parts, limit=HISTORY_ROWS)
    # A new record's "changes" are all its fields: the badge "created" says enough.
    changes = readable(
        [
            (row["model_label"], row["changes"] if row["history_type"] == "~" else {})
            for row in versions
        ],
        # The card costs a fixed number of statements: the names come from what it holds.
        known=_names_in_hand(person, by_id.values()),
    )
    rows = [
        {
            "when": row["history_date"],
            "who": who_changed(row["user"], row["history_actor"]),
            "channel": row["history_channel"],
            "action": row["history_type"],
            "enrolment": by_id.get(row["record_id"])
            if row["model_label"] != "people.person"
            else None,
            "changes": lines,
        }
        for row, lines in zip(versions, changes, strict=True)
    ]
    rows += [
        {
            "when": row.history_date,
            "who": who_changed(row.history_user, row.history_actor),
            "channel": row.history_channel,
            "action": row.history_type,
            "enrolment": None,
            "changes": [],
            "record": record,
            "summary": summary,
        }
        for _model, row, record, summary in person_history_from_sources(
            actor=actor, person=person, limit=HISTORY_ROWS
        )
    ]
    rows.sort(key=lambda r: r["when"], reverse=True)
    return rows[:HISTORY_ROWS]


def _card(
    request: HttpRequest,
    actor: Actor,
    person: Person,
    nvs_form: NvsMarkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The pupil card, in a fixed number of statements whatever the pupil's history
    (selectors.pupil_card and one for the history). The NVŠ funding form is loaded when
    opened, except when refused on a POST (shown with its errors)."""
    card = selectors.pupil_card(actor=actor, person=person)
    today = selectors.today()
    for enrolment in card.enrolments:
        # Valid time: a move or departure dated ahead is planned until its day (#16).
        enrolment.state = enrolment.state_on(today)
    timeline = [
        (e, e.is_open and selectors.manages(actor, e.institution))
        for e in card.enrolments
        if e.kind != GroupKind.CLUB
    ]
    clubs = [e for e in card.enrolments if e.kind == GroupKind.CLUB]
    by_month: dict[dt.date, list[Any]] = defaultdict(list)
    for mark in card.nvs_marks:
        by_month[mark.month].append(mark)
    may_mark_nvs = nvs_form is not None or any(
        e.kind == GroupKind.NVS and selectors.manages(actor, e.institution) for e in card.enrolments
    )
    return render(
        request,
        "pupils/pupil_card.html",
        {
            "person": person,
            "timeline": timeline,
            "clubs": clubs,
            "nvs_months": sorted(by_month.items()),
            "nvs_form": nvs_form,
            "may_mark_nvs": may_mark_nvs,
            "electives": card.electives,
            "achievements": card.achievements,
            "special_needs": card.special_needs,
            "history": _history(actor, person, card.enrolments),
            "error_forms": forms_with_errors(nvs_form),
        },
        status=status,
    )


@login_required
@require_GET
def pupil_card(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    person = person_get(actor=actor, public_id=public_id, what="pupil.card")
    return _card(request, actor, person)


@login_required
@require_http_methods(["GET", "POST"])
def nvs_mark(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """An NVŠ provider marks the pupil's funding kinds for a run of months (GET: the form,
    which the card loads when it is opened, or a page of its own without JavaScript)."""
    actor = _actor(request)
    person = person_get(actor=actor, public_id=public_id, what="pupil.card")
    providers = _nvs_providers(actor, person)
    if not providers.exists():
        raise PermissionDenied(_("You may view pupils' data but not change it."))
    if request.method == "GET":
        template = (
            "pupils/nvs_form.html" if request.headers.get("HX-Request") else "pupils/nvs.html"
        )
        return render(
            request, template, {"person": person, "nvs_form": NvsMarkForm(providers=providers)}
        )
    form = NvsMarkForm(request.POST, providers=providers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.nvs_funding_mark(
                actor=actor,
                person=person,
                provider=data["provider"],
                months=services.months_between(data["month_from"], data["month_to"]),
                basket=data["basket"],
                municipal_funds=data["municipal_funds"],
                state_funds=data["state_funds"],
                other_funding=data["other_funding"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"months": "month_from"})
        else:
            messages.success(request, _("The NVŠ funding was marked."))
            return _to_card(person)
    return _card(request, actor, person, nvs_form=form, status=400)


# --- Enrolment --------------------------------------------------------------------------------


def _person_token(request: HttpRequest, person: Person) -> str:
    return sign_for_user(request, str(person.public_id), "pupils.enrol")


def _person_from_token(actor: Actor, request: HttpRequest, token: str) -> Person | None:
    public_id = unsign_for_user(request, token, "pupils.enrol", ENROL_TOKEN_MAX_AGE)
    if public_id is None:
        return None
    return selectors.person_for_enrolment(actor=actor, public_id=public_id)


def _refused_as_enrolled_elsewhere(exc: ValidationError, group: Group) -> bool:
    """Whether the service refused because the pupil studies at another school (its message
    names that school); then the form offers to record the transfer."""
    if group.kind != GroupKind.GENERAL or not hasattr(exc, "error_dict"):
        return False
    other_reasons = {
        _("This group is closed."),
        _("The pupil is already enrolled in this school: move them instead."),
    }
    return any(str(m) not in other_reasons for m in exc.message_dict.get("group", []))


@login_required
def pupil_enrol(request: HttpRequest) -> HttpResponse:
    """Register (when new) and enrol a pupil: find them by personal code, or register a person
    with a code or a foreigner without one; then choose the group and dates."""
    actor = _actor(request)
    institutions = _require_manager(actor)
    groups = _open_groups(actor, institutions)
    data = request.POST if request.method == "POST" else None
    step = data.get("step", "") if data is not None else ""
    lookup = PersonalCodeLookupForm(data if step == "find" else None)
    person: Person | None = None
    person_form: NewPersonForm | None = None
    enrol_form: EnrolForm | None = None
    token = ""

    if step == "find" and lookup.is_valid():
        code = lookup.cleaned_data["personal_code"]
        person = selectors.person_for_enrolment(actor=actor, personal_code=code)
        if person is not None:
            token = _person_token(request, person)
        else:
            person_form = NewPersonForm(initial={"personal_code": code}, with_code=True)
        enrol_form = EnrolForm(initial={"person": token}, groups=groups)
    elif step == "foreign":
        person_form = NewPersonForm(with_code=False)
        enrol_form = EnrolForm(groups=groups)
    elif step == "enrol" and data is not None:
        enrol_form = EnrolForm(data, groups=groups)
        token = data.get("person", "")
        if token:
            person = _person_from_token(actor, request, token)
            if person is None:
                enrol_form.add_error(None, _("Find the pupil by personal code again."))
        else:
            person_form = NewPersonForm(data, with_code=bool(data.get("personal_code")))
        if enrol_form.is_valid() and (person_form is None or person_form.is_valid()):
            enrolment = _enrol(actor, person, person_form, enrol_form)
            if enrolment is not None:
                messages.success(
                    request,
                    pgettext(
                        enrolment.person.grammatical_gender,
                        "%(name)s is enrolled in %(group)s from %(date)s.",
                    )
                    % {
                        "name": enrolment.person.full_name,
                        "group": enrolment.group.name,
                        "date": enrolment.valid_from.isoformat(),
                    },
                )
                return _to_card(enrolment.person)
    return render(
        request,
        "pupils/enrol.html",
        {
            "lookup": lookup,
            "person": person,
            "token": token,
            "person_form": person_form,
            "enrol_form": enrol_form,
            "error_forms": forms_with_errors(lookup, person_form, enrol_form),
        },
        status=_status(lookup, person_form, enrol_form),
    )


def _enrol(
    actor: Actor,
    person: Person | None,
    person_form: NewPersonForm | None,
    enrol_form: EnrolForm,
) -> Enrolment | None:
    """Register the person when new and enrol them, all or nothing; on refusal the errors land
    on the forms' fields."""
    data = enrol_form.cleaned_data
    group = data["group"]  # add_error below drops fields from cleaned_data
    enrolment = {
        "valid_from": data["valid_from"],
        "contract_date": data["contract_date"],
        "transfer": data["transfer"],
    }
    try:
        if person is None:
            assert person_form is not None
            return services.pupil_register_and_enrol(
                actor=actor, person_fields=person_form.person_fields(), group=group, **enrolment
            )
        return services.pupil_enrol(actor=actor, person=person, group=group, **enrolment)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for field, field_messages in errors.items():
            visible = person_form is not None and field in person_form.fields
            if visible and not person_form.fields[field].widget.is_hidden:  # type: ignore[union-attr]
                target_form: forms.Form = person_form  # type: ignore[assignment]
                target: str | None = field
            else:
                target_form = enrol_form
                target = field if field in enrol_form.fields else None
            for message in field_messages:
                target_form.add_error(target, message)
        if _refused_as_enrolled_elsewhere(exc, group):
            enrol_form.offer_transfer = True
        return None


DEPART_RENAMES = {
    "valid_to": "on",
    "departure_reason": "reason",
    "departure_order_number": "order_number",
}


@login_required
def enrolment_depart(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Išregistravimas: a departure date, a reason from the classifier valid today and the
    director's order number if there is one."""
    actor = _actor(request)
    enrolment = selectors.enrolment_get(actor=actor, public_id=public_id, level=Level.MANAGER)
    persons_shown(actor=actor, persons=[enrolment.person], what="pupil.depart")
    form = DepartForm(request.POST or None, today=selectors.today())
    if request.method == "POST" and form.is_valid() and not is_confirmed(request):
        data = form.cleaned_data
        try:
            # What the service would do, undone: a refusal lands on the form, and only a
            # departure that would go through is put to the user to confirm (#16 item 6).
            dry_run(
                lambda: services.pupil_depart(
                    actor=actor,
                    enrolment=enrolment,
                    on=data["on"],
                    reason=data["reason"],
                    order_number=data["order_number"],
                )
            )
        except ValidationError as exc:
            add_service_errors(form, exc, DEPART_RENAMES)
            return render(
                request,
                "pupils/depart.html",
                {"enrolment": enrolment, "form": form, "error_forms": forms_with_errors(form)},
                status=400,
            )
        consequences = [
            _("%(name)s leaves %(group)s of %(school)s on %(date)s: the enrolment ends.")
            % {
                "name": enrolment.person.full_name,
                "group": enrolment.group.name,
                "school": enrolment.institution,
                "date": data["on"].isoformat(),
            },
            _("Departure reason: %(reason)s.") % {"reason": data["reason"]},
        ]
        if data["order_number"].strip():
            consequences.append(
                _("Director's order No. %(number)s.") % {"number": data["order_number"].strip()}
            )
        return confirmation_page(
            request,
            title=_("Confirm the departure"),
            consequences=consequences,
            action_url=request.path,
            back_url=reverse("pupils:card", args=[enrolment.person.public_id]),
            confirm_label=_("Confirm the departure"),
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.pupil_depart(
                actor=actor,
                enrolment=enrolment,
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                order_number=form.cleaned_data["order_number"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, DEPART_RENAMES)
        else:
            messages.success(
                request,
                pgettext(
                    enrolment.person.grammatical_gender, "%(name)s left %(group)s on %(date)s."
                )
                % {
                    "name": enrolment.person.full_name,
                    "group": enrolment.group.name,
                    "date": form.cleaned_data["on"].isoformat(),
                },
            )
            return _to_card(enrolment.person)
    return render(
        request,
        "pupils/depart.html",
        {"enrolment": enrolment, "form": form, "error_forms": forms_with_errors(form)},
        status=_status(form),
    )


@login_required
def enrolment_move(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Move a pupil to another group of the same school from a date."""
    actor = _actor(request)
    enrolment = selectors.enrolment_get(actor=actor, public_id=public_id, level=Level.MANAGER)
    persons_shown(actor=actor, persons=[enrolment.person], what="pupil.move")
    groups = (
        selectors.group_list(actor=actor)
        .filter(
            institution=enrolment.institution,
            kind=enrolment.kind,
            closed_on__isnull=True,
            school_year__gte=current_school_year(selectors.today()),
        )
        .exclude(pk=enrolment.group_id)
    )
    form = MoveForm(request.POST or None, groups=groups, today=selectors.today())
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.pupil_move(
                actor=actor,
                enrolment=enrolment,
                group=form.cleaned_data["group"],
                on=form.cleaned_data["on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc, {"valid_from": "on", "valid_to": "on"})
        else:
            messages.success(
                request,
                pgettext(
                    enrolment.person.grammatical_gender, "%(name)s is in %(group)s from %(date)s."
                )
                % {
                    "name": enrolment.person.full_name,
                    "group": moved.group.name,
                    "date": moved.valid_from.isoformat(),
                },
            )
            return _to_card(enrolment.person)
    return render(
        request,
        "pupils/move.html",
        {"enrolment": enrolment, "form": form, "error_forms": forms_with_errors(form)},
        status=_status(form),
    )


# --- Groups -----------------------------------------------------------------------------------


def _group(actor: Actor, public_id: uuid.UUID) -> Group:
    group = selectors.group_list(actor=actor).filter(public_id=public_id).first()
    if group is None:
        raise Http404
    return group


@login_required
@require_GET
def group_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    groups = selectors.group_list(actor=actor).annotate(
        pupils=Count("enrolments", filter=not_ended_on(selectors.today(), "enrolments__"))
    )
    school_year = request.GET.get("school_year", "")
    if school_year.isdigit():
        groups = groups.filter(school_year=int(school_year))
    page = Paginator(
        groups.order_by("-school_year", "institution__name_lt", "grade", "name"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "pupils/group_list.html",
        {
            "page_obj": page,
            "school_year": school_year if school_year.isdigit() else "",
            "query_string": f"school_year={school_year}" if school_year.isdigit() else "",
            "may_create": selectors.managed_institutions(actor=actor).exists(),
        },
    )


@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    institutions = _require_manager(actor)
    form = GroupForm(request.POST or None, institutions=institutions, today=selectors.today())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_create(
                actor=actor,
                institution=data["institution"],
                school_year=data["school_year"],
                name=data["name"],
                kind=data["kind"],
                grade=data["grade"],
                language=data["language"].code,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The group %(name)s was created.") % {"name": group})
            return redirect("pupils:group-detail", public_id=group.public_id)
    return render(
        request,
        "pupils/group_form.html",
        {"form": form, "error_forms": forms_with_errors(form)},
        status=_status(form),
    )


def _group_page(
    request: HttpRequest,
    actor: Actor,
    group: Group,
    close_form: GroupCloseForm | None = None,
    directions_form: DirectionsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = selectors.today()
    # The class's pupils today and those planned to join it: a move dated ahead (the end of
    # the school year recorded with 1 September) keeps the pupil here until that day.
    pupils = list(
        selectors.enrolment_list(actor=actor)
        .filter(not_ended_on(today), group=group)
        .order_by(*name_order("person__"), "pk")
    )
    for enrolment in pupils:
        enrolment.state = enrolment.state_on(today)
    persons_shown(actor=actor, persons=[e.person for e in pupils], what="pupil.group")
    may_change = (
        selectors.managed_institutions(actor=actor).filter(pk=group.institution_id).exists()
    )
    if may_change and close_form is None and group.closed_on is None:
        close_form = GroupCloseForm(prefix="close", today=today)
    has_directions = group.kind != GroupKind.GENERAL
    if may_change and has_directions and directions_form is None:
        directions_form = DirectionsForm(
            prefix="directions",
            today=today,
            initial={"directions": [d.code for d in group.directions.all()]},
        )
    return render(
        request,
        "pupils/group_detail.html",
        {
            "group": group,
            "pupils": pupils,
            "directions": list(group.directions.all()) if has_directions else [],
            "may_change": may_change,
            "close_form": close_form if may_change else None,
            "directions_form": directions_form if may_change else None,
            "error_forms": forms_with_errors(close_form, directions_form),
        },
        status=status,
    )


@login_required
@require_GET
def group_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    return _group_page(request, actor, _group(actor, public_id))


@login_required
@require_POST
def group_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    group = _group(actor, public_id)
    selectors.institution_for_pupil_work(actor=actor, institution=group.institution)
    form = GroupCloseForm(request.POST, prefix="close", today=selectors.today())
    if form.is_valid():
        on = form.cleaned_data["on"]
        try:
            if not is_confirmed(request):
                # Closing takes no pupils any more: say so and ask first (#16 item 6), but
                # only for a closing the service would allow.
                dry_run(lambda: services.group_close(actor=actor, group=group, on=on))
                return confirmation_page(
                    request,
                    title=_("Confirm closing the group"),
                    consequences=[
                        _("The group %(name)s is closed on %(date)s: no pupil can join it.")
                        % {"name": group, "date": on.isoformat()}
                    ],
                    action_url=request.path,
                    back_url=reverse("pupils:group-detail", args=[group.public_id]),
                    confirm_label=_("Close the group"),
                )
            services.group_close(actor=actor, group=group, on=on)
        except ValidationError as exc:
            add_service_errors(form, exc, {"closed_on": "on"})
        else:
            messages.success(request, _("The group %(name)s was closed.") % {"name": group})
            return redirect("pupils:group-detail", public_id=group.public_id)
    return _group_page(request, actor, group, close_form=form, status=400)


@login_required
@require_POST
def group_directions(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = _actor(request)
    group = _group(actor, public_id)
    selectors.institution_for_pupil_work(actor=actor, institution=group.institution)
    form = DirectionsForm(request.POST, prefix="directions", today=selectors.today())
    if form.is_valid():
        try:
            services.group_directions_set(
                actor=actor, group=group, directions=list(form.cleaned_data["directions"])
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The directions were saved."))
            return redirect("pupils:group-detail", public_id=group.public_id)
    return _group_page(request, actor, group, directions_form=form, status=400)


# --- End of the school year -------------------------------------------------------------------


def _year_end_form(
    request: HttpRequest, actor: Actor, group: Group, data: Any = None
) -> YearEndForm:
    pupils = year_end.class_pupils(actor=actor, group=group)
    next_year_groups = selectors.group_list(actor=actor, school_year=group.school_year + 1).filter(
        institution=group.institution, kind=GroupKind.GENERAL, closed_on__isnull=True
    )
    return YearEndForm(
        data,
        group=group,
        pupils=pupils,
        next_year_groups=next_year_groups,
        today=selectors.today(),
    )


@login_required
def group_year_end(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Promote, repeat or graduate a whole class: a preview first, then apply what was shown."""
    actor = _actor(request)
    group = _group(actor, public_id)
    selectors.institution_for_pupil_work(actor=actor, institution=group.institution)
    form = _year_end_form(request, actor, group, request.POST or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        arguments = {
            "actor": actor,
            "group": group,
            "on": data["on"],
            "outcomes": form.outcomes(),
            "promote_to": data["promote_to"],
            "repeat_to": data["repeat_to"],
            "graduation_reason": data["graduation_reason"],
        }
        if request.POST.get("action") == "apply":
            try:
                applied = year_end.year_end_apply(previewed=form.previewed_ids(), **arguments)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                counts = applied.counts
                messages.success(
                    request,
                    _(
                        "School year ended for %(group)s: %(promoted)s promoted, %(repeating)s "
                        "repeating, %(completed)s completed, %(unchanged)s unchanged."
                    )
                    % {
                        "group": group,
                        "promoted": counts[year_end.Outcome.PROMOTE],
                        "repeating": counts[year_end.Outcome.REPEAT],
                        "completed": counts[year_end.Outcome.GRADUATE],
                        "unchanged": counts[year_end.Outcome.STAY],
                    },
                )
                return redirect("pupils:group-detail", public_id=group.public_id)
        else:
            plan = year_end.year_end_plan(**arguments)
            persons_shown(
                actor=actor, persons=[s.enrolment.person for s in plan.steps], what="pupil.group"
            )
            if plan.errors:
                add_service_errors(form, ValidationError(plan.errors))
    return render(
        request,
        "pupils/year_end.html",
        {
            "group": group,
            "form": form,
            "plan": plan,
            "previewed": ",".join(plan.enrolment_ids) if plan is not None else "",
            "error_forms": forms_with_errors(form),
        },
        status=_status(form),
    )


# --- A municipality's view of its children ----------------------------------------------------


def _children(
    request: HttpRequest, actor: Actor
) -> tuple[MunicipalityChildrenForm, QuerySet[Person] | None]:
    """The children the request asks for, or None until a valid choice is made."""
    municipalities = selectors.municipalities_in_view(actor=actor)
    data = request.GET.copy()
    if "municipality" not in data:
        only = list(municipalities[:2])
        if len(only) == 1:
            data["municipality"] = only[0].code
    for name in ("age_from", "age_to"):
        data.setdefault(name, str(MunicipalityChildrenForm.base_fields[name].initial))
    form = MunicipalityChildrenForm(data, municipalities=municipalities)
    if not form.is_valid():
        return form, None
    municipality = form.cleaned_data["municipality"]
    first, last = form.birth_dates(selectors.today())
    children = selectors.municipality_children(
        actor=actor,
        municipality=municipality,
        born_from=first,
        born_until=last,
        studies=form.cleaned_data["status"],
    )
    return form, children


@login_required
@require_GET
def municipality_children(request: HttpRequest) -> HttpResponse:
    """A municipality's children of school age and where each studies, or that they do not."""
    actor = _actor(request)
    form, children = _children(request, actor)
    page, rows = None, []
    if children is not None:
        page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page.object_list)
        persons_shown(actor=actor, persons=shown, what="pupil.municipality")
        enrolments = selectors.open_enrolments_by_pk(p.enrolment_id for p in shown)
        rows = [(p, enrolments.get(p.enrolment_id)) for p in shown]
    return render(
        request,
        "pupils/municipality_children.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "query_string": query_string_without_page(request),
            "has_municipalities": form.fields["municipality"].queryset.exists(),  # type: ignore[attr-defined]
        },
        status=400 if form.is_bound and form.errors and request.GET else 200,
    )


@login_required
@require_GET
def municipality_children_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    actor = _actor(request)
    _form, children = _children(request, actor)
    if children is None:
        return redirect(reverse("pupils:municipality") + f"?{query_string_without_page(request)}")
    if fmt == "csv":
        return exports.children_csv(actor=actor, children=children)
    if exports.too_many_for_xlsx(children):
        messages.error(
            request,
            _("The list has more than %(count)s rows: download it as CSV, or narrow it.")
            % {"count": exports.XLSX_MAX_ROWS},
        )
        return redirect(reverse("pupils:municipality") + f"?{query_string_without_page(request)}")
    return exports.children_xlsx(actor=actor, children=children)


@login_required
@require_GET
def institution_pick(request: HttpRequest) -> HttpResponse:
    """The institution picker of the pupils' pages: only institutions in the actor's scope."""
    actor = _actor(request)
    return picker_response(request, selectors.institutions_in_view(actor=actor), INSTITUTION)
