"""Forms of the programmes register's work pages: a provider's draft (content and modules), the
work-list filters and the registrar's decisions. The forms only parse input; every rule of the
register is checked by the services, whose errors the views put back on these fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.programmes.models import (
    ProgrammeKind,
    ProgrammeStatus,
    ProgrammeVersion,
    StudyCycle,
    StudyType,
)
from edureg.programmes.services import CONTENT_FIELDS

BLANK = [("", "—")]
# The draft's content fields: the keywords of services.programme_draft_create / _update.
CLASSIFIERS = {
    "study_field": "study-field",
    "isced_level": "isced-level",
    "ltks_level": "ltks-level",
    "nvs_direction": "nvs-direction",
    "nvs_subdirection": "nvs-subdirection",
}
MODULE_FIELDS = ("name_lt", "name_en", "credits", "hours", "mandatory")


def classifier_choices(
    code_list: str, *, keep: Iterable[int | None] = (), day: dt.date | None = None
) -> QuerySet[ClassifierValue]:
    """Values of a code list valid today, plus the ones a record already holds (a draft keeps
    a value that has expired since it was chosen)."""
    valid = ClassifierValue.objects.of(code_list).valid_on(day or timezone.localdate())
    kept = [pk for pk in keep if pk is not None]
    if kept:
        valid = ClassifierValue.objects.of(code_list).filter(
            Q(pk__in=valid.values("pk")) | Q(pk__in=kept)
        )
    return valid.select_related("classifier").order_by("sort_order", "code")


class ProgrammeDraftForm(forms.Form):
    """The content of a draft. With `providers`, the form starts a programme (kind and provider
    are chosen); with `version`, it edits that draft and carries the record version it shows."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices)
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Institution.objects.none())
    name_lt = forms.CharField(label=_("Name (Lithuanian)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300, required=False)
    description_lt = forms.CharField(
        label=_("Description (Lithuanian)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    description_en = forms.CharField(
        label=_("Description (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    study_type = forms.ChoiceField(
        label=_("Study type"),
        choices=BLANK + list(StudyType.choices),
        required=False,
        help_text=_("Study programmes only."),
    )
    cycle = forms.ChoiceField(
        label=_("Cycle"),
        choices=BLANK + list(StudyCycle.choices),
        required=False,
        help_text=_("Study programmes only."),
    )
    study_field = forms.ModelChoiceField(
        label=_("Study field"), queryset=ClassifierValue.objects.none(), required=False
    )
    study_subfield = forms.CharField(label=_("Study sub-field"), max_length=200, required=False)
    isced_level = forms.ModelChoiceField(
        label=_("ISCED level"), queryset=ClassifierValue.objects.none(), required=False
    )
    isced_field = forms.CharField(
        label=_("ISCED-F field code"), max_length=4, required=False, help_text=_("e.g. 0613")
    )
    ltks_level = forms.ModelChoiceField(
        label=_("LTKS level"), queryset=ClassifierValue.objects.none(), required=False
    )
    credits = forms.DecimalField(
        label=_("Credits (ECTS)"), max_digits=5, decimal_places=1, min_value=0, required=False
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, required=False)
    duration_years = forms.DecimalField(
        label=_("Duration (years)"),
        max_digits=3,
        decimal_places=1,
        min_value=0,
        max_value=10,
        required=False,
    )
    full_time = forms.BooleanField(label=_("Full-time"), required=False, initial=True)
    part_time = forms.BooleanField(label=_("Part-time"), required=False)
    languages = forms.CharField(
        label=_("Languages of instruction"),
        max_length=64,
        initial="lt",
        help_text=_("ISO 639-1 codes, comma-separated, e.g. lt,en"),
    )
    education_awarded_lt = forms.CharField(
        label=_("Education awarded (Lithuanian)"), max_length=300, required=False
    )
    education_awarded_en = forms.CharField(
        label=_("Education awarded (English)"), max_length=300, required=False
    )
    nvs_direction = forms.ModelChoiceField(
        label=_("NVŠ direction"),
        queryset=ClassifierValue.objects.none(),
        required=False,
        help_text=_("Non-formal children's education programmes only."),
    )
    nvs_subdirection = forms.ModelChoiceField(
        label=_("NVŠ sub-direction"), queryset=ClassifierValue.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        providers: QuerySet[Institution] | None = None,
        version: ProgrammeVersion | None = None,
        record_version: int | None = None,
        **kwargs: Any,
    ) -> None:
        if version is not None:
            initial = {name: getattr(version, name) for name in CONTENT_FIELDS}
            initial["version"] = record_version
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        for name, code_list in CLASSIFIERS.items():
            held = getattr(version, f"{name}_id") if version is not None else None
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = classifier_choices(code_list, keep=[held])
        if providers is None:
            del self.fields["kind"]
            del self.fields["provider"]
        else:
            del self.fields["version"]
            provider = self.fields["provider"]
            assert isinstance(provider, forms.ModelChoiceField)
            provider.queryset = providers
            if len(providers) == 1:
                provider.initial = providers[0].pk
        for field in self.fields.values():
            if field.required and not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("required", True)

    def content(self) -> dict[str, Any]:
        """The keywords for the draft services."""
        return {name: self.cleaned_data[name] for name in CONTENT_FIELDS}


class ModuleForm(forms.Form):
    name_lt = forms.CharField(label=_("Module name (Lithuanian)"), max_length=300)
    name_en = forms.CharField(label=_("Module name (English)"), max_length=300, required=False)
    credits = forms.DecimalField(
        label=_("Credits"), max_digits=5, decimal_places=1, min_value=0, required=False
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=0, required=False)
    mandatory = forms.BooleanField(label=_("Mandatory"), required=False, initial=True)


ModuleFormSet = forms.formset_factory(ModuleForm, extra=3, can_delete=True, max_num=200)


def module_formset(
    data: Any = None, *, version: ProgrammeVersion | None = None
) -> forms.BaseFormSet:
    """The modules of a draft: the draft's own rows, then a few empty rows to add more."""
    initial = None
    if version is not None:
        initial = [
            {name: getattr(module, name) for name in MODULE_FIELDS}
            for module in version.modules.all()
        ]
    return ModuleFormSet(data, initial=initial, prefix="modules")


def modules_of(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The modules as the services take them, in the order given; deleted rows and untouched
    empty rows left out (the draft's own rows count even when unchanged)."""
    kept = []
    for index, form in enumerate(formset.forms):
        if form.cleaned_data.get("DELETE"):
            continue
        if index >= formset.initial_form_count() and not form.has_changed():
            continue
        kept.append({name: form.cleaned_data[name] for name in MODULE_FIELDS})
    return kept


class WorkFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any status")), *ProgrammeStatus.choices], required=False
    )
    awaiting = forms.BooleanField(label=_("Submitted, awaiting decision"), required=False)

    def __init__(self, *args: Any, registrar: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not registrar:
            del self.fields["awaiting"]


class RequestChangesForm(forms.Form):
    note = forms.CharField(
        label=_("What must change"), widget=forms.Textarea(attrs={"rows": 3, "required": True})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )


class DeregisterForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("Deregistration reason"), queryset=ClassifierValue.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        assert isinstance(reason, forms.ModelChoiceField)
        reason.queryset = classifier_choices("programme-deregistration-reason")
