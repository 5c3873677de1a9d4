"""Classifiers: seeded from public sources; expired values keep showing but cannot be chosen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from edureg.core import services
from edureg.core.models import Classifier, ClassifierValue
from edureg.institutions import services as institution_services
from edureg.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_reference_classifiers_are_seeded_with_both_names():
    group = Classifier.objects.get(code="institution-group")
    free_teacher = group.values.get(code="31914102")
    assert free_teacher.name_lt.startswith("Laisvasis mokytojas")
    assert free_teacher.name_en.startswith("Free teacher")
    departure = Classifier.objects.get(code="departure-reason")
    assert departure.official_code == "KL_ISV_PRIEZ2"
    assert departure.complete is False


def test_seeding_again_keeps_the_agencys_edits(admin_actor):
    value = ClassifierValue.objects.get(classifier__code="class-type", code="1")
    value.name_en = "General class"
    services.classifier_value_save(actor=admin_actor, value=value)

    assert services.classifiers_seed() == 0
    value.refresh_from_db()
    assert value.name_en == "General class"


def test_hierarchy_links_types_to_groups():
    gymnasium = ClassifierValue.objects.get(classifier__code="institution-type", code="gymnasium")
    assert gymnasium.parent is not None
    assert (gymnasium.parent.classifier.code, gymnasium.parent.code) == (
        "institution-group",
        "school",
    )


def _retire(value: ClassifierValue, admin_actor) -> None:  # type: ignore[no-untyped-def]
    value.valid_to = timezone.localdate() - dt.timedelta(days=1)
    value.valid_from = dt.date(2000, 1, 1)
    services.classifier_value_save(actor=admin_actor, value=value)


def test_an_expired_value_cannot_be_chosen_for_a_new_record(admin_actor):
    # Given the "progymnasium" type was retired yesterday
    progymnasium = ClassifierValue.objects.get(
        classifier__code="institution-type", code="progymnasium"
    )
    _retire(progymnasium, admin_actor)
    # When a new institution is registered with it, Then the field is refused
    with pytest.raises(ValidationError) as error:
        InstitutionFactory(main_type=progymnasium)
    assert "main_type" in error.value.message_dict


def test_an_old_record_keeps_showing_an_expired_value(admin_actor):
    # Given an institution registered as a progymnasium
    progymnasium = ClassifierValue.objects.get(
        classifier__code="institution-type", code="progymnasium"
    )
    school = InstitutionFactory(main_type=progymnasium)
    # When the type is retired
    _retire(progymnasium, admin_actor)
    # Then the institution still shows it and can be changed in other respects
    school.refresh_from_db()
    updated = institution_services.institution_update(
        actor=admin_actor, institution=school, address="Gedimino pr. 1, Vilnius"
    )
    assert updated.main_type == progymnasium


def test_a_value_of_another_classifier_is_refused():
    wrong = ClassifierValue.objects.get(classifier__code="sex", code="V")
    with pytest.raises(ValidationError) as error:
        InstitutionFactory(main_type=wrong)
    assert "main_type" in error.value.message_dict


def test_validity_interval_must_be_ordered(admin_actor):
    value = ClassifierValue.objects.get(classifier__code="class-type", code="2")
    value.valid_from = dt.date(2024, 1, 1)
    value.valid_to = dt.date(2023, 1, 1)
    with pytest.raises(ValidationError):
        services.classifier_value_save(actor=admin_actor, value=value)


def test_only_the_agency_edits_classifiers(plain_staff):
    from django.core.exceptions import PermissionDenied

    from edureg.core.context import Actor

    value = ClassifierValue.objects.get(classifier__code="class-type", code="2")
    value.name_en = "Changed"
    with pytest.raises(PermissionDenied):
        services.classifier_value_save(actor=Actor.for_user(plain_staff), value=value)


def test_classifiers_api_lists_values_with_both_names(client):
    response = client.get("/api/v1/classifiers/sex/")
    assert response.status_code == 200
    codes = {v["code"]: v for v in response.json()["values"]}
    assert codes["V"]["name_lt"] == "Vyras"
    assert codes["M"]["name_en"] == "Female"
