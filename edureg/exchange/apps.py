from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Data exchange: bulk file imports, data-provision agreements and their disclosures, the
    change feed for information systems, mass-disclosure queries and the inbound feeds of other
    registers. It stands on the registers (pupils, students, credentials) and is imported by none
    of them."""

    name = "edureg.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")
