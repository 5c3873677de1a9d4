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
        from edureg.statistics import tasks

        # Open data is republished every day by default (the agency's datasets promise monthly
        # updates; a day keeps the public files close to the live register).
        hours = int(getattr(settings, "OPEN_DATA_PUBLISH_EVERY_HOURS", 24))
        schedule.register(
            "statistics.publish_open_data", tasks.publish_open_data, every=dt.timedelta(hours=hours)
        )
