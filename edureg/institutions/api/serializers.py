from rest_framework import serializers

from edureg.institutions.models import County, Institution, Municipality


class CountySerializer(serializers.ModelSerializer):
    class Meta:
        model = County
        fields = ["code", "name_lt", "name_en"]


class MunicipalitySerializer(serializers.ModelSerializer):
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Municipality
        fields = ["code", "name_lt", "name_en", "kind", "county"]


class InstitutionSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    main_group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    main_type = serializers.SlugRelatedField(slug_field="code", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="register_id", read_only=True)  # type: ignore[assignment]  # see core.api.serializers

    class Meta:
        model = Institution
        fields = [
            "register_id",
            "kind",
            "jar_code",
            "branch_code",
            "name_lt",
            "name_en",
            "main_group",
            "main_type",
            "founder_type",
            "municipality",
            "parent",
            "address",
            "registered_on",
            "deregistered_on",
        ]
