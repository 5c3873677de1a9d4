"""The public programme catalogue, read-only JSON: serializers, views and routes in one module.

    GET /api/v1/catalogue/programmes/               list, the web list's filters, cursor pages
    GET /api/v1/catalogue/programmes/<state_code>/  one programme with modules and versions

Open to everyone (no sign-in, no token), like the web catalogue; drafts never appear.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import permissions, serializers, viewsets
from rest_framework.routers import SimpleRouter

from edureg.core.api.pagination import StableCursorPagination
from edureg.institutions.models import Institution
from edureg.programmes.filters import CatalogueFilter
from edureg.programmes.models import (
    Accreditation,
    Module,
    Programme,
    ProgrammeVersion,
    Qualification,
)
from edureg.programmes.selectors import catalogue_list, public_versions, registered_version
from edureg.programmes.services import CONTENT_FIELDS


def code_field() -> serializers.SlugRelatedField:
    """A classifier value (or municipality) by its code."""
    return serializers.SlugRelatedField(slug_field="code", read_only=True)


class CatalogueProviderSerializer(serializers.ModelSerializer):
    municipality = code_field()

    class Meta:
        model = Institution
        fields = ["register_id", "name_lt", "name_en", "municipality"]


class CatalogueModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["position", "name_lt", "name_en", "credits", "hours", "mandatory"]


class CatalogueQualificationSerializer(serializers.ModelSerializer):
    ltks_level = code_field()

    class Meta:
        model = Qualification
        fields = ["code", "kind", "name_lt", "name_en", "ltks_level"]


class CatalogueAccreditationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Accreditation
        fields = ["decision", "decided_on", "valid_until", "scores"]


class CatalogueVersionSerializer(serializers.ModelSerializer):
    """The content of one decided version; classifier values by code."""

    isced_level = code_field()
    ltks_level = code_field()
    study_field = code_field()
    nvs_direction = code_field()
    nvs_subdirection = code_field()
    languages = serializers.SerializerMethodField()

    class Meta:
        model = ProgrammeVersion
        fields = ["number", "status", *CONTENT_FIELDS, "decided_at"]

    def get_languages(self, version: ProgrammeVersion) -> list[str]:
        """ISO 639-1 codes of the languages of instruction."""
        return [code.strip() for code in version.languages.split(",") if code.strip()]


class CatalogueVersionDetailSerializer(CatalogueVersionSerializer):
    modules = CatalogueModuleSerializer(many=True, read_only=True)
    qualifications = CatalogueQualificationSerializer(many=True, read_only=True)

    class Meta(CatalogueVersionSerializer.Meta):
        fields = [*CatalogueVersionSerializer.Meta.fields, "modules", "qualifications"]


class CatalogueHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgrammeVersion
        fields = ["number", "status", "submitted_at", "decided_at"]


class CatalogueProgrammeSerializer(serializers.ModelSerializer):
    provider = CatalogueProviderSerializer(read_only=True)
    deregistration_reason = code_field()
    version = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = [
            "state_code",
            "kind",
            "status",
            "registered_on",
            "deregistered_on",
            "deregistration_reason",
            "provider",
            "version",
        ]

    @extend_schema_field(CatalogueVersionSerializer)
    def get_version(self, programme: Programme) -> dict[str, Any] | None:
        """The version in force (a deregistered programme keeps its last one)."""
        version = registered_version(programme)
        return CatalogueVersionSerializer(version).data if version else None


class CatalogueProgrammeDetailSerializer(CatalogueProgrammeSerializer):
    accreditations = CatalogueAccreditationSerializer(many=True, read_only=True)
    versions = serializers.SerializerMethodField()

    class Meta(CatalogueProgrammeSerializer.Meta):
        fields = [*CatalogueProgrammeSerializer.Meta.fields, "accreditations", "versions"]

    @extend_schema_field(CatalogueVersionDetailSerializer)
    def get_version(self, programme: Programme) -> dict[str, Any] | None:
        version = registered_version(programme)
        return CatalogueVersionDetailSerializer(version).data if version else None

    @extend_schema_field(CatalogueHistorySerializer(many=True))
    def get_versions(self, programme: Programme) -> list[dict[str, Any]]:
        """The version history: decided versions, newest first."""
        return list(CatalogueHistorySerializer(public_versions(programme), many=True).data)


class CataloguePagination(StableCursorPagination):
    """Cursor pages in state-code order (unique and never changed once issued)."""

    ordering = "state_code"


class CatalogueProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """The public catalogue of registered and deregistered programmes."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[Any] = []  # public data: no session or token is looked at
    filterset_class = CatalogueFilter
    pagination_class = CataloguePagination
    lookup_field = "state_code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return catalogue_list(detail=self.action == "retrieve")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CatalogueProgrammeDetailSerializer
        return CatalogueProgrammeSerializer


router = SimpleRouter(trailing_slash=True)
router.register("catalogue/programmes", CatalogueProgrammeViewSet, basename="catalogue-programme")
urlpatterns = router.urls
