"""Writes to the Student Register: study rights, their status history, movement, results,
mobility, funding, loans, scholarships and graduation.

Rules enforced here:
- only a data manager of the study right's HEI (function area "student data", manager level)
  writes; out of scope answers 404, a viewer 403; the register's own jobs (system actors) are
  trusted;
- every status change and every back-dated correction re-validates the whole status history
  with `edureg.students.timeline` (the state machine, dates, leave and interruption limits);
- a transfer closes the old study right (status "transferred") and opens a new one linked to
  it; the acting user must manage both HEIs (a system actor may record any transfer). Choosing
  to require both keeps one rule — a writer changes only rights of HEIs it manages — without a
  hand-over step; an HEI's system that receives a student can record the transfer when the
  previous HEI is its own (a programme change), and otherwise the agency's feed does it;
- every write locks the study right's row first (SELECT ... FOR UPDATE), so concurrent writes
  about one right queue, and bumps its `version` for optimistic locking in the API;
- refusals are ValidationErrors keyed by field, with gettext messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edureg.core.audit import bulk_create_with_audit
from edureg.core.confirm import ActWarning, require_confirmed
from edureg.core.context import Actor, ActorKind, acting_as
from edureg.core.models import ClassifierValue
from edureg.core.transactions import service
from edureg.core.upsert import MissingVersion, Outcome, Upserted, refusal, upsert_by_key
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.programmes.models import Programme, ProgrammeKind, Qualification
from edureg.students import selectors, timeline
from edureg.students.models import (
    END_STATUSES,
    MAX_COURSE,
    FundingPeriod,
    Graduation,
    Mobility,
    PriorEducation,
    PriorEducationKind,
    Result,
    Scholarship,
    StatusPeriod,
    StudyLoan,
    StudyRight,
    StudyStatus,
)

# Fields of a study right that `study_right_update` may change. The status, dates and
# institution change only through the status services, `period_correct` and `transfer`.
UPDATABLE_FIELDS = frozenset(
    {"cycle", "form", "course", "expected_end", "admission_basis", "student_card_number"}
)

# Classifiers of the values a service accepts, by argument name.
LEAVE_REASONS = "academic-leave-reason"
TERMINATION_REASONS = "study-termination-reason"
FUNDING_SOURCES = "study-funding-source"


# --- Helpers ---------------------------------------------------------------------------------


def _lock(actor: Actor, study_right: StudyRight) -> StudyRight:
    """The study right, locked for this transaction, if the actor manages it (404/403)."""
    return selectors.study_right_for_change(actor=actor, study_right=study_right)


def _bump(right: StudyRight) -> None:
    right.version += 1
    right.save()


def _check_classifier(value: ClassifierValue | None, code_list: str, field_name: str) -> None:
    if value is not None and value.classifier.code != code_list:
        raise ValidationError({field_name: [_("Choose a value from the right list.")]})


def _check_reasons(reasons: Sequence[ClassifierValue], field_name: str = "reasons") -> None:
    for reason in reasons:
        _check_classifier(reason, TERMINATION_REASONS, field_name)


def _periods(right: StudyRight) -> list[StatusPeriod]:
    return list(
        right.periods.select_related("leave_reason")
        .prefetch_related("reasons")
        .order_by("valid_from", "id")
    )


def _as_timeline(period: StatusPeriod) -> timeline.Period:
    return timeline.Period(
        status=period.status,
        valid_from=period.valid_from,
        valid_to=period.valid_to,
        leave_reason=_code(period.leave_reason),
        course=period.course,
        reasons=tuple(sorted(r.code for r in period.reasons.all())),
    )


def _code(value: Any) -> str | None:
    return cast(ClassifierValue, value).code if value is not None else None


def _rekeyed(exc: ValidationError, renames: dict[str, str]) -> ValidationError:
    """The same messages under the caller's argument names (a service takes `on`, the
    timeline speaks of period dates)."""
    errors: dict[str, list[str]] = {}
    for name, messages in exc.message_dict.items():
        errors.setdefault(renames.get(name, name), []).extend(messages)
    return ValidationError(errors)


EVENT_FIELDS = {"valid_from": "on", "valid_to": "on"}


def _validate(started_on: dt.date, proposed: Sequence[timeline.Period], renames: Any) -> None:
    try:
        timeline.validate(started_on, proposed)
    except ValidationError as exc:
        raise _rekeyed(exc, renames) from exc


def _close_funding(right: StudyRight, on: dt.date) -> None:
    """The funding in force ends with the studies (a source that starts later stays open)."""
    current = right.funding_periods.filter(valid_to__isnull=True, valid_from__lt=on).first()
    if current is not None:
        current.valid_to = on
        current.save()


def _change_status(
    *,
    actor: Actor,
    study_right: StudyRight,
    status: str,
    on: dt.date,
    leave_reason: ClassifierValue | None = None,
    course: int | None = None,
    reasons: Sequence[ClassifierValue] = (),
    returning_from: str | None = None,
    warnings: Callable[[StudyRight], list[ActWarning]] | None = None,
    confirmed_warnings: Collection[str] | None = None,
) -> tuple[StudyRight, StatusPeriod]:
    """Close the current period on `on` and open one in `status`, if the timeline allows.
    `returning_from` names the state a return ends, for a message in the words of the action.
    `warnings` are those of the act on the locked right (see core.confirm): unconfirmed ones
    stop it before anything is written; confirmed ones are noted on the version rows."""
    right = _lock(actor, study_right)
    if on is None:
        raise ValidationError({"on": [_("Give the date.")]})
    if returning_from is not None and right.is_open and right.status != returning_from:
        if returning_from == StudyStatus.ACADEMIC_LEAVE:
            raise ValidationError({"status": [_("The student is not on academic leave.")]})
        raise ValidationError({"status": [_("The studies are not interrupted.")]})
    timeline.check_transition(right.status, status)
    periods = _periods(right)
    proposed = [_as_timeline(p) for p in periods]
    proposed[-1] = replace(proposed[-1], valid_to=on)
    proposed.append(
        timeline.Period(
            status=status,
            valid_from=on,
            leave_reason=leave_reason.code if leave_reason else None,
            course=course,
            reasons=tuple(sorted(r.code for r in reasons)),
        )
    )
    _validate(right.started_on, proposed, EVENT_FIELDS)
    note = require_confirmed(warnings(right) if warnings else [], confirmed_warnings)
    with acting_as(actor):
        current = periods[-1]
        if note:
            current._change_reason = right._change_reason = note  # type: ignore[attr-defined]
        current.valid_to = on
        current.save()
        period = StatusPeriod(
            study_right=right,
            status=status,
            valid_from=on,
            leave_reason=leave_reason,
            course=course,
        )
        period.full_clean()
        if note:
            period._change_reason = note  # type: ignore[attr-defined]
        period.save()
        if reasons:
            period.reasons.set(reasons)
        right.status = status
        if status in END_STATUSES:
            right.ended_on = on
            _close_funding(right, on)
        if course is not None:
            right.course = course
        _bump(right)
    return right, period


# --- Study rights ----------------------------------------------------------------------------


def _programme_cycle(programme: Programme) -> str:
    version = programme.current_version()
    return str(getattr(version, "cycle", "") or "")


def _check_programme(institution: Institution, programme: Programme) -> None:
    if programme.kind != ProgrammeKind.STUDY or not programme.state_code:
        raise ValidationError(
            {"programme": [_("Choose a study programme with a state code from the register.")]}
        )
    providers = {institution.pk, institution.parent_id}
    if programme.provider_id not in providers:
        raise ValidationError(
            {"programme": [_("The programme is not provided by this institution.")]}
        )


@service
def study_right_open(
    *,
    actor: Actor,
    person: Person,
    institution: Institution,
    programme: Programme,
    form: str,
    started_on: dt.date,
    cycle: str = "",
    course: int = 1,
    expected_end: dt.date | None = None,
    admission_basis: str = "",
    student_card_number: str = "",
    funding_source: ClassifierValue | None = None,
    source_system: str = "",
    local_id: str = "",
    transferred_from: StudyRight | None = None,
) -> StudyRight:
    """A study right from `started_on`: the status history starts with studying that day, and
    the funding source (when given) from the same day."""
    right = _new_right(
        actor=actor,
        person=person,
        institution=institution,
        programme=programme,
        form=form,
        started_on=started_on,
        cycle=cycle,
        course=course,
        expected_end=expected_end,
        admission_basis=admission_basis,
        student_card_number=student_card_number,
        funding_source=funding_source,
        source_system=source_system,
        local_id=local_id,
        transferred_from=transferred_from,
    )
    with acting_as(actor):
        right.full_clean()
        right.save()
        StatusPeriod.objects.create(
            study_right=right, status=StudyStatus.STUDYING, valid_from=started_on
        )
        if funding_source is not None:
            FundingPeriod.objects.create(
                study_right=right, source=funding_source, valid_from=started_on
            )
    return right


def _new_right(
    *,
    actor: Actor,
    person: Person,
    institution: Institution,
    programme: Programme,
    form: str,
    started_on: dt.date,
    cycle: str = "",
    course: int = 1,
    expected_end: dt.date | None = None,
    admission_basis: str = "",
    student_card_number: str = "",
    funding_source: ClassifierValue | None = None,
    source_system: str = "",
    local_id: str = "",
    transferred_from: StudyRight | None = None,
) -> StudyRight:
    """The rules of a new study right, and the record (not saved yet)."""
    selectors.institution_for_student_work(actor=actor, institution=institution)
    _check_programme(institution, programme)
    _check_classifier(funding_source, FUNDING_SOURCES, "funding_source")
    if expected_end is not None and expected_end <= started_on:
        raise ValidationError(
            {"expected_end": [_("The expected end must come after the start of the studies.")]}
        )
    return StudyRight(
        person=person,
        institution=institution,
        programme=programme,
        cycle=cycle or _programme_cycle(programme),
        form=form,
        started_on=started_on,
        course=course,
        expected_end=expected_end,
        admission_basis=admission_basis.strip(),
        student_card_number=student_card_number.strip(),
        status=StudyStatus.STUDYING,
        transferred_from=transferred_from,
        source_system=source_system,
        local_id=local_id,
    )


@service
def study_right_register_and_open(
    *, actor: Actor, person_fields: dict[str, Any], **study_right: Any
) -> StudyRight:
    """Register a person new to the registers (with a personal code, or a foreigner without
    one) and open their study right, all or nothing."""
    from edureg.people.services import person_create

    selectors.institution_for_student_work(actor=actor, institution=study_right["institution"])
    person = person_create(actor=actor, **person_fields)
    return study_right_open(actor=actor, person=person, **study_right)


@service
def study_right_update(*, actor: Actor, study_right: StudyRight, **fields: Any) -> StudyRight:
    """Change a study right's descriptive fields (form, course, expected end, admission basis,
    student card number, cycle). Dates and status change through their own services."""
    unknown = sorted(set(fields) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in unknown})
    right = _lock(actor, study_right)
    for name, value in fields.items():
        setattr(right, name, value.strip() if isinstance(value, str) and name != "form" else value)
    if right.expected_end is not None and right.expected_end <= right.started_on:
        raise ValidationError(
            {"expected_end": [_("The expected end must come after the start of the studies.")]}
        )
    with acting_as(actor):
        right.full_clean()
        _bump(right)
    return right


# --- Status changes --------------------------------------------------------------------------


def graduation_warnings(*, study_right: StudyRight) -> list[ActWarning]:
    """A graduation short of the credits of the programme (its version in force): lawful,
    since credits may be recognised in ways the register does not hold, but worth a second
    look. The credits counted are those of the passed results, as the transcript shows."""
    version = study_right.programme.current_version()
    required = version.credits if version is not None else None
    if not required:
        return []
    earned = selectors.transcript(study_right).credits_earned
    if earned >= required:
        return []
    return [
        ActWarning(
            "credits-short",
            _("Credits earned: %(earned)s of the programme's %(required)s.")
            % {"earned": _credits(earned), "required": _credits(required)},
        )
    ]


def _credits(value: Decimal) -> str:
    return f"{value.normalize():f}"


def break_warnings(*, study_right: StudyRight, on: dt.date) -> list[ActWarning]:
    """A leave or interruption from `on` over results assessed on or after that day, or over
    partial studies (mobility) still running then: lawful when back-dated (the decision came
    late), but the results and the mobility then fall inside the break."""
    warnings = []
    results = study_right.results.filter(assessed_on__gte=on).count()
    if results:
        warnings.append(
            ActWarning(
                "results-in-break",
                _("%(count)s result(s) assessed on or after %(date)s fall inside the break.")
                % {"count": results, "date": on.isoformat()},
            )
        )
    for mobility in study_right.mobilities.filter(valid_to__gt=on).order_by("valid_from"):
        warnings.append(
            ActWarning(
                f"mobility-in-break:{mobility.pk}",
                _("Partial studies at %(host)s (%(start)s – %(end)s) overlap the break.")
                % {
                    "host": mobility.host_institution,
                    "start": mobility.valid_from.isoformat(),
                    "end": mobility.valid_to.isoformat(),
                },
            )
        )
    return warnings


@service
def leave_start(
    *,
    actor: Actor,
    study_right: StudyRight,
    on: dt.date,
    leave_reason: ClassifierValue,
    confirmed_warnings: Collection[str] | None = None,
) -> StatusPeriod:
    """Academic leave from `on` for illness (at most 2 years), pregnancy or child care (at most
    3 years) or personal reasons (at most 1 year, once during the studies). A leave back-dated
    over results or partial studies already recorded is lawful but warned about
    (`break_warnings`)."""
    if leave_reason is None:
        raise ValidationError({"leave_reason": [_("Give the reason for the academic leave.")]})
    _check_classifier(leave_reason, LEAVE_REASONS, "leave_reason")
    _right, period = _change_status(
        actor=actor,
        study_right=study_right,
        status=StudyStatus.ACADEMIC_LEAVE,
        on=on,
        leave_reason=leave_reason,
        warnings=lambda right: break_warnings(study_right=right, on=on),
        confirmed_warnings=confirmed_warnings,
    )
    return period


@service
def leave_end(
    *, actor: Actor, study_right: StudyRight, on: dt.date, course: int | None = None
) -> StatusPeriod:
    """The return from academic leave on `on` (within the leave's limit), optionally to
    another course."""
    _right, period = _change_status(
        actor=actor,
        study_right=study_right,
        status=StudyStatus.STUDYING,
        on=on,
        course=course,
        returning_from=StudyStatus.ACADEMIC_LEAVE,
    )
    return period


@service
def interruption_start(
    *,
    actor: Actor,
    study_right: StudyRight,
    on: dt.date,
    reasons: Sequence[ClassifierValue],
    confirmed_warnings: Collection[str] | None = None,
) -> StatusPeriod:
    """An interruption of the studies from `on` (at most 1 year) for one or more reasons;
    back-dated over results or partial studies, warned about like a leave."""
    _check_reasons(reasons)
    _right, period = _change_status(
        actor=actor,
        study_right=study_right,
        status=StudyStatus.INTERRUPTED,
        on=on,
        reasons=reasons,
        warnings=lambda right: break_warnings(study_right=right, on=on),
        confirmed_warnings=confirmed_warnings,
    )
    return period


@service
def interruption_end(
    *, actor: Actor, study_right: StudyRight, on: dt.date, course: int | None
) -> StatusPeriod:
    """The return after an interruption on `on`, to the given course (1..6)."""
    _right, period = _change_status(
        actor=actor,
        study_right=study_right,
        status=StudyStatus.STUDYING,
        on=on,
        course=course,
        returning_from=StudyStatus.INTERRUPTED,
    )
    return period


@service
def terminate(
    *,
    actor: Actor,
    study_right: StudyRight,
    on: dt.date,
    reasons: Sequence[ClassifierValue],
) -> StudyRight:
    """Nutraukimas: the study right ends on `on` for one or more reasons from the classifier.
    A leave or interruption in progress ends that day and must be within its limit."""
    _check_reasons(reasons)
    right, _period = _change_status(
        actor=actor, study_right=study_right, status=StudyStatus.TERMINATED, on=on, reasons=reasons
    )
    return right


@service
def graduate(
    *,
    actor: Actor,
    study_right: StudyRight,
    on: dt.date,
    degree: str,
    qualification: Qualification | None = None,
    thesis_title: str = "",
    diploma_reference: str = "",
    confirmed_warnings: Collection[str] | None = None,
) -> Graduation:
    """Baigimas: a studying student completes the studies on `on` with the qualification and
    degree awarded, the final thesis and the diploma. Not from leave or an interruption.
    Short of the programme's credits it is lawful (credits may be recognised elsewhere) but
    warned about (`graduation_warnings`)."""
    if not (degree or "").strip():
        raise ValidationError({"degree": [_("Give the degree awarded.")]})
    right, _period = _change_status(
        actor=actor,
        study_right=study_right,
        status=StudyStatus.GRADUATED,
        on=on,
        warnings=lambda right: graduation_warnings(study_right=right),
        confirmed_warnings=confirmed_warnings,
    )
    note = getattr(right, "_change_reason", "")
    graduation = Graduation(
        study_right=right,
        graduated_on=on,
        qualification=qualification,
        degree=degree.strip(),
        thesis_title=thesis_title.strip(),
        diploma_reference=diploma_reference.strip(),
    )
    with acting_as(actor):
        graduation.full_clean()
        if note:
            graduation._change_reason = note  # type: ignore[attr-defined]
        graduation.save()
    return graduation


@service
def transfer(
    *,
    actor: Actor,
    study_right: StudyRight,
    on: dt.date,
    institution: Institution,
    programme: Programme,
    form: str | None = None,
    course: int | None = None,
    cycle: str = "",
    student_card_number: str = "",
    funding_source: ClassifierValue | None = None,
    source_system: str = "",
    local_id: str = "",
) -> StudyRight:
    """A transfer to another programme or HEI on `on`: the old study right closes with status
    "transferred" and a new one opens that day, linked to it (`transferred_from`), so that
    statistics follow the student. The actor must manage both HEIs."""
    selectors.institution_for_student_work(actor=actor, institution=institution)
    if study_right.programme_id == programme.pk and study_right.institution_id == institution.pk:
        raise ValidationError(
            {"programme": [_("A transfer goes to another programme or institution.")]}
        )
    _check_programme(institution, programme)
    old, _period = _change_status(
        actor=actor, study_right=study_right, status=StudyStatus.TRANSFERRED, on=on
    )
    funding = funding_source
    if funding is None:
        last_funding = old.funding_periods.order_by("-valid_from").first()
        funding = cast(ClassifierValue, last_funding.source) if last_funding else None
    return study_right_open(
        actor=actor,
        person=old.person,
        institution=institution,
        programme=programme,
        form=form or old.form,
        started_on=on,
        cycle=cycle,
        course=course or old.course,
        admission_basis=old.admission_basis,
        student_card_number=student_card_number,
        funding_source=funding,
        source_system=source_system,
        local_id=local_id,
        transferred_from=old,
    )


# --- Corrections -----------------------------------------------------------------------------


@service
def period_correct(
    *,
    actor: Actor,
    period: StatusPeriod,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
) -> StatusPeriod:
    """A back-dated correction of a period's dates. The periods stay a partition of time: the
    boundary moves for the neighbour as well (a leave that began earlier shortens the studying
    period before it), the start of the first period is the start of the studies, and an end
    marker's date is the end date. The whole history is validated again; every changed period
    keeps its previous version in the history."""
    right = _lock(actor, period.study_right)
    periods = _periods(right)
    index = next((i for i, p in enumerate(periods) if p.pk == period.pk), None)
    if index is None:  # the period was removed or belongs elsewhere since it was read
        raise ValidationError({"status": [_("The period is no longer in this history.")]})
    proposed = [_as_timeline(p) for p in periods]
    started_on = right.started_on
    if valid_from is not None:
        proposed[index] = replace(proposed[index], valid_from=valid_from)
        if index == 0:
            started_on = valid_from
        else:
            proposed[index - 1] = replace(proposed[index - 1], valid_to=valid_from)
    if valid_to is not None:
        proposed[index] = replace(proposed[index], valid_to=valid_to)
        if index + 1 < len(proposed):
            proposed[index + 1] = replace(proposed[index + 1], valid_from=valid_to)
    timeline.validate(started_on, proposed)
    status, ended_on = timeline.outcome(proposed)
    _check_funding_start(right, started_on)
    with acting_as(actor):
        for stored, corrected in zip(periods, proposed, strict=True):
            if (stored.valid_from, stored.valid_to) != (corrected.valid_from, corrected.valid_to):
                stored.valid_from, stored.valid_to = corrected.valid_from, corrected.valid_to
                stored.save()
        if started_on != right.started_on:
            _move_funding_start(right, started_on)
            right.started_on = started_on
        if ended_on != right.ended_on:
            _move_funding_end(right, right.ended_on, ended_on)
            right.ended_on = ended_on
            graduation = Graduation.objects.filter(study_right=right).first()
            if graduation is not None and ended_on is not None:
                graduation.graduated_on = ended_on
                graduation.save()
        right.status = status
        _bump(right)
    return periods[index]


def _check_funding_start(right: StudyRight, started_on: dt.date) -> None:
    first = right.funding_periods.order_by("valid_from").first()
    if first is None or started_on == right.started_on:
        return
    if first.valid_to is not None and started_on >= first.valid_to:
        raise ValidationError(
            {"valid_from": [_("The studies cannot start after the first funding source ends.")]}
        )


def _move_funding_start(right: StudyRight, started_on: dt.date) -> None:
    """The first funding source began with the studies; it moves with their start."""
    first = right.funding_periods.order_by("valid_from").first()
    if first is not None and (
        first.valid_from == right.started_on or first.valid_from < started_on
    ):
        first.valid_from = started_on
        first.save()


def _move_funding_end(right: StudyRight, old_end: dt.date | None, new_end: dt.date | None) -> None:
    """The funding closed with the studies ends on the corrected end date."""
    if old_end is None or new_end is None:
        return
    closed = right.funding_periods.filter(valid_to=old_end, valid_from__lt=new_end).first()
    if closed is not None:
        closed.valid_to = new_end
        closed.save()


# --- Funding ---------------------------------------------------------------------------------


@service
def funding_change(
    *, actor: Actor, study_right: StudyRight, source: ClassifierValue, valid_from: dt.date
) -> FundingPeriod:
    """A new funding source from `valid_from`; the one in force ends that day."""
    _check_classifier(source, FUNDING_SOURCES, "source")
    right = _lock(actor, study_right)
    if valid_from < right.started_on:
        raise ValidationError(
            {
                "valid_from": [
                    _("The funding cannot start before the studies (%(date)s).")
                    % {"date": right.started_on}
                ]
            }
        )
    if right.ended_on is not None and valid_from >= right.ended_on:
        raise ValidationError(
            {"valid_from": [_("The studies ended on %(date)s.") % {"date": right.ended_on}]}
        )
    current = right.funding_periods.filter(valid_to__isnull=True).first()
    if current is not None and valid_from <= current.valid_from:
        raise ValidationError(
            {
                "valid_from": [
                    _("The new funding source must start after the current one (%(date)s).")
                    % {"date": current.valid_from}
                ]
            }
        )
    if current is not None and current.source_id == source.pk:
        raise ValidationError({"source": [_("This is already the funding source.")]})
    later = right.funding_periods.filter(valid_from__gte=valid_from).exists()
    if later:
        raise ValidationError({"valid_from": [_("A later funding source is already recorded.")]})
    with acting_as(actor):
        if current is not None:
            current.valid_to = valid_from
            current.save()
        funding = FundingPeriod(study_right=right, source=source, valid_from=valid_from)
        funding.full_clean()
        funding.save()
        _bump(right)
    return funding


# --- Prior education, mobility, results ------------------------------------------------------


@service
def prior_education_add(
    *, actor: Actor, study_right: StudyRight, kind: str, **fields: Any
) -> PriorEducation:
    """A document that gave access to the studies: from the Pupil Register, a credential, or a
    foreign document with its country and recognition decision."""
    right = _lock(actor, study_right)
    record = PriorEducation(study_right=right, kind=kind, **fields)
    if kind == PriorEducationKind.FOREIGN and not record.recognition_decision.strip():
        raise ValidationError(
            {"recognition_decision": [_("Give the recognition decision of the foreign document.")]}
        )
    _check_classifier(
        cast(ClassifierValue | None, record.document_type), "document-type", "document_type"
    )
    with acting_as(actor):
        record.full_clean()
        record.save()
        _bump(right)
    return record


@service
def mobility_add(
    *,
    actor: Actor,
    study_right: StudyRight,
    host_institution: str,
    host_country: str,
    valid_from: dt.date,
    valid_to: dt.date,
    programme_name: str = "",
    credits_earned: Decimal = Decimal(0),
    credits_recognised: Decimal = Decimal(0),
) -> Mobility:
    """Partial studies at a host institution (e.g. Erasmus+): dates within the studies, and no
    more credits recognised than earned."""
    right = _lock(actor, study_right)
    if valid_from < right.started_on:
        raise ValidationError(
            {
                "valid_from": [
                    _("Partial studies cannot start before the studies (%(date)s).")
                    % {"date": right.started_on}
                ]
            }
        )
    if valid_to <= valid_from:
        raise ValidationError({"valid_to": [_("The end must come after the start.")]})
    if Decimal(credits_recognised) > Decimal(credits_earned):
        raise ValidationError(
            {"credits_recognised": [_("No more credits can be recognised than were earned.")]}
        )
    mobility = Mobility(
        study_right=right,
        host_institution=host_institution.strip(),
        host_country=host_country.strip().upper(),
        programme_name=programme_name.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        credits_earned=credits_earned,
        credits_recognised=credits_recognised,
    )
    with acting_as(actor):
        mobility.full_clean()
        mobility.save()
        _bump(right)
    return mobility


@service
def result_add(
    *,
    actor: Actor,
    study_right: StudyRight,
    semester: int,
    course_unit_code: str,
    course_unit_title: str,
    credits: Decimal,
    assessed_on: dt.date,
    grade: int | None = None,
    passed: bool | None = None,
    source_system: str = "",
    local_id: str = "",
) -> Result:
    """A course unit result: credits and either a grade on the 10-point scale (1..10) or
    pass/fail. With (source_system, local_id) the call is an upsert: the same key updates the
    result it recorded before."""
    right = _lock(actor, study_right)
    if (grade is None) == (passed is None):
        raise ValidationError(
            {"grade": [_("Give either a grade from 1 to 10 or pass/fail, not both.")]}
        )
    if grade is not None and not 1 <= grade <= 10:
        raise ValidationError({"grade": [_("A grade is from 1 to 10.")]})
    if Decimal(credits) <= 0:
        raise ValidationError({"credits": [_("Credits must be more than zero.")]})
    if assessed_on < right.started_on:
        raise ValidationError(
            {
                "assessed_on": [
                    _("A result cannot come before the studies (%(date)s).")
                    % {"date": right.started_on}
                ]
            }
        )
    existing = None
    if source_system and local_id:
        existing = Result.objects.filter(source_system=source_system, local_id=local_id).first()
        if existing is not None and existing.study_right_id != right.pk:
            raise ValidationError(
                {"local_id": [_("This key already identifies a result of another study right.")]}
            )
    result = existing or Result(study_right=right, source_system=source_system, local_id=local_id)
    result.semester = semester
    result.course_unit_code = course_unit_code.strip()
    result.course_unit_title = course_unit_title.strip()
    result.credits = credits
    result.grade = grade
    result.passed = passed
    result.assessed_on = assessed_on
    with acting_as(actor):
        result.full_clean()
        result.save()
        _bump(right)
    return result


# --- Loans and scholarships ------------------------------------------------------------------


@service
def loan_record(
    *,
    actor: Actor,
    study_right: StudyRight,
    kind: str,
    amount: Decimal,
    granted_on: dt.date,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    source_system: str = "",
    local_id: str = "",
) -> StudyLoan:
    """A state-supported study loan; keyed by (source_system, local_id) when the lender's
    system sends it, so a repeated message updates the same loan."""
    right = _lock(actor, study_right)
    existing = None
    if source_system and local_id:
        existing = StudyLoan.objects.filter(source_system=source_system, local_id=local_id).first()
        if existing is not None and existing.study_right_id != right.pk:
            raise ValidationError(
                {"local_id": [_("This key already identifies a loan of another study right.")]}
            )
    if valid_to is not None and valid_to <= valid_from:
        raise ValidationError({"valid_to": [_("The end must come after the start.")]})
    if Decimal(amount) <= 0:
        raise ValidationError({"amount": [_("The amount must be more than zero.")]})
    loan = existing or StudyLoan(study_right=right, source_system=source_system, local_id=local_id)
    loan.kind, loan.amount, loan.granted_on = kind, amount, granted_on
    loan.valid_from, loan.valid_to = valid_from, valid_to
    with acting_as(actor):
        loan.full_clean()
        loan.save()
        _bump(right)
    return loan


@service
def scholarship_add(
    *,
    actor: Actor,
    study_right: StudyRight,
    kind: str,
    amount: Decimal,
    valid_from: dt.date,
    valid_to: dt.date,
    payer: str = "",
    source_system: str = "",
    local_id: str = "",
) -> Scholarship:
    """A scholarship paid for a period; keyed by (source_system, local_id) when the payer's
    system sends it, so a repeated message updates the same scholarship."""
    right = _lock(actor, study_right)
    existing = None
    if source_system and local_id:
        existing = Scholarship.objects.filter(
            source_system=source_system, local_id=local_id
        ).first()
        if existing is not None and existing.study_right_id != right.pk:
            raise ValidationError(
                {
                    "local_id": [
                        _("This key already identifies a scholarship of another study right.")
                    ]
                }
            )
    if valid_to <= valid_from:
        raise ValidationError({"valid_to": [_("The end must come after the start.")]})
    if Decimal(amount) <= 0:
        raise ValidationError({"amount": [_("The amount must be more than zero.")]})
    scholarship = existing or Scholarship(
        study_right=right, source_system=source_system, local_id=local_id
    )
    scholarship.kind, scholarship.amount, scholarship.payer = kind, amount, payer.strip()
    scholarship.valid_from, scholarship.valid_to = valid_from, valid_to
    with acting_as(actor):
        scholarship.full_clean()
        scholarship.save()
        _bump(right)
    return scholarship


# --- Comparing what an HEI's system sends with what is stored ----------------------------------

# Descriptive fields an upsert may change, through `study_right_update`.
UPSERT_UPDATABLE = (
    "cycle",
    "form",
    "course",
    "expected_end",
    "admission_basis",
    "student_card_number",
)
# Graduation texts compared for idempotency; corrected later only by the agency (back office).
GRADUATION_FIELDS = ("degree", "thesis_title", "diploma_reference")
# The services speak of `on` (the day of the step); a history speaks of a period's start.
HISTORY_EVENT_FIELDS = {"on": "valid_from"}

HistoryKey = tuple[str, Any, str | None, tuple[str, ...], int | None]


def _key(
    status_: str, valid_from: Any, leave_reason: Any, reasons: Any, course: int | None
) -> HistoryKey:
    """A period as far as the register keeps it for its status."""
    return (
        status_,
        valid_from,
        _code(leave_reason) if status_ == StudyStatus.ACADEMIC_LEAVE else None,
        tuple(sorted(r.code for r in reasons))
        if status_ in (StudyStatus.INTERRUPTED, StudyStatus.TERMINATED)
        else (),
        course if status_ == StudyStatus.STUDYING else None,
    )


def stored_history(right: StudyRight) -> list[HistoryKey]:
    periods = sorted(right.periods.all(), key=lambda p: (p.valid_from, p.pk))
    keys = [
        _key(p.status, p.valid_from, p.leave_reason, p.reasons.all(), p.course) for p in periods
    ]
    if keys:  # the first period is the start of the studies, with no course returned to
        keys[0] = (*keys[0][:4], None)
    return keys


def given_history(values: Mapping[str, Any]) -> list[tuple[int | None, HistoryKey]]:
    """The sent history with each period's index in `periods` (None for the implied start)."""
    periods = values["periods"]
    start = _key(StudyStatus.STUDYING, values["started_on"], None, (), None)
    keyed = [
        (
            index,
            _key(
                p["status"],
                p["valid_from"],
                p.get("leave_reason"),
                p.get("reasons", ()),
                p.get("course"),
            ),
        )
        for index, p in enumerate(periods)
    ]
    if keyed and keyed[0][1][:2] == start[:2]:
        return [(0, start), *keyed[1:]]
    return [(None, start), *keyed]


def _stored_graduation(right: StudyRight) -> dict[str, Any] | None:
    graduation = getattr(right, "graduation", None)
    if graduation is None:
        return None
    return {
        **{name: getattr(graduation, name) for name in GRADUATION_FIELDS},
        "qualification": graduation.qualification_id,
    }


def _sent_graduation(values: Mapping[str, Any]) -> dict[str, Any] | None:
    sent = values.get("graduation")
    if not sent:
        return None
    qualification = sent.get("qualification")
    return {
        **{name: (sent.get(name) or "").strip() for name in GRADUATION_FIELDS},
        "qualification": qualification.pk if qualification else None,
    }


def _first_funding_source(right: StudyRight) -> Any:
    funding = sorted(right.funding_periods.all(), key=lambda f: f.valid_from)
    return funding[0].source_id if funding else None


def _immutable_difference(right: StudyRight, values: Mapping[str, Any]) -> str | None:
    """The first field that says this is another study right, if any."""
    if values["person"] != right.person.public_id:
        return "person"
    if values.get("institution") is not None and values["institution"].pk != right.institution_id:
        return "institution"
    if values["programme"].pk != right.programme_id:
        return "programme"
    if values["started_on"] != right.started_on:
        return "started_on"
    if "funding_source" in values:
        sent = values["funding_source"].pk if values["funding_source"] else None
        if sent != _first_funding_source(right):
            return "funding_source"
    return None


def _normalised(name: str, value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def descriptive_changes(right: StudyRight, values: Mapping[str, Any]) -> dict[str, Any]:
    """The descriptive fields sent that differ from the stored ones (a blank cycle means the
    programme's, so it is not a change)."""
    changes = {}
    for name in UPSERT_UPDATABLE:
        if name not in values or (name == "cycle" and not values[name]):
            continue
        sent = _normalised(name, values[name])
        if sent != getattr(right, name):
            changes[name] = sent
    return changes


# --- Recording the history through the services -----------------------------------------------


def _rekeyed_under(exc: ValidationError, prefix: str, renames: dict[str, str]) -> Any:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    errors: dict[str, list[str]] = {}
    for name, texts in messages.items():
        field = prefix if name == "__all__" else f"{prefix}.{renames.get(name, name)}"
        errors.setdefault(field, []).extend(texts)
    return ValidationError(errors)


def _record_step(
    actor: Actor, right: StudyRight, period: dict[str, Any], current: str, values: Mapping[str, Any]
) -> None:
    on, wanted = period["valid_from"], period["status"]
    if wanted == StudyStatus.ACADEMIC_LEAVE:
        leave_start(
            # A missing reason is refused by the service, naming the field.
            actor=actor,
            study_right=right,
            on=on,
            leave_reason=cast(Any, period.get("leave_reason")),
        )
    elif wanted == StudyStatus.STUDYING and current == StudyStatus.INTERRUPTED:
        interruption_end(actor=actor, study_right=right, on=on, course=period.get("course"))
    elif wanted == StudyStatus.STUDYING:
        leave_end(actor=actor, study_right=right, on=on, course=period.get("course"))
    elif wanted == StudyStatus.INTERRUPTED:
        interruption_start(actor=actor, study_right=right, on=on, reasons=period.get("reasons", []))
    elif wanted == StudyStatus.TERMINATED:
        terminate(actor=actor, study_right=right, on=on, reasons=period.get("reasons", []))
    elif wanted == StudyStatus.GRADUATED:
        graduation = values["graduation"]
        try:
            graduate(
                actor=actor,
                study_right=right,
                on=on,
                degree=graduation["degree"],
                qualification=graduation.get("qualification"),
                thesis_title=graduation.get("thesis_title", ""),
                diploma_reference=graduation.get("diploma_reference", ""),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "degree" in exc.error_dict:
                raise _rekeyed_under(exc, "graduation", {}) from exc
            raise


def record_history(
    actor: Actor,
    right: StudyRight,
    steps: list[tuple[int | None, HistoryKey]],
    values: Mapping[str, Any],
) -> None:
    """Record the new periods in order through the services; a refusal names the period."""
    if not steps:
        return
    current = right.status
    periods = values["periods"]
    for index, _step in steps:
        assert index is not None  # the implied start is never a new step
        period = periods[index]
        try:
            _record_step(actor, right, period, current, values)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and any(
                k.startswith("graduation") for k in exc.error_dict
            ):
                raise
            raise _rekeyed_under(exc, f"periods[{index}]", HISTORY_EVENT_FIELDS) from exc
        current = period["status"]


# --- The HEI system's upsert ------------------------------------------------------------------


def person_to_admit(
    *, actor: Actor, public_id: Any = None, personal_code: str | None = None, field: str = "person"
) -> Person:
    """The student a new study right is for, found by public id (the API) or personal code (a
    file import) whether or not the HEI sees them yet (`selectors.person_for_study_right`
    checks the caller and logs the look-up); an unknown one is refused on `field`."""
    found = selectors.person_for_study_right(
        actor=actor, public_id=public_id, personal_code=personal_code
    )
    if found is None:
        raise refusal(field, _("Unknown person."), "does_not_exist")
    return found


def own_institution(actor: Actor, given: Institution | None, field: str) -> Institution:
    """The HEI named in the body, else the system client's own one."""
    if given is None and actor.kind == ActorKind.CLIENT and actor.client is not None:
        given = actor.client.institution
    if given is None:
        raise refusal(field, _("Give the institution's register id."), "required")
    return given


def _open_upserted(actor: Actor, key: dict[str, str], values: Mapping[str, Any]) -> StudyRight:
    """A new study right with its whole status history, written at once.

    Every rule of the step services (`leave_start`, `leave_end`, `interruption_start`,
    `interruption_end`, `terminate`, `graduate`) and of `study_right_open` and
    `study_right_update` is applied in memory, step by step and in their order, with their
    messages under the period's name (`_plan_history`); then the right, its periods, their
    reasons, its funding and graduation are inserted in one statement each, with their
    versions and change-log rows (`bulk_create_with_audit` inside the upsert's deferred
    audit). Nothing is read back: the answer is the record as written."""
    funding_source = values.get("funding_source")
    right = _new_right(
        actor=actor,
        person=person_to_admit(actor=actor, public_id=values["person"]),
        institution=own_institution(actor, values.get("institution"), "institution"),
        programme=values["programme"],
        form=values["form"],
        started_on=values["started_on"],
        cycle=values.get("cycle") or "",
        course=values.get("course") or 1,
        expected_end=values.get("expected_end"),
        admission_basis=values.get("admission_basis", ""),
        student_card_number=values.get("student_card_number", ""),
        funding_source=funding_source,
        source_system=key["source_system"],
        local_id=key["local_id"],
    )
    plan = _plan_history(right, values)
    # `_update`: the descriptive fields as sent, after the history (a return sets the course).
    for name, value in descriptive_changes(right, values).items():
        setattr(right, name, value)
    if right.expected_end is not None and right.expected_end <= right.started_on:
        raise ValidationError(
            {"expected_end": [_("The expected end must come after the start of the studies.")]}
        )
    if not 1 <= right.course <= MAX_COURSE:  # held by the database as well
        raise ValidationError(
            {"course": [_("The course must be from 1 to %(max)s.") % {"max": MAX_COURSE}]}
        )
    _clean_new(right, exclude=["person", "institution", "programme", "transferred_from"])
    funding = []
    if funding_source is not None:
        funding.append(
            FundingPeriod(
                study_right=right,
                source=funding_source,
                valid_from=right.started_on,
                # `_close_funding`: the funding in force ends with the studies
                valid_to=right.ended_on,
            )
        )
    with acting_as(actor):
        right.save()
        for period in plan.periods:
            period.study_right = right
        periods = bulk_create_with_audit(StatusPeriod, plan.periods, m2m={"reasons": plan.reasons})
        for period, reasons in zip(periods, plan.reasons, strict=True):
            _loaded(period, reasons=reasons)
        if funding:
            bulk_create_with_audit(FundingPeriod, funding)
        if plan.graduation is not None:
            plan.graduation.study_right = right
            plan.graduation.save()
    return selectors.as_written(right, periods=periods, funding=funding, graduation=plan.graduation)


def _clean_new(record: Any, *, exclude: list[str]) -> None:
    """Field validation of a new record whose related rows are in hand (checked when they
    were found) and whose constraints the database holds, with the same rules checked
    before by the service: no query, no savepoint."""
    record.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _loaded(period: StatusPeriod, *, reasons: list[ClassifierValue]) -> None:
    period._prefetched_objects_cache = {"reasons": selectors.prefetched(period.reasons, reasons)}


@dataclass
class _Plan:
    """A new study right's status history as it will be written."""

    periods: list[StatusPeriod]
    reasons: list[list[ClassifierValue]]
    graduation: Graduation | None = None


def _plan_history(right: StudyRight, values: Mapping[str, Any]) -> _Plan:
    """The periods after the start, checked as `record_history` records them through the
    step services — the same checks in the same order with the same refusals, the timeline
    validated once, step by step (`timeline.check_appended`) — and `right` brought to its
    status, course and end, in memory."""
    start = StatusPeriod(status=StudyStatus.STUDYING, valid_from=right.started_on)
    plan = _Plan(periods=[start], reasons=[[]])
    proposed = [timeline.Period(status=StudyStatus.STUDYING, valid_from=right.started_on)]
    if values.get("periods") is None:
        return plan
    current = right.status
    for index, _step in given_history(values)[1:]:
        assert index is not None  # the implied start is never a new step
        period = values["periods"][index]
        try:
            _plan_step(right, plan, proposed, period, current, values)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and any(
                k.startswith("graduation") for k in exc.error_dict
            ):
                raise
            raise _rekeyed_under(exc, f"periods[{index}]", HISTORY_EVENT_FIELDS) from exc
        current = period["status"]
    return plan


def _plan_step(
    right: StudyRight,
    plan: _Plan,
    proposed: list[timeline.Period],
    period: Mapping[str, Any],
    current: str,
    values: Mapping[str, Any],
) -> None:
    """One step of `_record_step`: the step service's own checks, then `_change_status`'s."""
    on, wanted = period["valid_from"], period["status"]
    leave_reason, reasons, course = None, [], None
    returning_from = None
    if wanted == StudyStatus.ACADEMIC_LEAVE:
        leave_reason = period.get("leave_reason")
        if leave_reason is None:
            raise ValidationError({"leave_reason": [_("Give the reason for the academic leave.")]})
        _check_classifier(leave_reason, LEAVE_REASONS, "leave_reason")
    elif wanted == StudyStatus.STUDYING:
        course = period.get("course")
        returning_from = (
            StudyStatus.INTERRUPTED
            if current == StudyStatus.INTERRUPTED
            else StudyStatus.ACADEMIC_LEAVE
        )
    elif wanted in (StudyStatus.INTERRUPTED, StudyStatus.TERMINATED):
        reasons = list(period.get("reasons", []))
        _check_reasons(reasons)
    elif wanted == StudyStatus.GRADUATED:
        graduation = values["graduation"]
        if not (graduation["degree"] or "").strip():
            raise _rekeyed_under(
                ValidationError({"degree": [_("Give the degree awarded.")]}), "graduation", {}
            )
    else:
        return  # `_record_step` records no other step
    try:
        _check_change(right, proposed, wanted, on, leave_reason, course, reasons, returning_from)
    except ValidationError as exc:
        raise _rekeyed(exc, EVENT_FIELDS) from exc
    plan.periods[-1].valid_to = on
    plan.periods.append(
        StatusPeriod(status=wanted, valid_from=on, leave_reason=leave_reason, course=course)
    )
    plan.reasons.append(reasons)
    _clean_new(plan.periods[-1], exclude=["study_right"])
    right.status = wanted
    if wanted in END_STATUSES:
        right.ended_on = on
    if course is not None:
        right.course = course
    if wanted == StudyStatus.GRADUATED:
        graduation = values["graduation"]
        plan.graduation = Graduation(
            graduated_on=on,
            qualification=graduation.get("qualification"),
            degree=graduation["degree"].strip(),
            thesis_title=graduation.get("thesis_title", "").strip(),
            diploma_reference=graduation.get("diploma_reference", "").strip(),
        )
        _clean_new(plan.graduation, exclude=["study_right", "qualification"])


def _check_change(
    right: StudyRight,
    proposed: list[timeline.Period],
    status: str,
    on: dt.date | None,
    leave_reason: ClassifierValue | None,
    course: int | None,
    reasons: Sequence[ClassifierValue],
    returning_from: str | None,
) -> None:
    """`_change_status`'s checks, on the timeline in memory (extended when they pass)."""
    if on is None:
        raise ValidationError({"on": [_("Give the date.")]})
    if returning_from is not None and right.is_open and right.status != returning_from:
        if returning_from == StudyStatus.ACADEMIC_LEAVE:
            raise ValidationError({"status": [_("The student is not on academic leave.")]})
        raise ValidationError({"status": [_("The studies are not interrupted.")]})
    timeline.check_transition(right.status, status)
    extended = [
        *proposed[:-1],
        replace(proposed[-1], valid_to=on),
        timeline.Period(
            status=status,
            valid_from=on,
            leave_reason=leave_reason.code if leave_reason else None,
            course=course,
            reasons=tuple(sorted(r.code for r in reasons)),
        ),
    ]
    timeline.check_appended(right.started_on, extended)
    proposed[:] = extended


@dataclass(frozen=True)
class _Comparison:
    immutable: str | None
    history_differs: bool
    graduation_differs: bool
    new_steps: list[tuple[int | None, HistoryKey]]
    changes: dict[str, Any]

    @property
    def differs(self) -> bool:
        return bool(
            self.immutable
            or self.history_differs
            or self.graduation_differs
            or self.new_steps
            or self.changes
        )


def _compare(right: StudyRight, values: Mapping[str, Any]) -> _Comparison:
    new_steps: list[tuple[int | None, HistoryKey]] = []
    history_differs = False
    if values.get("periods") is not None:
        stored, given = stored_history(right), given_history(values)
        history_differs = [k for _i, k in given[: len(stored)]] != stored
        new_steps = given[len(stored) :] if not history_differs else []
    sent_graduation = _sent_graduation(values)
    stored_graduation = _stored_graduation(right)
    return _Comparison(
        immutable=_immutable_difference(right, values),
        history_differs=history_differs,
        graduation_differs=sent_graduation is not None
        and stored_graduation is not None
        and sent_graduation != stored_graduation,
        new_steps=new_steps,
        changes=descriptive_changes(right, values),
    )


def _apply_upserted(actor: Actor, right: StudyRight, values: Mapping[str, Any]) -> StudyRight:
    """Write what an upsert of an existing right may change; refuse the rest, naming it."""
    comparison = _compare(right, values)
    if comparison.immutable:
        raise refusal(
            comparison.immutable,
            _(
                "A study right's student, HEI, programme, start and first funding source do not "
                "change by upsert: record a transfer, a period correction or a funding change "
                "with the study right's actions."
            ),
            "immutable",
        )
    if comparison.history_differs:
        raise refusal(
            "periods",
            _(
                "The recorded status history does not change by upsert: send it unchanged with "
                "any new periods after it, and correct recorded dates with the period-correction "
                "action."
            ),
            "immutable",
        )
    if comparison.graduation_differs:
        raise refusal(
            "graduation",
            _("A recorded graduation does not change by upsert."),
            "immutable",
        )
    record_history(actor, right, comparison.new_steps, values)
    _update(actor, selectors.reloaded(right), values)
    return selectors.reloaded(right)


@dataclass(frozen=True)
class StudyRightReferences:
    """The programmes and funding sources a batch of study rights names by code, read once.

    A channel that sends codes (the file import; the API resolves them in its serializers)
    asks here, so a code the register does not know is refused by the students service with
    the same field, code and message whichever channel sent it."""

    programmes: Mapping[str, Programme]
    funding_sources: Mapping[str, ClassifierValue]

    def programme(self, code: str) -> Programme:
        try:
            return self.programmes[code]
        except KeyError:
            raise refusal("programme", _("Unknown programme."), "does_not_exist") from None

    def funding_source(self, code: str) -> ClassifierValue | None:
        """The funding source of a code, or None when none was sent."""
        if not code:
            return None
        try:
            return self.funding_sources[code]
        except KeyError:
            raise refusal(
                "funding_source", _("Choose a value from the right list."), "does_not_exist"
            ) from None


def study_right_references(*, programme_codes: Iterable[str]) -> StudyRightReferences:
    """The references of a batch in two statements, whatever its size."""
    programmes = Programme.objects.filter(state_code__in=set(programme_codes))
    funding = ClassifierValue.objects.of(FUNDING_SOURCES).select_related("classifier")
    return StudyRightReferences(
        programmes={p.state_code: p for p in programmes},
        funding_sources={v.code: v for v in funding},
    )


@service
def study_right_upsert(
    *, actor: Actor, source_system: str, local_id: str, values: Mapping[str, Any]
) -> Upserted[StudyRight]:
    """Open the study right keyed by the HEI system's (source system, local id), or confirm or
    update the stored one, applied whole or not at all.

    A new key opens the right and records each later period of `periods` through the service
    of that step (leave, return, interruption, termination, graduation), so every rule of the
    register applies and a refusal names the period. An existing key is unchanged when the
    content is what is stored; otherwise the `version` must be the current one (stale or
    missing: a conflict), and then descriptive fields are updated with `study_right_update`
    and new periods appended through the services. What a study right is — its person, HEI,
    programme, start and first funding — and periods already recorded do not change by
    upsert: the transfer and period-correction actions change them.
    """
    key = {"source_system": source_system, "local_id": local_id}
    return upsert_by_key(
        scoped=selectors.student_rights_in_scope(actor=actor),
        source_system=source_system,
        local_id=local_id,
        expected_version=values.get("version"),
        missing_version=MissingVersion.CONFLICT,
        differs=lambda right: _compare(right, values).differs,
        create=lambda: _open_upserted(actor, key, values),
        update=lambda right: _apply_upserted(actor, right, values),
        prepare=selectors.with_history,
    )


def _update(actor: Actor, right: StudyRight, values: Mapping[str, Any]) -> None:
    """Bring the descriptive fields to what was sent (after the history: a return sets the
    course, and the record says the course now)."""
    changes = descriptive_changes(right, values)
    if changes:
        study_right_update(actor=actor, study_right=right, **changes)


# --- Results and loans sent by source systems -----------------------------------------------

RESULT_FIELDS = (
    "semester",
    "course_unit_code",
    "course_unit_title",
    "credits",
    "grade",
    "passed",
    "assessed_on",
)
LOAN_FIELDS = ("kind", "amount", "granted_on", "valid_from", "valid_to")


def _keyed_differs(
    record: Any,
    right: StudyRight,
    values: Mapping[str, Any],
    fields: tuple[str, ...],
    elsewhere: str,
) -> bool:
    """Whether a keyed record differs from what is sent; one of another study right the actor
    sees is refused (one it does not see never reaches here: it answers 404)."""
    if record.study_right_id != right.pk:
        raise refusal("local_id", elsewhere)
    return any(getattr(record, name) != values.get(name) for name in fields)


def _results_in_scope(actor: Actor) -> Any:
    return Result.objects.filter(study_right__in=selectors.student_rights_in_scope(actor=actor))


@service
def result_upsert(
    *,
    actor: Actor,
    study_right: StudyRight,
    source_system: str = "",
    local_id: str = "",
    values: Mapping[str, Any],
) -> Upserted[Result]:
    """A course unit result sent by the HEI's system: with (source system, local id) an upsert
    (created, unchanged or updated); without, always a new result. The rules are
    `result_add`'s."""
    if not (source_system and local_id):
        return Upserted(result_add(actor=actor, study_right=study_right, **values), Outcome.CREATED)

    def write(_existing: Result | None = None) -> Result:
        return result_add(
            actor=actor,
            study_right=study_right,
            source_system=source_system,
            local_id=local_id,
            **values,
        )

    return upsert_by_key(
        scoped=_results_in_scope(actor),
        source_system=source_system,
        local_id=local_id,
        versioned=False,
        differs=lambda result: _keyed_differs(
            result,
            study_right,
            values,
            RESULT_FIELDS,
            _("This key already identifies a result of another study right."),
        ),
        create=write,
        update=write,
    )


@service
def loan_upsert(
    *,
    actor: Actor,
    study_right: StudyRight,
    source_system: str,
    local_id: str,
    values: Mapping[str, Any],
) -> Upserted[StudyLoan]:
    """A study loan sent by the loans system, keyed by its (source system, local id): created,
    unchanged or updated (a loan sent without `valid_to` has none). The rules are
    `loan_record`'s."""
    values = {"valid_to": None, **values}

    def write(_existing: StudyLoan | None = None) -> StudyLoan:
        return loan_record(
            actor=actor,
            study_right=study_right,
            source_system=source_system,
            local_id=local_id,
            **values,
        )

    return upsert_by_key(
        scoped=StudyLoan.objects.filter(
            study_right__in=selectors.student_rights_in_scope(actor=actor)
        ),
        source_system=source_system,
        local_id=local_id,
        versioned=False,
        differs=lambda loan: _keyed_differs(
            loan,
            study_right,
            values,
            LOAN_FIELDS,
            _("This key already identifies a loan of another study right."),
        ),
        create=write,
        update=write,
    )


SCHOLARSHIP_FIELDS = ("kind", "amount", "valid_from", "valid_to", "payer")


@service
def scholarship_upsert(
    *,
    actor: Actor,
    study_right: StudyRight,
    source_system: str,
    local_id: str,
    values: Mapping[str, Any],
) -> Upserted[Scholarship]:
    """A scholarship sent by the payer's system (the support system's social scholarships),
    keyed by its (source system, local id): created, unchanged or updated. The rules are
    `scholarship_add`'s."""
    values = {"payer": "", **values}

    def write(_existing: Scholarship | None = None) -> Scholarship:
        return scholarship_add(
            actor=actor,
            study_right=study_right,
            source_system=source_system,
            local_id=local_id,
            **values,
        )

    return upsert_by_key(
        scoped=Scholarship.objects.filter(
            study_right__in=selectors.student_rights_in_scope(actor=actor)
        ),
        source_system=source_system,
        local_id=local_id,
        versioned=False,
        differs=lambda scholarship: _keyed_differs(
            scholarship,
            study_right,
            values,
            SCHOLARSHIP_FIELDS,
            _("This key already identifies a scholarship of another study right."),
        ),
        create=write,
        update=write,
    )


def reasons_from_codes(codes: Iterable[str]) -> list[ClassifierValue]:
    """Termination or interruption reasons by their classifier codes (for imports and APIs)."""
    codes = list(codes)
    values = list(ClassifierValue.objects.of(TERMINATION_REASONS).filter(code__in=codes))
    missing = sorted(set(codes) - {v.code for v in values})
    if missing:
        raise ValidationError(
            {"reasons": [_("Unknown reason: %(codes)s.") % {"codes": ", ".join(missing)}]}
        )
    return values
