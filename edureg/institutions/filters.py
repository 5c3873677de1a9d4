import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from edureg.core.models import ClassifierValue
from edureg.institutions.models import FounderType, Institution, InstitutionKind, Municipality


class InstitutionFilter(django_filters.FilterSet):
    """One filter for the institution list, shared by the web UI and the API."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    # Picked by name; systems and links send the code (ISO 3166-2, the classifier's code).
    municipality = django_filters.ModelChoiceFilter(
        field_name="municipality",
        to_field_name="code",
        queryset=Municipality.objects.order_by("name_lt"),
        label=_("Municipality"),
    )
    founder_type = django_filters.ChoiceFilter(choices=FounderType.choices, label=_("Founder type"))
    kind = django_filters.ChoiceFilter(choices=InstitutionKind.choices, label=_("Kind"))
    main_group = django_filters.ModelChoiceFilter(
        field_name="main_group",
        to_field_name="code",
        queryset=ClassifierValue.objects.of("institution-group"),
        label=_("Main group"),
    )
    # An empty first choice: a select without one sends a value with every search (#16).
    active = django_filters.BooleanFilter(
        field_name="deregistered_on",
        lookup_expr="isnull",
        label=_("Still operating"),
        widget=forms.Select(choices=[("", _("all")), ("true", _("yes")), ("false", _("no"))]),
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
