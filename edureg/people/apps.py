from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "edureg.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from edureg.core.audit import access_what_register

        # What a person is told was seen, for the keys this app's reads are logged with.
        access_what_register(
            {
                "person.list": _("list: search of people"),
                "person.detail": _("person's record"),
                "person.backoffice": _("person's record in the register's back office"),
            }
        )
