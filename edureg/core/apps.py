import datetime as dt
from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _seed_classifiers(sender: AppConfig, **kwargs: Any) -> None:
    from edureg.core.context import Actor, audit_context
    from edureg.core.services import classifiers_seed

    with audit_context(Actor.system("reference-data")):
        classifiers_seed()


def _create_chain_heads(sender: AppConfig, **kwargs: Any) -> None:
    from edureg.core.audit import chain_heads_ensure

    chain_heads_ensure(using=kwargs.get("using", "default"))


ACCESS_LOG_CHAIN_EVERY = dt.timedelta(seconds=5)


class CoreConfig(AppConfig):
    name = "edureg.core"
    label = "core"
    verbose_name = _("Core: classifiers and audit")

    def ready(self) -> None:
        from edureg.core import audit  # noqa: F401  (connects the version signal handlers)
        from edureg.core.collation import register_sqlite

        # Lithuanian order and diacritic-free search on SQLite (PostgreSQL has them built in).
        connection_created.connect(register_sqlite)

        # Reference data is created by every `migrate` (and so in every test database),
        # through the same services as any other write, so it has versions too.
        post_migrate.connect(_create_chain_heads, sender=self)
        post_migrate.connect(_seed_classifiers, sender=self)

        from django.conf import settings

        from edureg.core import schedule, tasks, witness

        # The chain heads signed and exported outside the database (see core.witness).
        schedule.register(
            "core.audit_checkpoint",
            witness.audit_checkpoint,
            every=dt.timedelta(minutes=settings.AUDIT_CHECKPOINT_MINUTES),
        )
        # Reads insert their access-log rows unchained; this chains them within seconds.
        schedule.register(
            "core.chain_access_log", tasks.chain_access_log, every=ACCESS_LOG_CHAIN_EVERY
        )
        schedule.register(
            "core.prune_task_results", tasks.prune_task_results, every=dt.timedelta(days=1)
        )
