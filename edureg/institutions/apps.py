from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_municipalities(sender: AppConfig, **kwargs: Any) -> None:
    from edureg.institutions.services import municipalities_load

    municipalities_load()


class InstitutionsConfig(AppConfig):
    name = "edureg.institutions"
    label = "institutions"
    verbose_name = _("Institutions")

    def ready(self) -> None:
        post_migrate.connect(_load_municipalities, sender=self)
