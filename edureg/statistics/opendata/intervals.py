"""Merging dated periods that overlap or follow each other with no day between them.

Pure: no Django, no database. The Student Register open data (`sr.py`) merges a student's
interruption periods with it, as the `studiju_pertraukimas` manifest describes: "overlapping
interruptions (e.g. a student interrupted studies 2021-09-04 – 2022-01-30 and then again
2022-01-31 – 2022-09-01) are merged into one period".

The rule, from that example. The manifest writes periods by their first and last day, and its
two "overlapping" periods share no day: the second starts on the day after the first one's last
day. So periods merge when they share a day or when no day lies between them — the student was
interrupted on every day from the first start to the last end. Periods with at least one day
between them (a day of studies) stay apart.

Periods here follow the register's convention, [start, end): `end` is the first day no longer in
the period (for an interruption, the day of return), None while the period is open. In that
convention the rule is simply: a period merges into the one before it when it starts on or
before that one's `end`. The manifest's example is [2021-09-04, 2022-01-31) and
[2022-01-31, 2022-09-02): they touch, and merge into [2021-09-04, 2022-09-02).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

R = TypeVar("R", bound=Hashable)


@dataclass(frozen=True)
class Period(Generic[R]):
    """Days from `start` up to, not including, `end` (None: still open), with their reasons."""

    start: dt.date
    end: dt.date | None
    reasons: frozenset[R] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        # An empty or reversed period covers no day; in the register it would be a data error,
        # and merging it silently would publish a period nobody recorded.
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"a period must end after it starts: {self.start} – {self.end}")

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def _reaches(end: dt.date | None, start: dt.date) -> bool:
    """Does a period ending at `end` (exclusive) overlap or touch one starting at `start`?"""
    return end is None or start <= end


def _later_end(first: dt.date | None, second: dt.date | None) -> dt.date | None:
    if first is None or second is None:
        return None
    return max(first, second)


def merge_periods(periods: Iterable[Period[R]]) -> list[Period[R]]:
    """The periods merged as the module docstring describes, in order of their start.

    A merged period runs from the earliest start to the latest end of the periods it is made of
    (open if any of them is open) and carries the union of their reasons. The result covers
    exactly the days the input covers, and no two merged periods overlap or touch.
    """
    merged: list[Period[R]] = []
    for period in sorted(periods, key=lambda p: p.start):
        if merged and _reaches(merged[-1].end, period.start):
            last = merged[-1]
            merged[-1] = Period(
                start=last.start,
                end=_later_end(last.end, period.end),
                reasons=last.reasons | period.reasons,
            )
        else:
            merged.append(period)
    return merged
