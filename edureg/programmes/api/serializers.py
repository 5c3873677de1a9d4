"""Thin serializers for the programmes API: shape and types only.

The rules (credit ranges, cycles, who may do what) live in `programmes.validation` and
`programmes.services`; their field errors reach the caller through the one error shape.
Classifier values are given and shown by their code.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# The most records one batch call may carry: no endpoint takes or returns an unbounded list.
from edureg.core.api.batch import batch_serializers
from edureg.core.api.serializers import PORTABLE_INTEGER
from edureg.core.models import ClassifierValue
from edureg.institutions.models import Institution
from edureg.programmes.models import Module, Programme, ProgrammeKind, ProgrammeVersion
from edureg.programmes.services import CONTENT_FIELDS


# Positive integer columns: DRF takes their upper bound from the database in use, which would
# make the committed schema differ between SQLite and PostgreSQL. This bound holds in both.
def classifier_code(classifier: str, **kwargs: Any) -> serializers.SlugRelatedField:
    """A value of one named classifier, written and read as its code."""
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=ClassifierValue.objects.of(classifier),
        required=False,
        allow_null=True,
        **kwargs,
    )


class ProgrammeModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["name_lt", "name_en", "credits", "hours", "mandatory"]
        extra_kwargs = {"hours": PORTABLE_INTEGER}


class VersionContentSerializer(serializers.ModelSerializer):
    """What a provider writes about a programme: the content of one version."""

    isced_level = classifier_code("isced-level")
    ltks_level = classifier_code("ltks-level")
    study_field = classifier_code("study-field")
    nvs_direction = classifier_code("nvs-direction")
    nvs_subdirection = classifier_code("nvs-subdirection")
    modules = ProgrammeModuleSerializer(many=True, required=False)

    class Meta:
        model = ProgrammeVersion
        fields = [*CONTENT_FIELDS, "modules"]
        extra_kwargs = {"hours": PORTABLE_INTEGER}


class ProgrammeVersionSerializer(VersionContentSerializer):
    class Meta(VersionContentSerializer.Meta):
        fields = [
            "number",
            "status",
            *VersionContentSerializer.Meta.fields,
            "submitted_at",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class ProgrammeVersionSummarySerializer(ProgrammeVersionSerializer):
    """A version without its modules, for lists."""

    class Meta(ProgrammeVersionSerializer.Meta):
        fields = [f for f in ProgrammeVersionSerializer.Meta.fields if f != "modules"]
        read_only_fields = fields


PROGRAMME_FIELDS = [
    "id",
    "kind",
    "provider",
    "state_code",
    "status",
    "registered_on",
    "deregistered_on",
    "deregistration_reason",
    "source_system",
    "local_id",
    "version",
]


class ProgrammeBaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = serializers.SlugRelatedField(slug_field="register_id", read_only=True)
    deregistration_reason = serializers.SlugRelatedField(slug_field="code", read_only=True)
    version = serializers.IntegerField(
        read_only=True,
        help_text=_("The record version: send it back when you change the draft."),
    )

    class Meta:
        model = Programme
        fields = PROGRAMME_FIELDS
        read_only_fields = fields


class ProgrammeListSerializer(ProgrammeBaseSerializer):
    """A programme in a list: its identity and the version in force (else the latest one)."""

    current = serializers.SerializerMethodField()

    class Meta(ProgrammeBaseSerializer.Meta):
        fields = [*PROGRAMME_FIELDS, "current"]
        read_only_fields = fields

    @extend_schema_field(ProgrammeVersionSummarySerializer(allow_null=True))
    def get_current(self, programme: Programme) -> dict[str, Any] | None:
        # current_version() reads the prefetched versions: no query per row.
        current = programme.current_version()
        return ProgrammeVersionSummarySerializer(current).data if current else None


class ProgrammeSerializer(ProgrammeBaseSerializer):
    """A programme with all its versions, newest first, each with its modules."""

    versions = ProgrammeVersionSerializer(many=True, read_only=True)

    class Meta(ProgrammeBaseSerializer.Meta):
        fields = [*PROGRAMME_FIELDS, "versions"]
        read_only_fields = fields


class DraftUpsertSerializer(VersionContentSerializer):
    """The full content of a programme's draft, as a provider's system holds it.

    A PUT replaces the draft: a content field left out takes its empty default, and `modules`
    left out means no modules.
    """

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "The record version you last saw. Required when the programme exists and the "
            "content differs from what is stored; a stale version answers 409."
        ),
    )
    kind = serializers.ChoiceField(
        choices=ProgrammeKind.choices,
        required=False,
        help_text=_("Required when the programme is new; it cannot change afterwards."),
    )
    provider = serializers.SlugRelatedField(
        slug_field="register_id",
        queryset=Institution.objects.all(),
        required=False,
        help_text=_(
            "The providing institution's register id. A system client acts for its own "
            "institution and may leave it out; a signed-in user gives it for a new programme."
        ),
    )

    class Meta(VersionContentSerializer.Meta):
        fields = ["version", "kind", "provider", *VersionContentSerializer.Meta.fields]


class ProgrammeRefSerializer(ProgrammeBaseSerializer):
    class Meta(ProgrammeBaseSerializer.Meta):
        fields = ["id", "kind", "provider", "state_code", "status", "version"]
        read_only_fields = fields


DRAFT_BATCH = batch_serializers(
    name="Draft",
    upsert=DraftUpsertSerializer,
    represent=ProgrammeRefSerializer,
    result_key="programme",
    status_help=_("200 updated or unchanged, 201 created, 400/403/404/409/500 not applied."),
)


class ProgrammeRequestChangesSerializer(serializers.Serializer):
    note = serializers.CharField(
        allow_blank=True, help_text=_("What the provider must change (shown to the provider).")
    )


class ProgrammeRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text=_("Why the version is rejected."))


class ProgrammeRegisterSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, help_text=_("The registration date of a first registration; today.")
    )


class ProgrammeDeregisterSerializer(serializers.Serializer):
    reason = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ClassifierValue.objects.of("programme-deregistration-reason"),
        help_text=_("A code of the programme-deregistration-reason classifier."),
    )
    date = serializers.DateField(required=False, help_text=_("Deregistered on; today if left out."))
