"""End of the school year for a whole group: promote, repeat or graduate each pupil.

A data manager first sees the plan (the preview) and then applies it. Both come from the same
function, so what is applied is what was shown: `year_end_apply` recomputes the plan inside one
transaction with the group's pupils locked and refuses if the group changed since the preview
(a pupil enrolled or left in between). Either every pupil's step is written or none is.

- promote: the pupil moves to a group of the next school year, one grade up;
- repeat: the pupil moves to a group of the next school year, same grade;
- graduate: the pupil completed the programme the school teaches and departs with a reason;
- stay: nothing changes for now (a decision still pending; the pupil stays in the group).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edureg.access.models import Level
from edureg.core.collation import name_order
from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.pupils import selectors, services
from edureg.pupils.models import GRADE_ORDER, Enrolment, Grade, Group, GroupKind


class Outcome(models.TextChoices):
    PROMOTE = "promote", gettext_lazy("promote to the next grade")
    REPEAT = "repeat", gettext_lazy("repeat the grade")
    GRADUATE = "graduate", gettext_lazy("completed the programme (departs)")
    STAY = "stay", gettext_lazy("no change yet")


# The grades after which a school's programme can end: pre-primary education, a primary school
# (4), a progymnasium (8), basic education (10) and secondary education (12).
COMPLETING_GRADES = frozenset({Grade.PREPRIMARY, Grade.G4, Grade.G8, Grade.G10, Grade.G12})
# The departure reason offered first for graduates, when the classifier has it.
COMPLETED_REASON_CODE = "completed"


def next_grade(grade: str) -> str | None:
    """The grade after `grade`, or None after grade 12 (and for groups without a grade)."""
    if grade not in GRADE_ORDER:
        return None
    index = GRADE_ORDER.index(grade)
    return GRADE_ORDER[index + 1] if index + 1 < len(GRADE_ORDER) else None


def default_outcome(grade: str) -> str:
    if grade not in GRADE_ORDER:
        return Outcome.STAY
    return Outcome.GRADUATE if next_grade(grade) is None else Outcome.PROMOTE


def first_day_of_next_year(group: Group) -> dt.date:
    return dt.date(group.school_year + 1, 9, 1)


@dataclass(frozen=True)
class Step:
    """What happens to one pupil; `error` says why it cannot (the plan is then not applied)."""

    enrolment: Enrolment
    outcome: str
    target: Group | None = None
    error: str = ""

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label)


@dataclass
class YearEndPlan:
    group: Group
    on: dt.date
    steps: list[Step]
    # Errors of the plan's own fields (the target groups, the date, the reason), by field.
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(step.error for step in self.steps)

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(step.outcome for step in self.steps)
        return {outcome: tally.get(outcome, 0) for outcome in Outcome.values}

    @property
    def changed(self) -> int:
        """How many pupils the plan changes: those left unchanged ("stay") are not counted."""
        return sum(1 for step in self.steps if step.outcome != Outcome.STAY)

    @property
    def enrolment_ids(self) -> list[str]:
        """The pupils the plan was made for, to detect changes between preview and apply."""
        return sorted(str(step.enrolment.public_id) for step in self.steps)

    def as_validation_error(self) -> ValidationError:
        errors = {name: list(messages) for name, messages in self.errors.items()}
        for step in self.steps:
            if step.error:
                person = step.enrolment.person
                errors.setdefault("outcomes", []).append(
                    f"{person.family_name} {person.given_names}: {step.error}"
                )
        return ValidationError(errors)


def _check_target(
    group: Group, target: Group | None, grade: str | None, name: str, errors: dict
) -> None:
    if target is None:
        errors.setdefault(name, []).append(_("Choose the group of the next school year."))
        return
    if (
        target.institution_id != group.institution_id
        or target.kind != GroupKind.GENERAL
        or target.school_year != group.school_year + 1
        or target.grade != grade
        or target.closed_on is not None
    ):
        errors.setdefault(name, []).append(
            _("Choose an open group of this school for %(year)s–%(next)s in %(grade)s.")
            % {
                "year": group.school_year + 1,
                "next": group.school_year + 2,
                "grade": Grade(grade).label if grade else "—",
            }
        )


def class_pupils(*, actor: Actor, group: Group, lock: bool = False) -> list[Enrolment]:
    """The class's pupils now (open enrolments), by name; with `lock`, their rows locked."""
    enrolments = (
        selectors.enrolment_list(actor=actor)
        .filter(group=group, valid_to__isnull=True)
        .order_by(*name_order("person__"), "pk")
    )
    if lock:
        # Lock only the enrolment rows: the scope joins are nullable (outer) joins.
        enrolments = enrolments.select_for_update(of=("self",))
    return list(enrolments)


def _step(enrolment: Enrolment, outcome: str, group: Group, targets: dict, on: dt.date) -> Step:
    if outcome not in Outcome.values:
        return Step(enrolment, Outcome.STAY, error=_("Unknown outcome."))
    if outcome == Outcome.GRADUATE and group.grade not in COMPLETING_GRADES:
        return Step(enrolment, outcome, error=_("No programme ends in this grade."))
    if outcome != Outcome.STAY and on <= enrolment.valid_from:
        return Step(
            enrolment, outcome, error=_("The pupil joined the group on or after this date.")
        )
    return Step(enrolment, outcome, target=targets.get(outcome))


def year_end_plan(
    *,
    actor: Actor,
    group: Group,
    on: dt.date,
    outcomes: Mapping[str, str] | None = None,
    promote_to: Group | None = None,
    repeat_to: Group | None = None,
    graduation_reason: ClassifierValue | None = None,
    lock: bool = False,
) -> YearEndPlan:
    """The year-end plan for `group` without writing anything. `outcomes` maps an enrolment's
    public id to an `Outcome`; pupils not named get the default (graduate after grade 12,
    otherwise promote)."""
    selectors.institution_for_pupil_work(
        actor=actor, institution=group.institution, level=Level.MANAGER
    )
    errors: dict[str, list[str]] = {}
    if group.kind != GroupKind.GENERAL:
        errors["group"] = [_("Only general-education classes end the school year this way.")]
    if group.closed_on is not None:
        errors.setdefault("group", []).append(_("This group is closed."))
    chosen = outcomes or {}
    pupils = class_pupils(actor=actor, group=group, lock=lock)
    wanted = {chosen.get(str(e.public_id), default_outcome(group.grade)) for e in pupils}
    if Outcome.PROMOTE in wanted:
        promoted_grade = next_grade(group.grade) if group.grade else None
        if promoted_grade is None:
            errors["promote_to"] = [_("There is no grade after this one.")]
        else:
            _check_target(group, promote_to, promoted_grade, "promote_to", errors)
    if Outcome.REPEAT in wanted:
        _check_target(group, repeat_to, group.grade, "repeat_to", errors)
    if Outcome.GRADUATE in wanted and graduation_reason is None:
        errors["graduation_reason"] = [_("Choose the departure reason of those who completed.")]
    targets = {Outcome.PROMOTE: promote_to, Outcome.REPEAT: repeat_to}
    steps = [
        _step(e, chosen.get(str(e.public_id), default_outcome(group.grade)), group, targets, on)
        for e in pupils
    ]
    return YearEndPlan(group=group, on=on, steps=steps, errors=errors)


@transaction.atomic
def year_end_apply(
    *,
    actor: Actor,
    group: Group,
    on: dt.date,
    previewed: list[str],
    outcomes: Mapping[str, str] | None = None,
    promote_to: Group | None = None,
    repeat_to: Group | None = None,
    graduation_reason: ClassifierValue | None = None,
) -> YearEndPlan:
    """Apply the plan previewed for exactly the enrolments `previewed`, all or nothing."""
    plan = year_end_plan(
        actor=actor,
        group=group,
        on=on,
        outcomes=outcomes,
        promote_to=promote_to,
        repeat_to=repeat_to,
        graduation_reason=graduation_reason,
        lock=True,
    )
    if sorted(previewed) != plan.enrolment_ids:
        raise ValidationError(
            {"group": [_("The group's pupils changed since the preview: check the plan again.")]}
        )
    if not plan.ok:
        raise plan.as_validation_error()
    for step in plan.steps:
        if step.outcome in (Outcome.PROMOTE, Outcome.REPEAT):
            assert step.target is not None
            services.pupil_move(actor=actor, enrolment=step.enrolment, group=step.target, on=on)
        elif step.outcome == Outcome.GRADUATE:
            assert graduation_reason is not None
            services.pupil_depart(
                actor=actor, enrolment=step.enrolment, on=on, reason=graduation_reason
            )
    return plan
