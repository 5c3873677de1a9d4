"""What the registrar expects of a programme version, with messages per field.

Rules from the study regulations (shared/reference/classifiers.md): college programmes and
bachelor programmes 180–240 ECTS, master 90–120, integrated 300–360; full-time study is normally
60 ECTS a year and not less than 45; part-time at most 45 a year.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pycountry
from django.utils.translation import gettext as _

CREDIT_RANGES = {
    "professional_bachelor": (180, 240),
    "bachelor": (180, 240),
    "master": (90, 120),
    "integrated": (300, 360),
}
FULL_TIME_PER_YEAR = (Decimal(45), Decimal(60))
PART_TIME_MAX_PER_YEAR = Decimal(45)


def _language_errors(languages: str) -> list[str]:
    codes = [code.strip() for code in languages.split(",") if code.strip()]
    if not codes:
        return [_("Give at least one language of instruction.")]
    unknown = [code for code in codes if pycountry.languages.get(alpha_2=code) is None]
    if unknown:
        return [_("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)}]
    return []


def version_errors(version: Any) -> dict[str, list[str]]:
    kind = version.programme.kind if version.programme_id else None
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for message in _language_errors(version.languages or ""):
        add("languages", message)
    if not (version.full_time or version.part_time):
        add("full_time", _("Choose full-time, part-time or both."))

    if kind == "study":
        if not version.study_type:
            add("study_type", _("A study programme needs its study type."))
        if not version.cycle:
            add("cycle", _("A study programme needs its cycle."))
        if version.study_field_id is None:
            add("study_field", _("A study programme needs its study field."))
        if (
            version.study_type == "college"
            and version.cycle
            and version.cycle != "professional_bachelor"
        ):
            add("cycle", _("College studies lead to a professional bachelor only."))
        if version.cycle in CREDIT_RANGES:
            low, high = CREDIT_RANGES[version.cycle]
            if version.credits is None:
                add("credits", _("Give the programme's credits (ECTS)."))
            elif not low <= version.credits <= high:
                add(
                    "credits",
                    _("A %(cycle)s programme has %(low)s–%(high)s ECTS credits.")
                    % {"cycle": version.get_cycle_display(), "low": low, "high": high},
                )
        if version.credits is not None and version.duration_years:
            per_year = Decimal(version.credits) / Decimal(version.duration_years)
            if (
                version.full_time
                and not version.part_time
                and not (FULL_TIME_PER_YEAR[0] <= per_year <= FULL_TIME_PER_YEAR[1])
            ):
                add(
                    "duration_years",
                    _("Full-time study is 45–60 ECTS a year; this gives %(rate)s.")
                    % {"rate": per_year.quantize(Decimal("0.1"))},
                )
            if version.part_time and not version.full_time and per_year > PART_TIME_MAX_PER_YEAR:
                add(
                    "duration_years",
                    _("Part-time study is at most 45 ECTS a year; this gives %(rate)s.")
                    % {"rate": per_year.quantize(Decimal("0.1"))},
                )
    elif kind == "vocational":
        if version.credits is None and version.hours is None:
            add("credits", _("Give the programme's credits or hours."))
    elif kind == "nvs":
        if version.nvs_direction_id is None:
            add("nvs_direction", _("An NVŠ programme needs its direction."))
        if (
            version.nvs_subdirection_id is not None
            and version.nvs_direction_id is not None
            and version.nvs_subdirection.parent_id != version.nvs_direction_id
        ):
            add("nvs_subdirection", _("This sub-direction belongs to another direction."))
    if kind != "study" and (version.study_type or version.cycle):
        add("cycle", _("Only study programmes have a study type and cycle."))
    return errors
