"""The state machine and the period rules of a study right, as pure functions."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from edureg.students.models import StudyStatus as S
from edureg.students.timeline import (
    Period,
    add_years,
    check_appended,
    check_transition,
    outcome,
    validate,
)

START = dt.date(2024, 9, 1)
D = dt.date

ALLOWED = {
    (S.STUDYING, S.ACADEMIC_LEAVE),
    (S.STUDYING, S.INTERRUPTED),
    (S.STUDYING, S.TERMINATED),
    (S.STUDYING, S.GRADUATED),
    (S.STUDYING, S.TRANSFERRED),
    (S.ACADEMIC_LEAVE, S.STUDYING),
    (S.ACADEMIC_LEAVE, S.TERMINATED),
    (S.INTERRUPTED, S.STUDYING),
    (S.INTERRUPTED, S.TERMINATED),
}
ALL_PAIRS = list(itertools.product(list(S), repeat=2))


def refusal(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[str, str]:
    """The one field and message of a refusal."""
    [(field, [message])] = exc.value.message_dict.items()
    return field, message


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_transitions_pass(current, target):  # type: ignore[no-untyped-def]
    check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in ALLOWED])
def test_every_other_transition_is_refused_on_the_status(current, target):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        check_transition(current, target)
    field, message = refusal(exc)
    assert field == "status"
    assert message  # a sentence, never an empty refusal


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (
            S.ACADEMIC_LEAVE,
            S.GRADUATED,
            "A student on academic leave cannot graduate: record the return first.",
        ),
        (
            S.INTERRUPTED,
            S.GRADUATED,
            "A student whose studies are interrupted cannot graduate: record the return first.",
        ),
        (
            S.TERMINATED,
            S.STUDYING,
            "The studies have already ended (terminated): nothing more can be recorded.",
        ),
        (
            S.GRADUATED,
            S.ACADEMIC_LEAVE,
            "The studies have already ended (graduated): nothing more can be recorded.",
        ),
        (
            S.TRANSFERRED,
            S.TERMINATED,
            "The studies have already ended (transferred): nothing more can be recorded.",
        ),
        (S.ACADEMIC_LEAVE, S.ACADEMIC_LEAVE, "The student is already on academic leave."),
        (S.INTERRUPTED, S.INTERRUPTED, "The studies are already interrupted."),
        (
            S.ACADEMIC_LEAVE,
            S.TRANSFERRED,
            "Only a studying student can transfer: record the return first.",
        ),
        (
            S.INTERRUPTED,
            S.ACADEMIC_LEAVE,
            "A student whose studies are interrupted cannot take academic leave: "
            "record the return first.",
        ),
    ],
)
def test_refusals_say_why_in_english(current, target, message):  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        check_transition(current, target)
    assert refusal(exc) == ("status", message)


def studying(start: dt.date, end: dt.date | None = None, course: int | None = None) -> Period:
    return Period(S.STUDYING, start, end, course=course)


def leave(start: dt.date, end: dt.date | None, reason: str | None = "illness") -> Period:
    return Period(S.ACADEMIC_LEAVE, start, end, leave_reason=reason)


def interruption(start: dt.date, end: dt.date | None, reasons=("own-request",)) -> Period:  # type: ignore[no-untyped-def]
    return Period(S.INTERRUPTED, start, end, reasons=tuple(reasons))


def test_a_whole_history_with_leave_interruption_and_graduation_is_valid():
    periods = [
        studying(START, D(2025, 2, 1)),
        leave(D(2025, 2, 1), D(2025, 9, 1), "childcare"),
        studying(D(2025, 9, 1), D(2026, 2, 1)),
        interruption(D(2026, 2, 1), D(2026, 9, 1)),
        studying(D(2026, 9, 1), D(2028, 6, 30), course=3),
        Period(S.GRADUATED, D(2028, 6, 30)),
    ]
    validate(START, periods)
    assert outcome(periods) == (S.GRADUATED, D(2028, 6, 30))


@pytest.mark.parametrize(
    ("reason", "years", "message"),
    [
        (
            "illness",
            2,
            "Academic leave for illness may last at most 2 years: "
            "the return must be no later than %s.",
        ),
        (
            "childcare",
            3,
            "Academic leave for pregnancy or child care may last at most 3 years: "
            "the return must be no later than %s.",
        ),
        (
            "personal",
            1,
            "Academic leave for personal reasons may last at most 1 year: "
            "the return must be no later than %s.",
        ),
    ],
)
def test_leave_may_last_exactly_its_limit_and_not_a_day_more(reason, years, message):  # type: ignore[no-untyped-def]
    leave_from = D(2025, 2, 1)
    limit = D(2025 + years, 2, 1)

    def history(return_on: dt.date) -> list[Period]:
        return [
            studying(START, leave_from),
            leave(leave_from, return_on, reason),
            studying(return_on),
        ]

    validate(START, history(limit))
    with pytest.raises(ValidationError) as exc:
        validate(START, history(limit + dt.timedelta(days=1)))
    assert refusal(exc) == ("valid_to", message % limit.isoformat())


def test_interruption_may_last_one_year_and_not_a_day_more():
    start, limit = D(2025, 2, 1), D(2026, 2, 1)

    def history(return_on: dt.date) -> list[Period]:
        return [
            studying(START, start),
            interruption(start, return_on),
            studying(return_on, course=2),
        ]

    validate(START, history(limit))
    with pytest.raises(ValidationError) as exc:
        validate(START, history(limit + dt.timedelta(days=1)))
    assert refusal(exc) == (
        "valid_to",
        "An interruption may last at most 1 year: the return must be no later than 2026-02-01.",
    )


def test_a_leave_ended_by_termination_is_measured_too():
    periods = [
        studying(START, D(2025, 2, 1)),
        leave(D(2025, 2, 1), D(2027, 6, 1), "illness"),
        Period(S.TERMINATED, D(2027, 6, 1), reasons=("no-return",)),
    ]
    with pytest.raises(ValidationError) as exc:
        validate(START, periods)
    assert refusal(exc)[0] == "valid_to"


def test_an_open_leave_is_not_measured_against_today():
    validate(START, [studying(START, D(2020 + 5, 2, 1)), leave(D(2025, 2, 1), None, "personal")])


def test_personal_leave_only_once():
    periods = [
        studying(START, D(2025, 2, 1)),
        leave(D(2025, 2, 1), D(2025, 6, 1), "personal"),
        studying(D(2025, 6, 1), D(2026, 2, 1)),
        leave(D(2026, 2, 1), None, "personal"),
    ]
    with pytest.raises(ValidationError) as exc:
        validate(START, periods)
    assert refusal(exc) == (
        "leave_reason",
        "Academic leave for personal reasons can be taken only once during the studies.",
    )


def test_two_illness_leaves_are_allowed():
    validate(
        START,
        [
            studying(START, D(2025, 2, 1)),
            leave(D(2025, 2, 1), D(2025, 6, 1)),
            studying(D(2025, 6, 1), D(2026, 2, 1)),
            leave(D(2026, 2, 1), None),
        ],
    )


@pytest.mark.parametrize("return_on", [D(2025, 1, 31), D(2025, 2, 1)])
def test_a_return_on_or_before_the_start_of_the_leave_is_refused(return_on):  # type: ignore[no-untyped-def]
    periods = [
        studying(START, D(2025, 2, 1)),
        leave(D(2025, 2, 1), return_on),
        studying(return_on),
    ]
    with pytest.raises(ValidationError) as exc:
        validate(START, periods)
    assert refusal(exc) == (
        "valid_from",
        "The return must come after the academic leave starts (2025-02-01).",
    )


def test_a_return_before_the_interruption_is_refused():
    periods = [
        studying(START, D(2025, 2, 1)),
        interruption(D(2025, 2, 1), D(2025, 1, 1)),
        studying(D(2025, 1, 1), course=1),
    ]
    with pytest.raises(ValidationError) as exc:
        validate(START, periods)
    assert refusal(exc) == (
        "valid_from",
        "The return must come after the interruption starts (2025-02-01).",
    )


def test_overlapping_periods_are_refused():
    periods = [studying(START, D(2025, 3, 1)), leave(D(2025, 2, 1), None)]
    with pytest.raises(ValidationError) as exc:
        validate(START, periods)
    assert refusal(exc) == (
        "valid_from",
        "The period overlaps the previous one, which lasts until 2025-03-01.",
    )


def test_a_period_after_an_open_one_overlaps_it():
    with pytest.raises(ValidationError) as exc:
        validate(START, [studying(START), leave(D(2025, 2, 1), None)])
    assert refusal(exc) == (
        "valid_from",
        "The period overlaps the previous one, which is still open (from 2024-09-01).",
    )


def test_a_gap_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate(START, [studying(START, D(2025, 1, 1)), leave(D(2025, 2, 1), None)])
    assert refusal(exc) == (
        "valid_from",
        "The status history has a gap from 2025-01-01 to 2025-02-01.",
    )


def test_out_of_order_periods_are_refused():
    with pytest.raises(ValidationError) as exc:
        validate(START, [studying(START, D(2024, 8, 1)), leave(D(2024, 8, 1), None)])
    assert refusal(exc) == (
        "valid_from",
        "A change must come after the current period starts (2024-09-01).",
    )


def test_a_period_before_the_start_of_the_studies_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate(START, [studying(D(2024, 8, 1))])
    assert refusal(exc) == (
        "valid_from",
        "A period cannot start before the studies start (2024-09-01).",
    )


def test_the_history_begins_with_studying_on_the_start_date():
    with pytest.raises(ValidationError) as exc:
        validate(START, [studying(D(2024, 9, 2))])
    assert refusal(exc)[0] == "valid_from"
    with pytest.raises(ValidationError) as exc:
        validate(START, [leave(START, None)])
    assert refusal(exc) == ("status", "The status history must begin with studies.")


def test_graduation_while_interrupted_is_refused_in_a_timeline():
    periods = [
        studying(START, D(2025, 2, 1)),
        interruption(D(2025, 2, 1), D(2025, 6, 1)),
        Period(S.GRADUATED, D(2025, 6, 1)),
    ]
    with pytest.raises(ValidationError) as exc:
        validate(START, periods)
    assert refusal(exc)[0] == "status"


def test_nothing_follows_an_end():
    periods = [
        studying(START, D(2025, 2, 1)),
        Period(S.TERMINATED, D(2025, 2, 1), D(2025, 3, 1), reasons=("academic-debt",)),
        studying(D(2025, 3, 1)),
    ]
    with pytest.raises(ValidationError) as exc:
        validate(START, periods)
    assert refusal(exc)[0] == "status"


def test_an_end_marker_has_no_end_date_and_the_current_period_stays_open():
    with pytest.raises(ValidationError) as exc:
        validate(
            START,
            [
                studying(START, D(2025, 2, 1)),
                Period(S.GRADUATED, D(2025, 2, 1), D(2025, 3, 1)),
            ],
        )
    assert refusal(exc) == ("valid_to", "The end of the studies is a date, not a period.")
    with pytest.raises(ValidationError) as exc:
        validate(START, [studying(START, D(2025, 2, 1))])
    assert refusal(exc) == (
        "valid_to",
        "The current period stays open until the next change is recorded.",
    )


def test_contents_leave_reason_interruption_and_termination_reasons_course():
    cases = [
        ([studying(START, D(2025, 2, 1)), leave(D(2025, 2, 1), None, None)], "leave_reason"),
        ([studying(START, D(2025, 2, 1)), interruption(D(2025, 2, 1), None, ())], "reasons"),
        ([studying(START, D(2025, 2, 1)), Period(S.TERMINATED, D(2025, 2, 1))], "reasons"),
        (
            [
                studying(START, D(2025, 2, 1)),
                interruption(D(2025, 2, 1), D(2025, 6, 1)),
                studying(D(2025, 6, 1)),
            ],
            "course",
        ),
        (
            [
                studying(START, D(2025, 2, 1)),
                interruption(D(2025, 2, 1), D(2025, 6, 1)),
                studying(D(2025, 6, 1), course=7),
            ],
            "course",
        ),
    ]
    for periods, field in cases:
        with pytest.raises(ValidationError) as exc:
            validate(START, periods)
        assert refusal(exc)[0] == field


def test_a_year_after_29_february_is_1_march():
    assert add_years(D(2024, 2, 29), 1) == D(2025, 3, 1)
    assert add_years(D(2024, 2, 28), 2) == D(2026, 2, 28)


# --- Validating a history once, step by step -------------------------------------------------


def _step(status: str, day: dt.date, reason: str | None, course: int | None) -> Period:
    return Period(
        status=status,
        valid_from=day,
        leave_reason=reason if status == S.ACADEMIC_LEAVE else None,
        course=course,
        reasons=("own-request",) if status in (S.INTERRUPTED, S.TERMINATED) and course else (),
    )


def _closed(periods: list[Period]) -> list[Period]:
    """Each period ends the day the next one starts; the last one is open."""
    return [
        Period(**{**p.__dict__, "valid_to": nxt.valid_from})
        for p, nxt in itertools.pairwise(periods)
    ] + periods[-1:]


def _refusal_of(check, periods):  # type: ignore[no-untyped-def]
    try:
        check(START, periods)
    except ValidationError as exc:
        return exc.message_dict
    return None


steps = st.lists(
    st.tuples(
        st.sampled_from(list(S)),
        st.integers(min_value=-30, max_value=1200),
        st.sampled_from([None, "illness", "childcare", "personal", "other"]),
        st.sampled_from([None, 0, 1, 2, 7]),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_check_appended_refuses_what_validating_each_step_refuses(drawn):  # type: ignore[no-untyped-def]
    """`check_appended` validates only what the last period adds, so a history is validated
    once, step by step; at every step it refuses exactly what validating the whole timeline
    up to it refuses, when the timeline before it was valid."""
    periods = [Period(status=S.STUDYING, valid_from=START)]
    day = START
    for status, days, reason, course in drawn:
        day = day + dt.timedelta(days=days)
        proposed = _closed([*periods, _step(status, day, reason, course)])
        assert _refusal_of(check_appended, proposed) == _refusal_of(validate, proposed)
        if _refusal_of(validate, proposed) is not None:
            break
        periods = proposed
