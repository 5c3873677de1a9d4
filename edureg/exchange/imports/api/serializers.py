from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from edureg.exchange.import_models import ImportKind, ImportRow, ImportRun
from edureg.institutions.models import Institution


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    institution = serializers.SlugRelatedField(
        slug_field="register_id",
        queryset=Institution.objects.all(),
        required=False,
        help_text=_("The institution's register id; a system client may leave out its own."),
    )
    source_system = serializers.CharField(max_length=64)
    file = serializers.FileField(help_text=_("CSV, XLSX or JSON Lines (.jsonl)."))
    all_or_nothing = serializers.BooleanField(default=False)


class ImportRunSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="register_id", read_only=True)
    job = serializers.UUIDField(source="job.public_id", read_only=True, allow_null=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "file_format",
            "file_name",
            "source_system",
            "institution",
            "all_or_nothing",
            "status",
            "rows_total",
            "created",
            "unchanged",
            "updated",
            "refused",
            "uploaded_at",
            "finished_at",
            "job",
        ]
        read_only_fields = fields


class ImportRowSerializer(serializers.ModelSerializer):
    record = serializers.UUIDField(source="record_id", read_only=True, allow_null=True)

    class Meta:
        model = ImportRow
        fields = ["line", "key", "outcome", "field", "code", "message", "record", "applied_at"]
        read_only_fields = fields
