"""Merging interruption periods for the Student Register open data: properties and examples."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edureg.statistics.opendata.intervals import Period, merge_periods

D = dt.date
FIRST_DAY = D(2021, 1, 1)
REASONS = ("own-request", "academic-debt", "not-paying", "illness", "no-return")


@st.composite
def periods(draw: st.DrawFn) -> Period[str]:
    # A short span of days, so that overlaps, touching periods and one-day gaps all come up.
    start = FIRST_DAY + dt.timedelta(days=draw(st.integers(0, 60)))
    # About one period in five is still open, as most interruptions in the register have ended.
    is_open = draw(st.integers(0, 4)) == 0
    end = None if is_open else start + dt.timedelta(days=draw(st.integers(1, 15)))
    reasons = frozenset(draw(st.sets(st.sampled_from(REASONS), max_size=3)))
    return Period(start=start, end=end, reasons=reasons)


period_lists = st.lists(periods(), max_size=8)


def days(period: Period[str], horizon: dt.date) -> set[dt.date]:
    """Days covered, an open period cut at `horizon` (past every date of the test)."""
    end = period.end or horizon
    return {period.start + dt.timedelta(days=n) for n in range((end - period.start).days)}


def horizon_of(items: list[Period[str]]) -> dt.date:
    dates = [p.start for p in items] + [p.end for p in items if p.end]
    return max(dates, default=FIRST_DAY) + dt.timedelta(days=2)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(period_lists)
def test_merged_periods_neither_overlap_nor_touch(items: list[Period[str]]) -> None:
    merged = merge_periods(items)

    for before, after in itertools.pairwise(merged):
        # At least one day (of studies) lies between two published periods.
        assert before.end is not None
        assert before.end < after.start


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(period_lists)
def test_merged_periods_cover_exactly_the_days_of_the_input(items: list[Period[str]]) -> None:
    merged = merge_periods(items)

    horizon = horizon_of(items)
    covered = set().union(*(days(p, horizon) for p in items))
    assert set().union(*(days(p, horizon) for p in merged)) == covered
    # An open input period leaves exactly one (the last) merged period open.
    open_merged = [p for p in merged if p.end is None]
    if any(p.end is None for p in items):
        assert open_merged == [merged[-1]]
    else:
        assert open_merged == []


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(period_lists)
def test_every_reason_is_kept_in_the_period_that_covers_its_input(items: list[Period[str]]) -> None:
    merged = merge_periods(items)

    for item in items:
        (covering,) = [p for p in merged if p.covers(item.start)]
        assert item.reasons <= covering.reasons
        # The whole input period lies inside that one merged period.
        assert covering.start <= item.start
        assert covering.end is None or (item.end is not None and item.end <= covering.end)
    # No reason appears that none of the merged inputs had.
    for period in merged:
        inputs = [item for item in items if period.covers(item.start)]
        assert period.reasons == frozenset().union(*(item.reasons for item in inputs))


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(period_lists, st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_order_and_merging_again_changes_nothing(
    items: list[Period[str]], rng: random.Random
) -> None:
    shuffled = list(items)
    rng.shuffle(shuffled)

    merged = merge_periods(items)

    assert merge_periods(shuffled) == merged
    assert merge_periods(merged) == merged


# --- Examples -------------------------------------------------------------------------------


def test_the_manifest_example_becomes_one_period_with_both_reasons() -> None:
    # 2021-09-04 – 2022-01-30 and then 2022-01-31 – 2022-09-01, by first and last day
    first = Period(D(2021, 9, 4), D(2022, 1, 31), frozenset({"illness"}))
    second = Period(D(2022, 1, 31), D(2022, 9, 2), frozenset({"not-paying"}))

    assert merge_periods([second, first]) == [
        Period(D(2021, 9, 4), D(2022, 9, 2), frozenset({"illness", "not-paying"}))
    ]


def test_periods_with_a_day_of_studies_between_them_stay_apart() -> None:
    first = Period(D(2021, 9, 4), D(2022, 1, 31), frozenset({"illness"}))
    # Back on 31 January, interrupted again from 1 February.
    second = Period(D(2022, 2, 1), D(2022, 9, 2), frozenset({"not-paying"}))

    assert merge_periods([first, second]) == [first, second]


def test_overlapping_and_nested_periods_become_one() -> None:
    outer = Period(D(2022, 1, 1), D(2022, 6, 1), frozenset({"illness"}))
    nested = Period(D(2022, 2, 1), D(2022, 3, 1), frozenset({"own-request"}))
    overlapping = Period(D(2022, 5, 1), D(2022, 7, 1), frozenset())

    assert merge_periods([nested, overlapping, outer]) == [
        Period(D(2022, 1, 1), D(2022, 7, 1), frozenset({"illness", "own-request"}))
    ]


def test_an_open_period_absorbs_every_later_one_and_stays_open() -> None:
    earlier = Period(D(2020, 1, 1), D(2020, 3, 1), frozenset({"illness"}))
    open_ = Period(D(2022, 1, 1), None, frozenset({"own-request"}))
    later = Period(D(2023, 1, 1), D(2023, 2, 1), frozenset({"academic-debt"}))
    touching = Period(D(2021, 11, 1), D(2022, 1, 1), frozenset({"not-paying"}))

    assert merge_periods([later, open_, earlier, touching]) == [
        earlier,
        Period(D(2021, 11, 1), None, frozenset({"own-request", "academic-debt", "not-paying"})),
    ]


def test_nothing_to_merge_gives_nothing() -> None:
    assert merge_periods([]) == []


@pytest.mark.parametrize("end", [D(2022, 1, 1), D(2021, 12, 31)])
def test_a_period_that_ends_before_it_starts_or_on_its_first_day_is_refused(end: dt.date) -> None:
    with pytest.raises(ValueError, match="must end after it starts"):
        Period(D(2022, 1, 1), end, frozenset())
