import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "edureg.archive"
    label = "archive"
    verbose_name = _("Archive and retention")

    def ready(self) -> None:
        from edureg.archive import tasks
        from edureg.core import schedule
        from edureg.core.audit import access_what_register

        # What a person is told was seen when an archive user searched for or opened them.
        access_what_register(
            {
                "archive.search": _("archive search (found your archived records)"),
                "archive.record": _("your archived records, opened on a lawful request"),
            }
        )
        # The retention rules are applied once a day (what moved: the run's report).
        schedule.register(
            "archive.apply_retention", tasks.apply_retention, every=dt.timedelta(days=1)
        )
