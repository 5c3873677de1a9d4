from rest_framework import permissions, viewsets

from edureg.institutions import selectors
from edureg.institutions.api.serializers import InstitutionSerializer, MunicipalitySerializer
from edureg.institutions.filters import InstitutionFilter


class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    """Education institutions, branches and free teachers: public register data."""

    serializer_class = InstitutionSerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = InstitutionFilter
    lookup_field = "register_id"

    def get_queryset(self):
        return selectors.institution_list()


class MunicipalityViewSet(viewsets.ReadOnlyModelViewSet):
    """The 60 municipalities of Lithuania (ISO 3166-2:LT) with their counties."""

    serializer_class = MunicipalitySerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"

    def get_queryset(self):
        return selectors.municipality_list()
