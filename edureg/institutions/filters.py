import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edureg.institutions.models import FounderType, Institution, InstitutionKind


class InstitutionFilter(django_filters.FilterSet):
    """One filter for the institution list, shared by the web UI and the API."""

    q = django_filters.CharFilter(method="search", label="Search")
    municipality = django_filters.CharFilter(field_name="municipality__code")
    founder_type = django_filters.ChoiceFilter(choices=FounderType.choices)
    kind = django_filters.ChoiceFilter(choices=InstitutionKind.choices)
    main_group = django_filters.CharFilter(field_name="main_group__code")
    # An empty first choice: a select without one sends a value with every search (#16).
    active = django_filters.BooleanFilter(
        field_name="deregistered_on",
        lookup_expr="isnull",
        widget=forms.Select(choices=[("", "---------"), ("true", _("yes")), ("false", _("no"))]),
    )

    class Meta:
        model = Institution
        fields = ["q", "municipality", "founder_type", "kind", "main_group", "active"]

    def search(
        self, queryset: QuerySet[Institution], name: str, value: str
    ) -> QuerySet[Institution]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name_lt__icontains=value)
            | Q(name_en__icontains=value)
            | Q(jar_code=value)
            | Q(register_id=value)
        )
