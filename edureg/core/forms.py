"""Form pieces every register's pages share: date widgets, classifier values by code, countries."""

from __future__ import annotations

from typing import Any

import pycountry
from django import forms
from django.db.models import QuerySet

from edureg.core.models import ClassifierValue

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class ValueChoiceField(forms.ModelChoiceField):
    """A classifier value by its code (codes, not display texts, identify values)."""

    def __init__(self, queryset: QuerySet[ClassifierValue], **kwargs: Any) -> None:
        super().__init__(queryset=queryset, to_field_name="code", **kwargs)


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166-1 countries by alpha-2 code, sorted by name."""
    return sorted(((c.alpha_2, c.name) for c in pycountry.countries), key=lambda pair: pair[1])
