"""Parents and guardians as the population register states them: the relation is kept by the
people service (the population register's feed calls it), with history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation

from conftest import make_user, verified_actor
from edureg.core.context import Actor
from edureg.people import services
from edureg.people.models import Guardianship
from edureg.people.selectors import wards_of
from edureg.people.tests.factories import PersonFactory, personal_code

pytestmark = pytest.mark.django_db
FEED = Actor.system("population-register")


def test_the_feed_records_a_parent_once_however_often_it_repeats_itself():
    parent, kid = PersonFactory(), PersonFactory(personal_code=personal_code(dt.date(2015, 1, 1)))

    first = services.guardianship_set(
        actor=FEED, guardian=parent, child=kid, valid_from=kid.birth_date, source="gyventojai"
    )
    again = services.guardianship_set(
        actor=FEED, guardian=parent, child=kid, valid_from=kid.birth_date, source="gyventojai"
    )

    assert first.pk == again.pk
    assert Guardianship.objects.count() == 1
    assert list(wards_of(guardian_id=parent.pk)) == [kid]
    assert first.history.count() == 1


def test_a_relation_ends_and_the_child_is_no_longer_the_parents_to_see():
    parent, kid = PersonFactory(), PersonFactory(personal_code=personal_code(dt.date(2015, 1, 1)))
    relation = services.guardianship_set(
        actor=FEED, guardian=parent, child=kid, valid_from=dt.date(2015, 1, 1)
    )

    services.guardianship_end(actor=FEED, guardianship=relation, valid_to=dt.date(2020, 6, 1))

    assert list(wards_of(guardian_id=parent.pk)) == []
    assert list(wards_of(guardian_id=parent.pk, on=dt.date(2019, 1, 1))) == [kid]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.guardianship_end(actor=FEED, guardianship=relation, valid_to=dt.date(2021, 1, 1))
    assert "already ended" in str(refused.value)
    # and a new relation may start later (a court decision, a correction of the register)
    services.guardianship_set(
        actor=FEED, guardian=parent, child=kid, valid_from=dt.date(2022, 1, 1)
    )
    assert list(wards_of(guardian_id=parent.pk)) == [kid]


def test_an_adult_child_is_no_ward_and_no_one_is_their_own_guardian():
    parent = PersonFactory()
    adult = PersonFactory(personal_code=personal_code(dt.date(1999, 9, 9)))
    services.guardianship_set(actor=FEED, guardian=parent, child=adult, valid_from=adult.birth_date)
    assert list(wards_of(guardian_id=parent.pk)) == []
    with pytest.raises(ValidationError):
        services.guardianship_set(
            actor=FEED, guardian=parent, child=parent, valid_from=dt.date(2020, 1, 1)
        )


def test_staff_without_the_manager_level_of_the_childs_data_records_no_relation():
    parent, kid = PersonFactory(), PersonFactory()
    nobody = verified_actor(make_user("no-rights"))
    with pytest.raises(Http404):  # out of their scope: the child does not exist for them
        services.guardianship_set(
            actor=nobody, guardian=parent, child=kid, valid_from=dt.date(2020, 1, 1)
        )
    assert not Guardianship.objects.exists()
