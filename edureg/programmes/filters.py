"""What the public sees of the programmes register, and the one filter of the public catalogue.

What the public sees is decided in `selectors.catalogue_list`. The content a programme is found
and filtered by is that of its registered version (the version in force, which a deregistered
programme keeps). `CatalogueFilter` serves the web list, its CSV download and the JSON API.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from edureg.core import pickers
from edureg.core.models import ClassifierValue
from edureg.core.pickers import PickerFilter
from edureg.institutions.models import Institution, Municipality
from edureg.institutions.pickers import INSTITUTION
from edureg.programmes.models import (
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
)
from edureg.programmes.selectors import registered_version_matches


def language_q(code: str) -> Q:
    """`languages` holds ISO 639-1 codes separated by commas ("lt,en" or "lt, en"): match a
    whole code in any case. `code` is a value of the language classifier (ISO 639-1 letters
    only), so it is safe in a pattern;
    Django runs the regular expression on SQLite as well as on PostgreSQL."""
    return Q(languages__iregex=rf"(^|,)\s*{code}\s*(,|$)")


MODE_CHOICES = [("full_time", _("full-time")), ("part_time", _("part-time"))]
STATUS_CHOICES = [
    (ProgrammeStatus.REGISTERED.value, ProgrammeStatus.REGISTERED.label),
    (ProgrammeStatus.DEREGISTERED.value, ProgrammeStatus.DEREGISTERED.label),
]


class CatalogueFilter(django_filters.FilterSet):
    """One filter for the public programme catalogue, shared by the web UI, CSV and API."""

    q = django_filters.CharFilter(
        method="search",
        label=pgettext_lazy("search field label", "Search"),
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Words of the name or description, or a state code."),
    )
    kind = django_filters.ChoiceFilter(choices=ProgrammeKind.choices, label=_("Kind"))
    isced_level = django_filters.ModelChoiceFilter(
        queryset=ClassifierValue.objects.of("isced-level"),
        to_field_name="code",
        method="by_version",
        label=_("ISCED level"),
    )
    study_field = django_filters.ModelChoiceFilter(
        queryset=ClassifierValue.objects.of("study-field"),
        to_field_name="code",
        method="by_version",
        label=_("Study field"),
    )
    # Picked by name on the page; systems and links send the register id / language code.
    provider = PickerFilter(
        field_name="provider",
        picker=INSTITUTION,
        queryset=Institution.objects.all(),
        url="programmes:pick-provider",
        label=_("Provider"),
        help_text=_("A name, or the register id."),
    )
    municipality = django_filters.ModelChoiceFilter(
        queryset=Municipality.objects.all(),
        field_name="provider__municipality",
        to_field_name="code",
        label=_("Municipality"),
    )
    language = PickerFilter(
        method="by_language",
        picker=pickers.LANGUAGE,
        queryset=pickers.languages(),
        url="pick-language",
        label=_("Language"),
        help_text=_("A name, or the ISO 639-1 code, e.g. lt."),
    )
    mode = django_filters.ChoiceFilter(choices=MODE_CHOICES, method="by_mode", label=_("Mode"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, label=_("Status"))

    class Meta:
        model = Programme
        fields = [
            "q",
            "kind",
            "isced_level",
            "study_field",
            "provider",
            "municipality",
            "language",
            "mode",
            "status",
        ]

    def search(self, queryset: QuerySet[Programme], name: str, value: str) -> QuerySet[Programme]:
        """Every word must occur in a name (Lithuanian or English) or a description of the
        registered version; a whole state code also finds its programme."""
        words = value.split()
        if not words:
            return queryset
        condition = Q()
        for word in words:
            condition &= (
                Q(name_lt__icontains=word)
                | Q(name_en__icontains=word)
                | Q(description_lt__icontains=word)
                | Q(description_en__icontains=word)
            )
        return queryset.filter(
            Q(state_code__iexact=value.strip()) | registered_version_matches(condition)
        )

    def by_version(
        self, queryset: QuerySet[Programme], name: str, value: ClassifierValue | None
    ) -> QuerySet[Programme]:
        if value is None:
            return queryset
        return queryset.filter(registered_version_matches(Q(**{name: value})))

    def by_language(
        self, queryset: QuerySet[Programme], name: str, value: ClassifierValue | None
    ) -> QuerySet[Programme]:
        if value is None:
            return queryset
        code = value.code.lower()
        return queryset.filter(registered_version_matches(language_q(code)))

    def by_mode(self, queryset: QuerySet[Programme], name: str, value: str) -> QuerySet[Programme]:
        if value not in dict(MODE_CHOICES):
            return queryset
        return queryset.filter(registered_version_matches(Q(**{value: True})))
