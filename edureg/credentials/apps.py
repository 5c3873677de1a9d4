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

        from edureg.core.audit import access_what_register

        # What a person is told was seen, for the keys this app's reads are logged with.
        access_what_register(
            {
                "credentials.list": _("list: documents"),
                "credentials.document": _("document"),
                "credentials.pdf": _("document (PDF)"),
                "credentials.preview": _("preview of a document"),
                "credentials.api": _("documents, read by an information system"),
                "credentials.form-lookup": _("the person's data read to form a document"),
                "credentials.verification": _(
                    "check of a document on the public verification page"
                ),
            }
        )

        from edureg.core.history import person_history_source
        from edureg.credentials.selectors import document_history_of_person

        # A person's documents (formed, issued, annulled) belong to their history.
        person_history_source(document_history_of_person)
