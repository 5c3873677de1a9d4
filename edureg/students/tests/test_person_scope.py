"""Who reaches a student's person record through the Student Register."""

from __future__ import annotations

import pytest
from django.http import Http404

from conftest import make_user, verified_actor
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.core.context import Actor
from edureg.institutions.models import Municipality
from edureg.people.selectors import person_get
from edureg.people.tests.factories import PersonFactory
from edureg.students.tests.factories import hei, open_right

pytestmark = pytest.mark.django_db


def municipality_staff(municipality: Municipality) -> Actor:
    user = make_user(f"municipality-{municipality.code}")
    access_services.role_grant(
        actor=Actor.system("tests"),
        user=user,
        scope_kind=ScopeKind.MUNICIPALITY,
        municipality=municipality,
        function_area=FunctionArea.PUPIL_PERSONAL,
        level=Level.VIEWER,
    )
    return verified_actor(user)


def test_a_municipality_does_not_see_students_of_a_university_in_its_territory():
    vilnius, kaunas = Municipality.objects.get(code="LT-57"), Municipality.objects.get(code="LT-15")
    university = hei(municipality=vilnius)
    from_kaunas = open_right(university, person=PersonFactory(declared_municipality=kaunas))
    from_vilnius = open_right(university, person=PersonFactory(declared_municipality=vilnius))
    staff = municipality_staff(vilnius)

    with pytest.raises(Http404):
        person_get(actor=staff, public_id=from_kaunas.person.public_id)
    # A resident is seen as a resident, whatever they study.
    assert person_get(actor=staff, public_id=from_vilnius.person.public_id) == from_vilnius.person
