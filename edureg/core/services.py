"""Writes of the shared kernel: classifiers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from edureg.core import rights
from edureg.core.classifier_seed import CLASSIFIERS
from edureg.core.context import Actor, acting_as
from edureg.core.models import Classifier, ClassifierValue

# The function area of classifier editing (access.FunctionArea.CLASSIFIERS).
CLASSIFIERS_AREA = "classifiers"


@transaction.atomic
def classifiers_seed() -> int:
    """Create the publicly known classifiers and values that are missing; return how many.

    Existing rows are left alone so that the agency's edits survive every deployment.
    """
    created = 0
    for spec in CLASSIFIERS:
        classifier, was_created = Classifier.objects.get_or_create(
            code=spec["code"],
            defaults={
                "official_code": spec.get("official_code", ""),
                "name_lt": spec["name_lt"],
                "name_en": spec["name_en"],
                "complete": spec.get("complete", True),
            },
        )
        created += was_created
        existing = {v.code: v for v in classifier.values.all()}
        for order, value in enumerate(spec["values"]):
            code, name_lt, name_en, *rest = value
            if code in existing:
                continue
            parent = None
            if rest and "parent_classifier" in spec:
                parent = ClassifierValue.objects.get(
                    classifier__code=spec["parent_classifier"], code=rest[0]
                )
            elif rest:
                parent = existing[rest[0]]
            existing[code] = ClassifierValue.objects.create(
                classifier=classifier,
                code=code,
                name_lt=name_lt,
                name_en=name_en,
                parent=parent,
                sort_order=order,
            )
            created += 1
    return created


def _check_agency_admin(actor: Actor) -> None:
    """Classifiers are edited by the agency only (national scope, classifiers area)."""
    rights.require(actor, CLASSIFIERS_AREA, national=True)


@transaction.atomic
def classifier_save(*, actor: Actor, classifier: Classifier) -> Classifier:
    """Create or change a code list (back office)."""
    _check_agency_admin(actor)
    with acting_as(actor):
        classifier.full_clean()
        classifier.save()
    return classifier


@transaction.atomic
def classifier_value_save(*, actor: Actor, value: ClassifierValue) -> ClassifierValue:
    """Create or change a classifier value. Values are retired by a `valid_to` date, never
    deleted, so that old records keep showing them."""
    _check_agency_admin(actor)
    if value.parent_id is not None and value.parent_id == value.pk:
        raise ValidationError({"parent": _("A value cannot be its own parent.")})
    with acting_as(actor):
        value.full_clean()
        value.save()
    return value
