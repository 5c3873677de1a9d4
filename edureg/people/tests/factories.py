from __future__ import annotations

import datetime as dt
import itertools

import factory
from stdnum.ee.ik import calc_check_digit

from edureg.core.context import Actor, Channel
from edureg.people import services
from edureg.people.models import Person

_serials = itertools.count(100)


def personal_code(birth: dt.date = dt.date(2010, 5, 17), male: bool = True) -> str:
    """A valid, unique personal code for a birth date and sex."""
    century_digit = {18: 1, 19: 3, 20: 5}[birth.year // 100] + (0 if male else 1)
    body = f"{century_digit}{birth:%y%m%d}{next(_serials) % 1000:03d}"
    return body + calc_check_digit(body + "0")


class PersonFactory(factory.Factory):
    """People created through `people.services.person_create`, so they carry history."""

    class Meta:
        model = Person

    given_names = factory.Iterator(["Jonas", "Emilija", "Matas", "Gabija", "Žygimantas", "Urtė"])
    family_name = factory.Iterator(["Kazlauskas", "Petrauskaitė", "Žukauskas", "Šimkutė"])
    personal_code = factory.LazyFunction(personal_code)

    @classmethod
    def _create(cls, model_class: type[Person], *args: object, **kwargs: object) -> Person:
        actor = Actor.system("tests", Channel.SYSTEM)
        return services.person_create(actor=actor, **kwargs)  # type: ignore[arg-type]
