"""The register's one rule set for plausible dates (DESIGN.md §7: bad input changes nothing).

A date a person enters or a system sends lies between PLAUSIBLE_EARLIEST_DATE (1900-01-01 by
default) and a latest day: today for what has happened by nature (a birth, a death, an
achievement), today + PLAUSIBLE_YEARS_AHEAD years (10 by default) for everything else
(enrolments, departures, study periods, graduations, expected ends). `TrackedModel.clean_fields`
applies it to every date field of every register record a service validates, so the rule
holds whatever channel the write came through; only a value being set or changed is checked,
never one a record already holds.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


def window(*, past: bool) -> tuple[dt.date, dt.date]:
    """The earliest and the latest plausible day (inclusive)."""
    today = timezone.localdate()
    earliest = settings.PLAUSIBLE_EARLIEST_DATE
    if past:
        return earliest, today
    years = settings.PLAUSIBLE_YEARS_AHEAD
    try:
        latest = today.replace(year=today.year + years)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + years, day=28)
    return earliest, latest


def date_problem(value: dt.date, *, past: bool = False) -> str | None:
    """Why `value` is not a plausible date for such a field, or None."""
    earliest, latest = window(past=past)
    if past and value > latest:
        return _("The date cannot be in the future.")
    if not earliest <= value <= latest:
        return _("The date must be between %(earliest)s and %(latest)s.") % {
            "earliest": earliest.isoformat(),
            "latest": latest.isoformat(),
        }
    return None
