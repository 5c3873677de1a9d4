from __future__ import annotations

import datetime as dt
import itertools

import factory
from stdnum.ee.ik import calc_check_digit

from edureg.core.context import Actor, Channel
from edureg.core.models import ClassifierValue
from edureg.institutions import services
from edureg.institutions.models import FounderType, Institution, Municipality

_numbers = itertools.count(1)


def jar_code() -> str:
    body = f"3{next(_numbers):07d}"
    return body + calc_check_digit(body + "0")


class InstitutionFactory(factory.Factory):
    """Institutions created through `institutions.services.institution_create`."""

    class Meta:
        model = Institution

    register_id = factory.Sequence(lambda n: f"T{n:06d}")
    jar_code = factory.LazyFunction(jar_code)
    name_lt = factory.Sequence(lambda n: f"Vilniaus „Saulės“ gimnazija Nr. {n}")
    name_en = factory.Sequence(lambda n: f"Vilnius Saulė Gymnasium No. {n}")
    main_group = factory.LazyFunction(
        lambda: ClassifierValue.objects.get(classifier__code="institution-group", code="school")
    )
    main_type = factory.LazyFunction(
        lambda: ClassifierValue.objects.get(classifier__code="institution-type", code="gymnasium")
    )
    founder_type = FounderType.MUNICIPAL
    municipality = factory.LazyFunction(lambda: Municipality.objects.get(code="LT-57"))
    registered_on = dt.date(1995, 9, 1)

    @classmethod
    def _create(
        cls, model_class: type[Institution], *args: object, **kwargs: object
    ) -> Institution:
        return services.institution_create(actor=Actor.system("tests", Channel.SYSTEM), **kwargs)
