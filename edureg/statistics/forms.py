"""The filters of a statistics page: period, breakdown, institution type, municipality, level."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.context import Actor
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Municipality
from edureg.statistics.reports import pupils, students
from edureg.statistics.reports.base import PUPILS, Filters, Report, school_year_of, statistics_grant

YEARS_BACK = 10


def year_choices() -> list[tuple[int, str]]:
    current = school_year_of(timezone.localdate())
    return [(year, f"{year}–{year + 1}") for year in range(current, current - YEARS_BACK, -1)]


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("School or academic year"), coerce=int)
    rows = forms.ChoiceField(label=_("Rows"), required=False)
    measure = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("count", _("number")), ("amount", _("amount, €"))],
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("all in my scope"),
    )
    institution_type = forms.ModelChoiceField(
        label=_("Institution type"),
        queryset=ClassifierValue.objects.none(),
        required=False,
        empty_label=_("all types"),
    )
    level = forms.ChoiceField(label=_("Programme level"), required=False)

    def __init__(self, *args: Any, report: Report, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        fields = self.fields
        fields["year"].choices = year_choices()  # type: ignore[attr-defined]
        if len(report.rows) > 1:
            fields["rows"].choices = [  # type: ignore[attr-defined]
                (key, dimension.label) for key, dimension in report.rows.items()
            ]
        else:
            del fields["rows"]
        if not report.amount:
            del fields["measure"]
        given = statistics_grant(actor)
        municipalities = Municipality.objects.order_by("name_lt")
        if not given.national:
            municipalities = municipalities.filter(pk__in=given.municipality_ids)
        if municipalities.count() > 1 or (given.national and municipalities.exists()):
            fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]
        else:
            # One municipality or one school: the scope says it already.
            del fields["municipality"]
        fields["institution_type"].queryset = (  # type: ignore[attr-defined]
            ClassifierValue.objects.of("institution-type").order_by("sort_order", "name_lt")
        )
        if report.level_lookup:
            levels = pupils.LEVEL_CHOICES if report.register == PUPILS else students.LEVEL_CHOICES
            fields["level"].choices = [("", _("all levels")), *levels]  # type: ignore[attr-defined]
        else:
            del fields["level"]

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            year=data["year"],
            rows=data.get("rows") or "",
            institution_type=data.get("institution_type"),
            municipality=data.get("municipality"),
            level=data.get("level") or "",
            measure=data.get("measure") or "count",
        )

    @classmethod
    def default_data(cls) -> dict[str, Any]:
        return {"year": str(school_year_of(timezone.localdate()))}
