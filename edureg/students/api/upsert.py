"""The idempotent upsert of a study right with its status history (DESIGN.md §5).

An HEI's system sends a study right as it holds it, keyed by (source system, local id),
optionally with the status history. A new key opens the right through the services and records
each later period through the service of that step (leave, return, interruption, termination,
graduation), so every rule of the register applies and a refusal names the period. An existing
key answers 200 and writes nothing when the content is what is stored; otherwise the caller's
`version` must be the current one (409 if stale or missing), and then descriptive fields are
updated with `study_right_update` and new periods appended through the services. What a study
right is — its person, HEI, programme, start and first funding — and periods already recorded
do not change by upsert: the transfer and period-correction actions change them.
"""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import status

from edureg.core.api.errors import field_error, stale_version
from edureg.core.context import Actor, ActorKind
from edureg.institutions.models import Institution
from edureg.people.models import Person
from edureg.students import selectors, services
from edureg.students.models import FundingPeriod, StatusPeriod, StudyRight, StudyStatus

# Descriptive fields an upsert may change, through `services.study_right_update`.
UPDATABLE = ("cycle", "form", "course", "expected_end", "admission_basis", "student_card_number")
# Graduation texts compared for idempotency; corrected later only by the agency (back office).
GRADUATION_FIELDS = ("degree", "thesis_title", "diploma_reference")
# The services speak of `on` (the day of the step); a history speaks of a period's start.
EVENT_FIELDS = {"on": "valid_from"}

HistoryKey = tuple[str, Any, str | None, tuple[str, ...], int | None]


# --- Look-ups ---------------------------------------------------------------------------------


def person(actor: Actor, public_id: Any, field: str = "person") -> Person:
    """The student a new study right is for, found by public id whether or not the HEI sees
    them yet (`selectors.person_for_study_right` checks the caller and logs the look-up)."""
    found = selectors.person_for_study_right(actor=actor, public_id=public_id)
    if found is None:
        raise field_error(field, _("Unknown person."), "does_not_exist")
    return found


def own_institution(actor: Actor, given: Institution | None, field: str) -> Institution:
    """The HEI named in the body, else the system client's own one."""
    if given is None and actor.kind == ActorKind.CLIENT and actor.client is not None:
        given = actor.client.institution
    if given is None:
        raise field_error(field, _("Give the institution's register id."), "required")
    return given


def with_history(rights: QuerySet[StudyRight]) -> QuerySet[StudyRight]:
    """Study rights with what the detail shows, in a fixed number of queries."""
    return rights.select_related(
        "person",
        "institution",
        "programme",
        "transferred_from",
        "transferred_to",
        "graduation__qualification",
    ).prefetch_related(
        Prefetch(
            "periods",
            queryset=StatusPeriod.objects.select_related("leave_reason")
            .prefetch_related("reasons")
            .order_by("valid_from", "id"),
        ),
        Prefetch(
            "funding_periods",
            queryset=FundingPeriod.objects.select_related("source").order_by("valid_from"),
        ),
    )


def reloaded(right: StudyRight) -> StudyRight:
    """The right as stored after a write (the caller has already read it in scope)."""
    return with_history(StudyRight.objects.all()).get(pk=right.pk)


# --- Comparing what is sent with what is stored -----------------------------------------------


def _code(value: Any) -> str | None:
    return value.code if value is not None else None


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


def given_history(values: dict[str, Any]) -> list[tuple[int | None, HistoryKey]]:
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


def _sent_graduation(values: dict[str, Any]) -> dict[str, Any] | None:
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


def _immutable_difference(right: StudyRight, values: dict[str, Any]) -> str | None:
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


def descriptive_changes(right: StudyRight, values: dict[str, Any]) -> dict[str, Any]:
    """The descriptive fields sent that differ from the stored ones (a blank cycle means the
    programme's, so it is not a change)."""
    changes = {}
    for name in UPDATABLE:
        if name not in values or (name == "cycle" and not values[name]):
            continue
        sent = _normalised(name, values[name])
        if sent != getattr(right, name):
            changes[name] = sent
    return changes


# --- Recording the history through the services -----------------------------------------------


def _rekeyed(exc: DjangoValidationError, prefix: str, renames: dict[str, str]) -> Any:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    errors: dict[str, list[str]] = {}
    for name, texts in messages.items():
        field = prefix if name == "__all__" else f"{prefix}.{renames.get(name, name)}"
        errors.setdefault(field, []).extend(texts)
    return DjangoValidationError(errors)


def _record_step(
    actor: Actor, right: StudyRight, period: dict[str, Any], current: str, values: dict[str, Any]
) -> None:
    on, wanted = period["valid_from"], period["status"]
    if wanted == StudyStatus.ACADEMIC_LEAVE:
        services.leave_start(
            # A missing reason is refused by the service, naming the field.
            actor=actor,
            study_right=right,
            on=on,
            leave_reason=cast(Any, period.get("leave_reason")),
        )
    elif wanted == StudyStatus.STUDYING and current == StudyStatus.INTERRUPTED:
        services.interruption_end(
            actor=actor, study_right=right, on=on, course=period.get("course")
        )
    elif wanted == StudyStatus.STUDYING:
        services.leave_end(actor=actor, study_right=right, on=on, course=period.get("course"))
    elif wanted == StudyStatus.INTERRUPTED:
        services.interruption_start(
            actor=actor, study_right=right, on=on, reasons=period.get("reasons", [])
        )
    elif wanted == StudyStatus.TERMINATED:
        services.terminate(actor=actor, study_right=right, on=on, reasons=period.get("reasons", []))
    elif wanted == StudyStatus.GRADUATED:
        graduation = values["graduation"]
        try:
            services.graduate(
                actor=actor,
                study_right=right,
                on=on,
                degree=graduation["degree"],
                qualification=graduation.get("qualification"),
                thesis_title=graduation.get("thesis_title", ""),
                diploma_reference=graduation.get("diploma_reference", ""),
            )
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict") and "degree" in exc.error_dict:
                raise _rekeyed(exc, "graduation", {}) from exc
            raise


def record_history(
    actor: Actor,
    right: StudyRight,
    steps: list[tuple[int | None, HistoryKey]],
    values: dict[str, Any],
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
        except DjangoValidationError as exc:
            if hasattr(exc, "error_dict") and any(
                k.startswith("graduation") for k in exc.error_dict
            ):
                raise
            raise _rekeyed(exc, f"periods[{index}]", EVENT_FIELDS) from exc
        current = period["status"]


# --- The upsert -------------------------------------------------------------------------------


def _open(actor: Actor, key: dict[str, str], values: dict[str, Any]) -> StudyRight:
    try:
        right = services.study_right_open(
            actor=actor,
            person=person(actor, values["person"]),
            institution=own_institution(actor, values.get("institution"), "institution"),
            programme=values["programme"],
            form=values["form"],
            started_on=values["started_on"],
            cycle=values.get("cycle") or "",
            course=values.get("course") or 1,
            expected_end=values.get("expected_end"),
            admission_basis=values.get("admission_basis", ""),
            student_card_number=values.get("student_card_number", ""),
            funding_source=values.get("funding_source"),
            source_system=key["source_system"],
            local_id=key["local_id"],
        )
    except (DjangoValidationError, IntegrityError):
        # Another request created the same key at the same moment.
        if StudyRight.objects.filter(**key).exists():
            raise stale_version(
                _("The record was created meanwhile: read it and try again.")
            ) from None
        raise
    if values.get("periods") is not None:
        record_history(actor, right, given_history(values)[1:], values)
    return right


def study_right_upsert(
    *, actor: Actor, source_system: str, local_id: str, values: dict[str, Any]
) -> tuple[StudyRight, int]:
    """Create the study right keyed by (source system, local id), or confirm or update the
    stored one; the HTTP status to answer. `values` are a StudyRightUpsertSerializer's
    validated data. Run it in a transaction: a record is applied whole or not at all."""
    key = {"source_system": source_system, "local_id": local_id}
    existing = with_history(selectors.student_rights_in_scope(actor=actor)).filter(**key).first()
    if existing is None:
        # The key is taken by a right the caller may not see: the same answer as unknown.
        if StudyRight.objects.filter(**key).exists():
            raise Http404
        right = _open(actor, key, values)
        _update(actor, reloaded(right), values)
        return reloaded(right), status.HTTP_201_CREATED

    immutable = _immutable_difference(existing, values)
    new_steps: list[tuple[int | None, HistoryKey]] = []
    history_differs = False
    if values.get("periods") is not None:
        stored, given = stored_history(existing), given_history(values)
        history_differs = [k for _i, k in given[: len(stored)]] != stored
        new_steps = given[len(stored) :] if not history_differs else []
    graduation_differs = (
        _sent_graduation(values) is not None
        and _stored_graduation(existing) is not None
        and _sent_graduation(values) != _stored_graduation(existing)
    )
    changes = descriptive_changes(existing, values)
    if not (immutable or history_differs or graduation_differs or new_steps or changes):
        return existing, status.HTTP_200_OK

    expected = values.get("version")
    if expected != existing.version:
        if expected is None:
            message = _(
                "The record differs from the stored one: give the version you last saw (it is "
                "now at version %(current)s)."
            )
        else:
            message = _(
                "The record has changed since you read it: it is now at version %(current)s."
            )
        raise stale_version(message % {"current": existing.version})
    if immutable:
        raise field_error(
            immutable,
            _(
                "A study right's student, HEI, programme, start and first funding source do not "
                "change by upsert: record a transfer, a period correction or a funding change "
                "with the study right's actions."
            ),
            "immutable",
        )
    if history_differs:
        raise field_error(
            "periods",
            _(
                "The recorded status history does not change by upsert: send it unchanged with "
                "any new periods after it, and correct recorded dates with the period-correction "
                "action."
            ),
            "immutable",
        )
    if graduation_differs:
        raise field_error(
            "graduation",
            _("A recorded graduation does not change by upsert."),
            "immutable",
        )
    record_history(actor, existing, new_steps, values)
    _update(actor, reloaded(existing), values)
    return reloaded(existing), status.HTTP_200_OK


def _update(actor: Actor, right: StudyRight, values: dict[str, Any]) -> None:
    """Bring the descriptive fields to what was sent (after the history: a return sets the
    course, and the record says the course now)."""
    changes = descriptive_changes(right, values)
    if changes:
        services.study_right_update(actor=actor, study_right=right, **changes)
