"""A foreign key to a value of one named classifier."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ClassifierField(models.ForeignKey):
    """`reason = ClassifierField("departure-reason", verbose_name=...)`.

    Only values of that classifier are accepted. A value must be valid today when it is newly
    chosen; a record that already holds a value keeps it after the value expires.
    """

    def __init__(self, classifier: str, **kwargs: Any) -> None:
        self.classifier = classifier
        kwargs["to"] = "core.ClassifierValue"
        kwargs.setdefault("on_delete", models.PROTECT)
        kwargs.setdefault("related_name", "+")
        kwargs["limit_choices_to"] = {"classifier__code": classifier}
        super().__init__(**kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("to", None)
        kwargs.pop("limit_choices_to", None)
        kwargs["classifier"] = self.classifier
        return name, path, args, kwargs

    def validate(self, value: Any, model_instance: Any) -> None:
        super().validate(value, model_instance)
        if value is None:
            return
        loaded = getattr(model_instance, "_loaded_values", {}).get(self.attname)
        if loaded == value:
            return
        from edureg.core.models import ClassifierValue

        chosen = ClassifierValue.objects.get(pk=value)
        today = timezone.localdate()
        if not chosen.is_valid_on(today):
            raise ValidationError(
                _("“%(value)s” is no longer valid and cannot be chosen for new records."),
                code="classifier_value_expired",
                params={"value": chosen},
            )
