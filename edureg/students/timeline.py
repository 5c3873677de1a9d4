"""The state machine of a study right and the rules for its dated status periods.

Pure functions over a list of `Period` values, with no database access, so that a new status,
a back-dated correction of one date, or an import is checked the same way: the whole timeline
is validated again.

A timeline is a partition of time from the start of the studies: [valid_from, valid_to)
periods, each beginning the day the previous one ends, the last one open. The end states
(terminated, graduated, transferred) are zero-length markers: the last period, open, starting
on the end date.

Allowed changes (see `ALLOWED`):
- studying → academic leave (a reason; illness at most 2 years, pregnancy or child care at
  most 3 years, personal reasons at most 1 year and only once per study right) → studying;
- studying → interruption (one or more reasons; at most 1 year) → studying (the course
  returned to, 1..6);
- studying, academic leave or interruption → terminated (one or more reasons);
- studying → graduated; studying → transferred.
Nothing follows an end state. A leave's or interruption's length is checked when it ends (by
the return, or by a termination); an open leave is not measured against today.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from edureg.students.models import END_STATUSES, MAX_COURSE, StudyStatus

S = StudyStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.STUDYING: frozenset(
        {S.ACADEMIC_LEAVE, S.INTERRUPTED, S.TERMINATED, S.GRADUATED, S.TRANSFERRED}
    ),
    S.ACADEMIC_LEAVE: frozenset({S.STUDYING, S.TERMINATED}),
    S.INTERRUPTED: frozenset({S.STUDYING, S.TERMINATED}),
    S.TERMINATED: frozenset(),
    S.GRADUATED: frozenset(),
    S.TRANSFERRED: frozenset(),
}

# Academic leave limits in years by the code of the `academic-leave-reason` value. A reason the
# agency adds later without a limit here is not limited by the register.
LEAVE_LIMIT_YEARS = {"illness": 2, "childcare": 3, "personal": 1}
PERSONAL_LEAVE = "personal"
INTERRUPTION_LIMIT_YEARS = 1


@dataclass(frozen=True)
class Period:
    """One period as the rules see it: classifier values by their codes."""

    status: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    leave_reason: str | None = None
    course: int | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 1 March (the day after 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def _refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def _label(status: str) -> str:
    return str(StudyStatus(status).label)


def check_transition(current: str, target: str) -> None:
    """Refuse a change of status the state machine does not allow, saying why."""
    if target in ALLOWED.get(current, frozenset()):
        return
    if current in END_STATUSES:
        message = _("The studies have already ended (%(status)s): nothing more can be recorded.")
    elif target == current == S.ACADEMIC_LEAVE:
        message = _("The student is already on academic leave.")
    elif target == current == S.INTERRUPTED:
        message = _("The studies are already interrupted.")
    elif target == current == S.STUDYING:
        message = _("The student is already studying.")
    elif target == S.GRADUATED and current == S.ACADEMIC_LEAVE:
        message = _("A student on academic leave cannot graduate: record the return first.")
    elif target == S.GRADUATED and current == S.INTERRUPTED:
        message = _(
            "A student whose studies are interrupted cannot graduate: record the return first."
        )
    elif target == S.TRANSFERRED:
        message = _("Only a studying student can transfer: record the return first.")
    elif target == S.INTERRUPTED and current == S.ACADEMIC_LEAVE:
        message = _(
            "The studies of a student on academic leave cannot be interrupted: "
            "record the return first."
        )
    elif target == S.ACADEMIC_LEAVE and current == S.INTERRUPTED:
        message = _(
            "A student whose studies are interrupted cannot take academic leave: "
            "record the return first."
        )
    else:
        message = _("A change from “%(status)s” to “%(target)s” is not allowed.")
    raise _refuse("status", message % {"status": _label(current), "target": _label(target)})


def validate(started_on: dt.date, periods: Sequence[Period]) -> None:
    """Raise a ValidationError (field → messages) for the first rule the timeline breaks."""
    _check_structure(started_on, periods)
    _check_contents(periods)


def outcome(periods: Sequence[Period]) -> tuple[str, dt.date | None]:
    """The current status and the end date of a valid timeline."""
    last = periods[-1]
    return last.status, (last.valid_from if last.status in END_STATUSES else None)


def _check_structure(started_on: dt.date, periods: Sequence[Period]) -> None:
    if not periods:
        raise _refuse("status", _("The status history must begin with studies."))
    first = periods[0]
    if first.status != S.STUDYING:
        raise _refuse("status", _("The status history must begin with studies."))
    if first.valid_from < started_on:
        raise _refuse(
            "valid_from",
            _("A period cannot start before the studies start (%(date)s).") % {"date": started_on},
        )
    if first.valid_from > started_on:
        raise _refuse(
            "valid_from",
            _("The status history must begin on the day the studies start (%(date)s).")
            % {"date": started_on},
        )
    for previous, current in itertools.pairwise(periods):
        check_transition(previous.status, current.status)
        _check_order(previous, current)
    _check_last(periods[-1])


def _check_last(last: Period) -> None:
    if last.status in END_STATUSES and last.valid_to is not None:
        raise _refuse("valid_to", _("The end of the studies is a date, not a period."))
    if last.status not in END_STATUSES and last.valid_to is not None:
        raise _refuse(
            "valid_to",
            _("The current period stays open until the next change is recorded."),
        )


def _check_order(previous: Period, current: Period) -> None:
    """The next period starts after the previous one starts, the day it ends."""
    if current.valid_from <= previous.valid_from:
        if current.status == S.STUDYING and previous.status == S.ACADEMIC_LEAVE:
            message = _("The return must come after the academic leave starts (%(date)s).")
        elif current.status == S.STUDYING and previous.status == S.INTERRUPTED:
            message = _("The return must come after the interruption starts (%(date)s).")
        else:
            message = _("A change must come after the current period starts (%(date)s).")
        raise _refuse("valid_from", message % {"date": previous.valid_from})
    if previous.valid_to is None:
        raise _refuse(
            "valid_from",
            _("The period overlaps the previous one, which is still open (from %(date)s).")
            % {"date": previous.valid_from},
        )
    if previous.valid_to > current.valid_from:
        raise _refuse(
            "valid_from",
            _("The period overlaps the previous one, which lasts until %(date)s.")
            % {"date": previous.valid_to},
        )
    if previous.valid_to < current.valid_from:
        raise _refuse(
            "valid_from",
            _("The status history has a gap from %(start)s to %(end)s.")
            % {"start": previous.valid_to, "end": current.valid_from},
        )


def _check_contents(periods: Sequence[Period]) -> None:
    for index in range(len(periods)):
        _check_period(periods, index)


def _check_period(periods: Sequence[Period], index: int) -> None:
    """The rules of one period's contents (reasons, limits, course) in its timeline."""
    period = periods[index]
    if period.status == S.ACADEMIC_LEAVE:
        if not period.leave_reason:
            raise _refuse("leave_reason", _("Give the reason for the academic leave."))
        _check_leave_length(period)
        if period.leave_reason == PERSONAL_LEAVE and any(
            earlier.status == S.ACADEMIC_LEAVE and earlier.leave_reason == PERSONAL_LEAVE
            for earlier in periods[:index]
        ):
            raise _refuse(
                "leave_reason",
                _("Academic leave for personal reasons can be taken only once during the studies."),
            )
    elif period.status == S.INTERRUPTED:
        if not period.reasons:
            raise _refuse("reasons", _("Give at least one reason for the interruption."))
        _check_interruption_length(period)
    elif period.status == S.TERMINATED:
        if not period.reasons:
            raise _refuse("reasons", _("Give at least one reason for the termination."))
    elif period.status == S.STUDYING:
        after_interruption = index > 0 and periods[index - 1].status == S.INTERRUPTED
        if after_interruption and period.course is None:
            raise _refuse("course", _("Give the course the student returns to."))
        if period.course is not None and not 1 <= period.course <= MAX_COURSE:
            raise _refuse(
                "course",
                _("The course must be from 1 to %(max)s.") % {"max": MAX_COURSE},
            )


def check_appended(started_on: dt.date, periods: Sequence[Period]) -> None:
    """Validate what recording the last period adds to a timeline that was valid before it
    (with the period before it still open): the change of status, its date, and the rules of
    the period it closes and of itself. Raises what `validate(started_on, periods)` raises
    then (tested against it), without validating the earlier periods again, so that a
    history of many steps is validated once, step by step."""
    if len(periods) < 2:
        validate(started_on, periods)
        return
    previous, current = periods[-2], periods[-1]
    check_transition(previous.status, current.status)
    _check_order(previous, current)
    _check_last(current)
    _check_period(periods, len(periods) - 2)  # closed now: its length is measured
    _check_period(periods, len(periods) - 1)


def _check_leave_length(period: Period) -> None:
    years = LEAVE_LIMIT_YEARS.get(period.leave_reason or "")
    if years is None or period.valid_to is None:
        return
    latest = add_years(period.valid_from, years)
    if period.valid_to <= latest:
        return
    messages = {
        "illness": _(
            "Academic leave for illness may last at most 2 years: "
            "the return must be no later than %(date)s."
        ),
        "childcare": _(
            "Academic leave for pregnancy or child care may last at most 3 years: "
            "the return must be no later than %(date)s."
        ),
        "personal": _(
            "Academic leave for personal reasons may last at most 1 year: "
            "the return must be no later than %(date)s."
        ),
    }
    raise _refuse("valid_to", messages[period.leave_reason or ""] % {"date": latest})


def _check_interruption_length(period: Period) -> None:
    if period.valid_to is None:
        return
    latest = add_years(period.valid_from, INTERRUPTION_LIMIT_YEARS)
    if period.valid_to > latest:
        raise _refuse(
            "valid_to",
            _("An interruption may last at most 1 year: the return must be no later than %(date)s.")
            % {"date": latest},
        )
