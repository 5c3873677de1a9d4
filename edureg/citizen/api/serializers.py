"""Shapes of the citizen's read-only API (what a mobile app reads); no field writes anything."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class ChildSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    birth_date = serializers.DateField()


class MeSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    personal_code = serializers.CharField(allow_null=True)
    given_names = serializers.CharField()
    family_name = serializers.CharField()
    birth_date = serializers.DateField()
    citizenship = serializers.CharField(help_text="ISO 3166-1 alpha-2 code.")
    declared_municipality = serializers.CharField(
        allow_null=True, help_text="ISO 3166-2 code of the municipality."
    )
    children = ChildSerializer(
        many=True, help_text="Children under 18 of whom the person is a parent or guardian."
    )


class FactSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()


class SectionSerializer(serializers.Serializer):
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    summary = serializers.CharField(allow_blank=True)


class LinkSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()


class EntrySerializer(serializers.Serializer):
    key = serializers.CharField(help_text='Stable key of the record, e.g. "study-right:<uuid>".')
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    title = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    ongoing = serializers.BooleanField()
    status = serializers.CharField(allow_blank=True)
    register = serializers.CharField()
    institution_name = serializers.CharField(allow_blank=True)
    facts = serializers.SerializerMethodField()
    sections = SectionSerializer(many=True)
    links = LinkSerializer(many=True)
    parent = serializers.CharField(
        allow_blank=True, help_text="Key of the record this one belongs to, if any."
    )

    @extend_schema_field(FactSerializer(many=True))
    def get_facts(self, entry: Any) -> list[dict[str, str]]:
        return [{"label": label, "value": value} for label, value in entry.facts]


class AccessLineSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    who = serializers.CharField()
    organisation = serializers.CharField(allow_blank=True)
    role = serializers.CharField(allow_blank=True)
    what = serializers.CharField()
    channel = serializers.CharField()
