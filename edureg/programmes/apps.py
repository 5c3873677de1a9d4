from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_coding_rules(sender: AppConfig, **kwargs: Any) -> None:
    from edureg.core.context import Actor, audit_context
    from edureg.programmes.coding_rules import coding_rules_seed

    with audit_context(Actor.system("reference-data")):
        coding_rules_seed()


class ProgrammesConfig(AppConfig):
    name = "edureg.programmes"
    label = "programmes"
    verbose_name = _("Programmes and qualifications (SMPKR)")

    def ready(self) -> None:
        post_migrate.connect(_seed_coding_rules, sender=self)
