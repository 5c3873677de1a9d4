from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_document_types(sender: AppConfig, **kwargs: Any) -> None:
    from edureg.core.context import Actor, audit_context
    from edureg.credentials.seed import document_types_seed

    with audit_context(Actor.system("reference-data")):
        document_types_seed()


class CredentialsConfig(AppConfig):
    name = "edureg.credentials"
    label = "credentials"
    verbose_name = _("Documents")

    def ready(self) -> None:
        # Document and blank types are reference data: created by every `migrate`, after the
        # classifiers they refer to.
        post_migrate.connect(_seed_document_types, sender=self)
