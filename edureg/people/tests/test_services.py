"""Registering and changing people: validation, derivation from the code, history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from edureg.core.context import Actor
from edureg.people import services
from edureg.people.models import Person
from edureg.people.tests.factories import PersonFactory, personal_code

pytestmark = pytest.mark.django_db


def test_birth_date_and_sex_come_from_the_personal_code(admin_actor):
    person = services.person_create(
        actor=admin_actor,
        given_names="Gabija",
        family_name="Jankauskaitė",
        personal_code=personal_code(dt.date(1990, 1, 1), male=False),
    )
    assert person.birth_date == dt.date(1990, 1, 1)
    assert person.sex == "M"  # moteris
    assert person.foreign_id is None


@pytest.mark.parametrize("language", ["lt", "en"])
def test_an_invalid_personal_code_is_refused_with_a_field_error(admin_actor, language):
    with translation.override(language), pytest.raises(ValidationError) as error:
        services.person_create(
            actor=admin_actor,
            given_names="Jonas",
            family_name="Jonaitis",
            personal_code="33309240065",
            birth_date=dt.date(1933, 9, 24),
            sex="V",
        )
        # messages are rendered while the language is active
    assert "personal_code" in error.value.message_dict
    assert Person.objects.count() == 0


def test_a_birth_date_that_disagrees_with_the_code_is_refused(admin_actor):
    code = personal_code(dt.date(2011, 3, 4))
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=admin_actor,
            given_names="Matas",
            family_name="Urbonas",
            personal_code=code,
            birth_date=dt.date(2011, 3, 5),
        )
    assert set(error.value.message_dict) == {"birth_date"}
    assert Person.objects.count() == 0


def test_a_sex_that_disagrees_with_the_code_is_refused(admin_actor):
    code = personal_code(dt.date(2011, 3, 4), male=True)
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=admin_actor,
            given_names="Matas",
            family_name="Urbonas",
            personal_code=code,
            sex="M",
        )
    assert set(error.value.message_dict) == {"sex"}


def test_a_personal_code_is_registered_once(admin_actor):
    code = personal_code()
    PersonFactory(personal_code=code)
    with pytest.raises(ValidationError) as error:
        PersonFactory(personal_code=code)
    assert "personal_code" in error.value.message_dict
    assert Person.objects.count() == 1


def test_a_foreigner_without_a_code_gets_a_register_id(admin_actor):
    person = services.person_create(
        actor=admin_actor,
        given_names="Olena",
        family_name="Shevchenko",
        birth_date=dt.date(2012, 6, 1),
        sex="M",
        citizenship="UA",
    )
    assert person.personal_code is None
    assert person.foreign_id and person.foreign_id.startswith("U")


def test_an_unknown_country_is_refused(admin_actor):
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=admin_actor,
            given_names="X",
            family_name="Y",
            birth_date=dt.date(2012, 6, 1),
            sex="M",
            citizenship="XX",
        )
    assert "citizenship" in error.value.message_dict


def test_name_and_residence_changes_keep_history_and_show_as_of_a_date(admin_actor):
    # Given a pupil registered some time ago
    person = PersonFactory(given_names="Ugnė", family_name="Kairytė")
    first = person.history.get()
    first.history_date = timezone.now() - dt.timedelta(days=30)
    first.save()  # back-date the first version for the scenario (test set-up only)
    # When she takes her spouse's name
    services.person_update(actor=admin_actor, person=person, family_name="Kairienė")
    # Then today's record shows the new name, and the record as of two weeks ago the old one
    assert Person.objects.get(pk=person.pk).family_name == "Kairienė"
    before = person.history.as_of(timezone.now() - dt.timedelta(days=14))
    assert before.family_name == "Kairytė"
    assert person.history.count() == 2


def test_staff_without_rights_cannot_register_people(plain_staff):
    with pytest.raises(PermissionDenied):
        services.person_create(
            actor=Actor.for_user(plain_staff),
            given_names="A",
            family_name="B",
            personal_code=personal_code(),
        )
