from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from edureg.access.models import FunctionArea, Level, RequestStatus
from edureg.core.pickers import PickerField
from edureg.institutions.models import Institution
from edureg.institutions.pickers import INSTITUTION

NO_RIGHT = ""
LEVEL_CHOICES = [(NO_RIGHT, _("no right")), *Level.choices]


class RightsFieldsMixin:
    """One select (none / viewer / manager) per function area, as on the paper form."""

    def add_rights_fields(
        self, fields: dict[str, forms.Field], initial: dict[str, str] | None = None
    ) -> None:
        for area, label in FunctionArea.choices:
            if area == FunctionArea.ARCHIVE:
                continue  # the archive is the agency's: granted nationally, never requested
            fields[f"right_{area}"] = forms.ChoiceField(
                label=label,
                choices=LEVEL_CHOICES,
                required=False,
                initial=(initial or {}).get(area, ""),
            )

    def chosen_rights(self) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return {
            area: data[f"right_{area}"] for area in FunctionArea.values if data.get(f"right_{area}")
        }


class UserRequestForm(RightsFieldsMixin, forms.Form):
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    email = forms.EmailField(label=_("Work e-mail"))
    username = forms.CharField(label=_("User name"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    # Picked by name (a register id or legal-entity code works too), never typed as a code.
    institution_code = PickerField(
        picker=INSTITUTION,
        queryset=Institution.objects.filter(deregistered_on__isnull=True),
        url="access:pick-institution",
        label=_("Institution"),
        help_text=_("Type a few letters of the institution's name and choose it from the list."),
    )
    position = forms.CharField(label=_("Position"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    pledge_accepted = forms.BooleanField(
        label=_(
            "I have read the confidentiality pledge and undertake to keep personal data secret."
        ),
        required=False,
    )

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if signed_in:
            for name in ("first_name", "last_name", "email", "username", "password"):
                del self.fields[name]
        self.add_rights_fields(self.fields)

    def clean_institution_code(self) -> Institution:
        institution = self.cleaned_data["institution_code"]
        if institution is None:
            raise forms.ValidationError(_("Choose the institution."), code="required")
        return institution


class DecisionForm(RightsFieldsMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("approve")), ("reject", _("reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea, required=False)
    valid_to = forms.DateField(
        label=_("Rights valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, asked: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area, label in FunctionArea.choices:
            if area in asked:
                self.fields[f"right_{area}"] = forms.ChoiceField(
                    label=label, choices=LEVEL_CHOICES, required=False, initial=asked[area]
                )


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("all")), *RequestStatus.choices], required=False
    )
    institution = forms.CharField(label=_("Institution"), required=False, max_length=100)


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class NominationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the person put forward"))
