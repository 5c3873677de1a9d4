"""Thin serializers: shape and types only. Rules live in the model and in people.services."""

from rest_framework import serializers

from edureg.access.api.fieldscope import AgreementFieldsMixin
from edureg.institutions.models import Municipality
from edureg.people.identity import validate_personal_code
from edureg.people.models import Person, Sex, validate_country_code


class PersonSerializer(AgreementFieldsMixin, serializers.ModelSerializer):
    agreement_dataset = "persons"
    id = serializers.UUIDField(source="public_id", read_only=True)
    personal_code = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=11,
        validators=[validate_personal_code],
    )
    birth_date = serializers.DateField(required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    citizenship = serializers.CharField(
        required=False, max_length=2, validators=[validate_country_code]
    )
    declared_municipality = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Municipality.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "personal_code",
            "foreign_id",
            "given_names",
            "family_name",
            "birth_date",
            "sex",
            "citizenship",
            "declared_municipality",
            "date_of_death",
        ]
        read_only_fields = ["foreign_id"]
