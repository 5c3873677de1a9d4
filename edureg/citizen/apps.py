from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenConfig(AppConfig):
    name = "edureg.citizen"
    label = "citizen"
    verbose_name = _("Citizen self-service")

    def ready(self) -> None:
        from edureg.core.audit import access_what_register

        # What a person is told was seen, for the keys this app's reads are logged with: a
        # parent's reads of a child's data, and openings of a share link.
        access_what_register(
            {
                "citizen.timeline": _("learning history in the portal “My data”"),
                "citizen.access-log": _("“who saw my data” in the portal “My data”"),
                "citizen.shared": _("records you shared by link"),
                "citizen.export": _("all your data as a file"),
                "citizen.api": _("your data through the portal's API"),
                "citizen.correction": _("your correction request"),
                "citizen.correction-list": _("list: correction requests"),
            }
        )
