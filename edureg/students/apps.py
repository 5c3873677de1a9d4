from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "edureg.students"
    label = "students"
    verbose_name = _("Student Register")

    def ready(self) -> None:
        from edureg.core.audit import access_what_register

        # What a person is told was seen, for the keys this app's reads are logged with.
        access_what_register(
            {
                "student.card": _("student's card"),
                "student.list": _("list: the institution's students"),
                "student.export": _("list of students downloaded as a file"),
                "student.study-right": _("studies (study right)"),
                "student.study-right.list": _("list: studies"),
                "student.study-right.change": _("change of study data"),
                "student.change": _("change of study data"),
                "student.transcript": _("study results"),
                "student.admission-lookup": _("search by personal code to admit a student"),
                "student.backoffice": _("studies in the register's back office"),
            }
        )
