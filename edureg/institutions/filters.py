import django_filters
from django.db.models import Q, QuerySet

from edureg.institutions.models import FounderType, Institution, InstitutionKind


class InstitutionFilter(django_filters.FilterSet):
    """One filter for the institution list, shared by the web UI and the API."""

    q = django_filters.CharFilter(method="search", label="Search")
    municipality = django_filters.CharFilter(field_name="municipality__code")
    founder_type = django_filters.ChoiceFilter(choices=FounderType.choices)
    kind = django_filters.ChoiceFilter(choices=InstitutionKind.choices)
    main_group = django_filters.CharFilter(field_name="main_group__code")
    active = django_filters.BooleanFilter(field_name="deregistered_on", lookup_expr="isnull")

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
