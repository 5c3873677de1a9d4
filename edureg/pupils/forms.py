"""Forms of the pupil register's web pages. They parse and check input shapes only; the rules of
the register are the services' (their errors are shown on these forms' fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edureg.core import pickers
from edureg.core.forms import DATE, MONTH, ValueChoiceField
from edureg.core.models import ClassifierValue
from edureg.core.pickers import PickerField
from edureg.institutions.models import Institution, Municipality
from edureg.pupils.models import Grade, Group, GroupKind
from edureg.pupils.selectors import (
    NOT_ENROLLED,
    STUDIES_ANYWHERE,
    STUDIES_ELSEWHERE,
    STUDIES_HERE,
)


def current_school_year(today: dt.date) -> int:
    """The school year runs from 1 September; it is named by the year it starts."""
    return today.year if today.month >= 9 else today.year - 1


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        group: Group = obj
        return f"{group.name} ({group.school_year}–{group.school_year + 1}) · {group.institution}"


class EnrolForm(forms.Form):
    person = forms.CharField(widget=forms.HiddenInput, required=False)
    group = GroupChoiceField(
        queryset=Group.objects.none(), label=pgettext_lazy("pupil group", "Group")
    )
    valid_from = forms.DateField(label=_("Enrolled from"), widget=DATE)
    contract_date = forms.DateField(label=_("Learning contract date"), required=False, widget=DATE)
    # Shown when the service refused because the pupil studies at another school.
    transfer_offered = forms.BooleanField(required=False, widget=forms.HiddenInput)
    transfer = forms.BooleanField(
        label=_("Record the transfer from the other school"),
        required=False,
        help_text=_("The pupil's enrolment at the other school ends the day they start here."),
    )

    def __init__(self, *args: Any, groups: QuerySet[Group], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]

    # Set by the view when the service refused because the pupil studies at another school.
    offer_transfer = False

    @property
    def transfer_shown(self) -> bool:
        offered = self.is_bound and self.data.get(self.add_prefix("transfer_offered"))
        return bool(self.offer_transfer or offered)


class DepartForm(forms.Form):
    on = forms.DateField(
        label=_("Departure date"),
        widget=DATE,
        help_text=_("The first day the pupil no longer belongs to the group."),
    )
    reason = ValueChoiceField(queryset=ClassifierValue.objects.none(), label=_("Departure reason"))
    order_number = forms.CharField(
        label=_("Director's order number"),
        max_length=50,
        required=False,
        help_text=_("If an order was written."),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": today})
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = (  # type: ignore[attr-defined]
            ClassifierValue.objects.of("departure-reason").valid_on(today)
        )


class MoveForm(forms.Form):
    group = GroupChoiceField(queryset=Group.objects.none(), label=_("New group"))
    on = forms.DateField(label=_("Moved from"), widget=DATE)

    def __init__(self, *args: Any, groups: QuerySet[Group], today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": today})
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]


class GroupForm(forms.Form):
    institution = forms.ModelChoiceField(
        queryset=Institution.objects.none(), label=_("Institution")
    )
    school_year = forms.IntegerField(
        label=_("School year"),
        min_value=2000,
        max_value=2100,
        help_text=_("The year the school year starts, e.g. 2025 for 2025–2026."),
    )
    name = forms.CharField(label=_("Name"), max_length=50, help_text=_("E.g. 5a or Robotika."))
    kind = forms.ChoiceField(label=_("Kind"), choices=GroupKind.choices)
    grade = forms.ChoiceField(
        label=_("Grade"),
        required=False,
        choices=[("", "—"), *Grade.choices],
        help_text=_("Needed for a general education class or group."),
    )
    language = PickerField(
        picker=pickers.LANGUAGE,
        queryset=pickers.languages(),
        url="pick-language",
        label=_("Language of instruction"),
        initial="lt",
    )

    def __init__(
        self, *args: Any, institutions: QuerySet[Institution], today: dt.date, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"school_year": current_school_year(today)})
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        if institutions.count() == 1:
            self.fields["institution"].initial = institutions.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The database holds this rule (general_group_has_grade); here it gets a field message.
        if data.get("kind") == GroupKind.GENERAL and not data.get("grade"):
            self.add_error("grade", _("A general education class or group needs a grade."))
        return data


class GroupCloseForm(forms.Form):
    on = forms.DateField(label=_("Closed on"), widget=DATE)

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": today})
        super().__init__(*args, **kwargs)


class DirectionsForm(forms.Form):
    directions = forms.ModelMultipleChoiceField(
        queryset=ClassifierValue.objects.none(),
        label=_("Directions and sub-directions"),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["directions"].queryset = (  # type: ignore[attr-defined]
            ClassifierValue.objects.filter(
                classifier__code__in=["nvs-direction", "nvs-subdirection"]
            )
            .valid_on(today)
            .select_related("classifier")
            .order_by("classifier__code", "sort_order", "code")
        )


class NvsMarkForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=Institution.objects.none(), label=_("Provider"))
    month_from = forms.DateField(
        label=_("From month"), widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    month_to = forms.DateField(
        label=_("To month"), widget=MONTH, input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    basket = forms.BooleanField(label=_("NVŠ targeted funding (basket)"), required=False)
    municipal_funds = forms.BooleanField(label=_("Municipal funds"), required=False)
    state_funds = forms.BooleanField(label=_("State funds"), required=False)
    other_funding = forms.BooleanField(label=_("Other funding"), required=False)

    def __init__(self, *args: Any, providers: QuerySet[Institution], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "nvs")
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        if providers.count() == 1:
            self.fields["provider"].initial = providers.first()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("month_from"), data.get("month_to")
        if first and last and last < first:
            self.add_error("month_to", _("The last month cannot come before the first."))
        return data


class YearEndForm(forms.Form):
    """End of the school year for a group: the date, the next year's groups, the departure
    reason of those who completed, and one outcome per pupil (fields `outcome_<enrolment id>`).
    """

    on = forms.DateField(
        label=_("From"),
        widget=DATE,
        help_text=_(
            "The first day in the new group (or the departure date of those who completed)."
        ),
    )
    promote_to = GroupChoiceField(
        queryset=Group.objects.none(), label=_("Promoted pupils go to"), required=False
    )
    repeat_to = GroupChoiceField(
        queryset=Group.objects.none(), label=_("Repeating pupils go to"), required=False
    )
    graduation_reason = ValueChoiceField(
        queryset=ClassifierValue.objects.none(),
        label=_("Departure reason of those who completed"),
        required=False,
    )
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        group: Group,
        pupils: list[Any],
        next_year_groups: QuerySet[Group],
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        from edureg.pupils import year_end

        reasons = ClassifierValue.objects.of("departure-reason").valid_on(today)
        completed = reasons.filter(code=year_end.COMPLETED_REASON_CODE).first()
        initial: dict[str, Any] = {
            "on": year_end.first_day_of_next_year(group),
            "graduation_reason": completed.code if completed else None,
        }
        promoted_grade = year_end.next_grade(group.grade)
        promote_choices = next_year_groups.filter(grade=promoted_grade or "-")
        repeat_choices = next_year_groups.filter(grade=group.grade)
        # One candidate group each is the usual case: choose it for the user.
        for name, candidates in (("promote_to", promote_choices), ("repeat_to", repeat_choices)):
            only = list(candidates[:2])
            if len(only) == 1:
                initial[name] = only[0].pk
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["promote_to"].queryset = promote_choices  # type: ignore[attr-defined]
        self.fields["repeat_to"].queryset = repeat_choices  # type: ignore[attr-defined]
        self.fields["graduation_reason"].queryset = reasons  # type: ignore[attr-defined]
        self.pupils = pupils
        default = year_end.default_outcome(group.grade)
        for enrolment in pupils:
            person = enrolment.person
            self.fields[self.outcome_name(enrolment)] = forms.ChoiceField(
                label=f"{person.family_name}, {person.given_names}",
                choices=year_end.Outcome.choices,
                initial=default,
            )

    @staticmethod
    def outcome_name(enrolment: Any) -> str:
        return f"outcome_{enrolment.public_id}"

    def outcome_fields(self) -> list[Any]:
        return [self[self.outcome_name(e)] for e in self.pupils]

    def outcomes(self) -> dict[str, str]:
        return {str(e.public_id): self.cleaned_data[self.outcome_name(e)] for e in self.pupils}

    def previewed_ids(self) -> list[str]:
        return [i for i in self.cleaned_data.get("previewed", "").split(",") if i]


class MunicipalityChildrenForm(forms.Form):
    """Which children of a municipality to list: by age on 1 September of the school year, and
    by where they study a general-education programme."""

    municipality = forms.ModelChoiceField(
        queryset=Municipality.objects.none(), label=_("Municipality"), to_field_name="code"
    )
    age_from = forms.IntegerField(label=_("Age from"), min_value=0, max_value=30, initial=6)
    age_to = forms.IntegerField(label=_("Age to"), min_value=0, max_value=30, initial=17)
    status = forms.ChoiceField(
        label=pgettext_lazy("where a child studies", "Studies"),
        required=False,
        choices=[
            (STUDIES_ANYWHERE, _("anywhere or nowhere")),
            (STUDIES_HERE, _("at a school of this municipality")),
            (STUDIES_ELSEWHERE, _("at a school of another municipality")),
            (NOT_ENROLLED, _("not enrolled in general education")),
        ],
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_from"), data.get("age_to")
        if low is not None and high is not None and low > high:
            self.add_error("age_to", _("The upper age must not be below the lower one."))
        return data

    def birth_dates(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """Born in [first, last] means aged age_from..age_to on 1 September of this school year."""
        september = dt.date(current_school_year(today), 9, 1)
        low, high = self.cleaned_data["age_from"], self.cleaned_data["age_to"]
        last = _years_before(september, low)
        first = _years_before(september, high + 1) + dt.timedelta(days=1)
        return first, last


def _years_before(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year - years)
