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
        chosen = self._in_hand(value, model_instance)
        if chosen is None:
            super().validate(value, model_instance)  # one query: the value is of the list
        else:
            # The value chosen is in hand with its classifier: checked without a query.
            models.Field.validate(self, value, model_instance)
            if chosen.classifier.code != self.classifier:
                raise ValidationError(
                    self.error_messages["invalid"],
                    code="invalid",
                    params={
                        "model": self.remote_field.model._meta.verbose_name,
                        "pk": value,
                        "field": self.remote_field.field_name,
                        "value": value,
                    },
                )
        if value is None:
            return
        loaded = getattr(model_instance, "_loaded_values", {}).get(self.attname)
        if loaded == value:
            return
        from edureg.core.models import ClassifierValue

        if chosen is None:
            chosen = ClassifierValue.objects.get(pk=value)
        today = timezone.localdate()
        if not chosen.is_valid_on(today):
            raise ValidationError(
                _("“%(value)s” is no longer valid and cannot be chosen for new records."),
                code="classifier_value_expired",
                params={"value": chosen},
            )

    def _in_hand(self, value: Any, model_instance: Any) -> Any:
        """The value object set on the record, when it was loaded with its classifier."""
        if value is None:
            return None
        chosen = self.get_cached_value(model_instance, None)
        if chosen is None or chosen.pk != value:
            return None
        if not type(chosen).classifier.is_cached(chosen):
            return None
        return chosen
