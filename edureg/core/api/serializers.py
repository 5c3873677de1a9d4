from rest_framework import serializers

from edureg.core.models import Classifier, ClassifierValue

# Integer fields in the API stay within what every client language and both databases hold.
PORTABLE_INTEGER = {"max_value": 2**31 - 1}


class ClassifierValueSerializer(serializers.ModelSerializer):
    # "parent" is also an attribute of DRF's Field; DRF's metaclass moves declared fields away,
    # so the clash exists only for the type checker.
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)  # type: ignore[assignment]

    class Meta:
        model = ClassifierValue
        fields = ["code", "name_lt", "name_en", "parent", "valid_from", "valid_to"]


class ClassifierSerializer(serializers.ModelSerializer):
    values = ClassifierValueSerializer(many=True, read_only=True)

    class Meta:
        model = Classifier
        fields = ["code", "official_code", "name_lt", "name_en", "complete", "values"]


class ApiErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class ApiErrorSerializer(serializers.Serializer):
    """The one error shape of the API (edureg.core.api.errors)."""

    status = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    # "errors" is also a Serializer property; DRF's metaclass moves declared fields away, so
    # the clash exists only for the type checker.
    errors = ApiErrorDetailSerializer(many=True)  # type: ignore[assignment]
