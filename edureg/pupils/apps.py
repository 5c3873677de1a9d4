from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PupilsConfig(AppConfig):
    name = "edureg.pupils"
    label = "pupils"
    verbose_name = _("Pupil Register")

    def ready(self) -> None:
        from edureg.core.audit import access_what_register

        # What a person is told was seen, for the keys this app's reads are logged with.
        access_what_register(
            {
                "pupil.card": _("pupil's card"),
                "pupil.list": _("list: the school's pupils"),
                "pupil.export": _("list of pupils downloaded as a file"),
                "pupil.group": _("list: pupils of a class or group"),
                "pupil.depart": _("pupil's departure"),
                "pupil.move": _("moving the pupil to another group"),
                "pupil.municipality": _("list: children of the municipality"),
                "pupil.municipality-export": _(
                    "list of the municipality's children downloaded as a file"
                ),
                "pupil.enrolment-lookup": _("search by personal code to enrol a pupil"),
                "enrolment.list": _("list: learning contracts"),
                "enrolment.detail": _("learning contract"),
                "nvs.list": _("list: NVŠ funding marks"),
                "pupil.learning": _("exam results, annual grades and competence assessments"),
                "pupil.exam-planning": _(
                    "exam planning: the class's exam registrations and results"
                ),
            }
        )
