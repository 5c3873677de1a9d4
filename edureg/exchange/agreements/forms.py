"""Forms of the agreement pages: choices are picked (systems, data sets and their fields), never
typed as codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from edureg.access.api.fieldscope import DATASET_LABELS, datasets
from edureg.exchange.agreement_models import Agreement, AgreementKind, AgreementStatus


def scope_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields of every data set, grouped by data set: "persons.birth_date"."""
    return [
        (
            str(DATASET_LABELS[dataset]),
            [(f"{dataset}.{name}", label) for name, label in fields.items()],
        )
        for dataset, fields in datasets().items()
    ]


def scope_from(keys: list[str]) -> dict[str, list[str]]:
    scope: dict[str, list[str]] = {}
    for key in keys:
        dataset, _sep, name = key.partition(".")
        scope.setdefault(dataset, []).append(name)
    return scope


def scope_keys(scope: dict[str, list[str]]) -> list[str]:
    return [f"{dataset}.{name}" for dataset, names in (scope or {}).items() for name in names]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=AgreementKind.choices, widget=forms.RadioSelect
    )
    number = forms.CharField(label=_("Number"), max_length=64)
    recipient = forms.CharField(label=_("Recipient organisation"), max_length=300)
    recipient_code = forms.CharField(
        label=_("Recipient's legal-entity code"), max_length=9, required=False
    )
    legal_basis = forms.CharField(label=_("Legal basis"), widget=forms.Textarea(attrs={"rows": 2}))
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_to = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("The first day on which the agreement no longer applies."),
    )
    decision = forms.CharField(
        label=_("Decision and its reasons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a written request: the agency's decision to approve it, with reasons."),
    )
    clients = forms.ModelMultipleChoiceField(
        label=_("Systems of the recipient"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope = forms.MultipleChoiceField(
        label=_("Data sets and fields given"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the fields ticked are in the answers the recipient's systems get."),
    )

    def __init__(self, *args: Any, clients: Any, agreement: Agreement | None = None, **kwargs: Any):
        if agreement is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": agreement.kind,
                "number": agreement.number,
                "recipient": agreement.recipient,
                "recipient_code": agreement.recipient_code,
                "legal_basis": agreement.legal_basis,
                "purpose": agreement.purpose,
                "valid_from": agreement.valid_from,
                "valid_to": agreement.valid_to,
                "decision": agreement.decision,
                "clients": list(agreement.clients.all()),
                "scope": scope_keys(agreement.scope),
            }
        super().__init__(*args, **kwargs)
        self.fields["clients"].queryset = clients
        self.fields["scope"].choices = scope_choices()
        if agreement is None:
            self.fields["kind"].initial = AgreementKind.AGREEMENT

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["scope"] = scope_from(data["scope"])
        data["clients"] = list(data["clients"])
        return data


class StatusForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementFilterForm(forms.Form):
    q = forms.CharField(label=_("Number or recipient"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("any")), *AgreementStatus.choices, ("pending", _("not yet in force"))],
    )
