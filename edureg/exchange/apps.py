import datetime as dt

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

    def ready(self) -> None:
        from edureg.access.api import fieldscope
        from edureg.core import audit, schedule
        from edureg.core.api.batch import batch_answered
        from edureg.exchange.agreements.terms import bound_to_an_agreement, terms_of
        from edureg.exchange.changes.recording import record_changes
        from edureg.exchange.feeds import register_all
        from edureg.exchange.feeds.tasks import feeds_poll_task
        from edureg.exchange.imports.tasks import imports_resume_task
        from edureg.exchange.queries.tasks import (
            mass_queries_dispatch_task,
            mass_queries_expire_task,
        )
        from edureg.exchange.transfers.recording import record_batch

        # A file import whose worker died (killed, machine restarted) goes on where it stopped.
        schedule.register(
            "exchange.resume_imports", imports_resume_task, every=dt.timedelta(minutes=1)
        )
        # What a system sends in batches shows on its institution's transfer dashboard.
        batch_answered.connect(record_batch, dispatch_uid="exchange.transfers")
        # The inbound feeds of other registers run as imports of their own kinds; the files
        # dropped for them are picked up every five minutes (the exam centre's among them).
        register_all()
        schedule.register("exchange.feeds_poll", feeds_poll_task, every=dt.timedelta(minutes=5))
        # Mass queries wait for a free slot; one whose worker died is taken up again.
        schedule.register(
            "exchange.dispatch_mass_queries",
            mass_queries_dispatch_task,
            every=dt.timedelta(minutes=1),
        )
        # Expired results of mass queries lose their files.
        schedule.register(
            "exchange.expire_mass_queries", mass_queries_expire_task, every=dt.timedelta(hours=1)
        )
        # A recipient's system receives what its data-provision agreements in force allow.
        fieldscope.terms_loader_set(terms_of)
        fieldscope.recipient_flag_set(bound_to_an_agreement)
        # The disclosures in people's access logs name the fields in words.
        audit.access_field_labeller_set(fieldscope.field_label)
        # Every recorded change of a mirrored record goes to the change feed, in its transaction.
        audit.change_listener_set(record_changes)
        audit.access_what_register(
            {
                "enrolment.changes": _("change feed: learning contracts"),
                "student.changes": _("change feed: study rights"),
                "pupil.learning.changes": _("change feed: learning data"),
                "credentials.changes": _("change feed: documents"),
                "enrolment.query": _("mass query: learning contracts"),
                "enrolment.query-download": _("mass query download: learning contracts"),
                "student.query": _("mass query: study rights"),
                "student.query-download": _("mass query download: study rights"),
            }
        )
