from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenConfig(AppConfig):
    name = "edureg.citizen"
    label = "citizen"
    verbose_name = _("Citizen self-service")
