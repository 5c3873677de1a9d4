import datetime as dt

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class StatisticsConfig(AppConfig):
    name = "edureg.statistics"
    label = "statistics"
    verbose_name = _("Statistics and open data")

    def ready(self) -> None:
        from edureg.core import schedule
        from edureg.core.audit import access_what_register
        from edureg.statistics import tasks

        # What a person is told was seen, for the keys this app's reads are logged with.
        access_what_register(
            {
                "funding.run": _("pupil funding calculation, explained pupil by pupil"),
                "statistics.research-extract": _("pseudonymised data extract for research"),
            }
        )

        # Open data is republished every day by default (the agency's datasets promise monthly
        # updates; a day keeps the public files close to the live register).
        hours = int(getattr(settings, "OPEN_DATA_PUBLISH_EVERY_HOURS", 24))
        schedule.register(
            "statistics.publish_open_data", tasks.publish_open_data, every=dt.timedelta(hours=hours)
        )
