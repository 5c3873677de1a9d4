"""Thin serializers for the documents' API: shape and types only.

The rules (eligibility, four eyes, blanks, registration numbers) live in
`credentials.services`; their field errors reach the caller through the one error shape.
Documents, people, classes and study rights are referenced by their public ids, institutions by
their register id, document types by their code.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from edureg.core.api.serializers import PORTABLE_INTEGER
from edureg.credentials.models import Document, DocumentType, ReissueKind
from edureg.credentials.pdf import verification_url
from edureg.institutions.models import Institution


class BlankRefSerializer(serializers.Serializer):
    series = serializers.CharField(read_only=True)
    number = serializers.IntegerField(read_only=True)


class HolderSerializer(serializers.Serializer):
    """The holder as the document states them (from the register when it was formed)."""

    given_names = serializers.CharField(read_only=True)
    family_name = serializers.CharField(read_only=True)
    birth_date = serializers.DateField(read_only=True)


class DocumentSerializer(serializers.ModelSerializer):
    """A document as listed: what it is, whose, by whom, its number and blank."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    document_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    document_type_name = serializers.SerializerMethodField(
        help_text=_("The type's name in the language of the request.")
    )
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    holder = serializers.SerializerMethodField()
    institution = serializers.CharField(source="institution.register_id", read_only=True)
    group = serializers.UUIDField(source="group.public_id", read_only=True, allow_null=True)
    study_right = serializers.UUIDField(
        source="study_right.public_id", read_only=True, allow_null=True
    )
    replaces = serializers.UUIDField(source="replaces.public_id", read_only=True, allow_null=True)
    blank = BlankRefSerializer(read_only=True, allow_null=True)
    supplement_blank = BlankRefSerializer(read_only=True, allow_null=True)
    verification_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "document_type",
            "document_type_name",
            "status",
            "reissue_kind",
            "person",
            "holder",
            "institution",
            "group",
            "study_right",
            "school_year",
            "registration_number",
            "issued_on",
            "blank",
            "supplement_blank",
            "verification_url",
            "annulled_on",
            "annul_reason",
            "replaces",
            "formed_by",
            "approved_by",
            "approved_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_document_type_name(self, document: Document) -> str:
        return str(document.document_type)

    @extend_schema_field(HolderSerializer)
    def get_holder(self, document: Document) -> dict[str, Any]:
        holder = document.content.get("holder", {})
        return {
            "given_names": holder.get("given_names", ""),
            "family_name": holder.get("family_name", ""),
            "birth_date": holder.get("birth_date"),
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_verification_url(self, document: Document) -> str | None:
        """The public verification link printed in the QR code (issued documents only)."""
        return verification_url(document) if document.verification_code else None


class DocumentDetailSerializer(DocumentSerializer):
    """A document with what it states and the duplicate or replacement issued for it."""

    content = serializers.JSONField(
        read_only=True,
        help_text=_(
            "What the document states, as formed from the register: holder, issuer, grades, "
            "exams, modules or study data."
        ),
    )
    reissued_as = serializers.SerializerMethodField(
        help_text=_("The duplicate or replacement issued for this annulled document.")
    )

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "content", "reissued_as"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.UUID)
    def get_reissued_as(self, document: Document) -> str | None:
        reissue = self.context.get("reissued_as")
        return str(reissue.public_id) if reissue is not None else None


class DocumentFormSerializer(serializers.Serializer):
    document_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DocumentType.objects.filter(active=True),
        help_text=_("The document type's code, e.g. maturity, basic, studies."),
    )
    person = serializers.UUIDField(
        required=False,
        help_text=_(
            "The holder's public id: a pupil of the institution, or (with `study_right`) left out."
        ),
    )
    institution = serializers.SlugRelatedField(
        slug_field="register_id",
        queryset=Institution.objects.all(),
        required=False,
        help_text=_("The issuing institution's register id; a system client's own if left out."),
    )
    school_year = serializers.IntegerField(
        required=False,
        min_value=1990,
        max_value=2100,
        help_text=_("The school year (its first calendar year); the latest one if left out."),
    )
    study_right = serializers.UUIDField(
        required=False,
        help_text=_("For documents of the Student Register: the study right's public id."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "person" not in attrs and "study_right" not in attrs:
            raise serializers.ValidationError({"person": [_("Give the holder's public id.")]})
        return attrs


class DocumentApproveSerializer(serializers.Serializer):
    blank_series = serializers.CharField(
        required=False,
        max_length=8,
        help_text=_(
            "The blank to print on (with `blank_number`); the next one on hand if left out."
        ),
    )
    blank_number = serializers.IntegerField(required=False, min_value=1, **PORTABLE_INTEGER)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("blank_series" in attrs) != ("blank_number" in attrs):
            missing = "blank_number" if "blank_series" in attrs else "blank_series"
            raise serializers.ValidationError(
                {missing: [_("Give both the blank's series and its number, or neither.")]}
            )
        return attrs


class DocumentAnnulSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text=_("Why the document is annulled."))


class DocumentReissueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[
            (ReissueKind.DUPLICATE, ReissueKind.DUPLICATE.label),
            (ReissueKind.REPLACEMENT, ReissueKind.REPLACEMENT.label),
        ],
        help_text=_(
            "duplicate: the same content on the type's duplicate type; replacement: formed "
            "anew from the register data."
        ),
    )
