"""The feeds of the State Studies Foundation's systems about students: study loans (Paskola)
and social support (Parama, social scholarships).

Both name the student's study right by `personal_code` and `institution` (the HEI's
legal-entity code), and `programme` (its state code) when the student has several rights at the
HEI; a right that has ended is used only when no right there is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from edureg.core.context import Actor
from edureg.exchange.feeds.base import Feed, date_of, refusal
from edureg.exchange.feeds.population import _person
from edureg.exchange.import_models import FeedKind
from edureg.exchange.imports.services import Result


def study_right_of(data: Mapping[str, str]):  # type: ignore[no-untyped-def]
    """The study right a row of a students' feed names, or a refusal saying why not."""
    from edureg.students.models import END_STATUSES, StudyRight

    person = _person(data)
    rights = StudyRight.objects.filter(
        person=person, institution__jar_code=data["institution"]
    ).select_related("programme")
    if data.get("programme"):
        rights = rights.filter(programme__state_code=data["programme"])
    found = list(rights.order_by("-started_on")[:10])
    open_ = [r for r in found if r.status not in END_STATUSES]
    candidates = open_ or found
    if not candidates:
        raise refusal(
            "institution", "no_study_right", _("The person has no study right at this HEI.")
        )
    if len(candidates) > 1:
        raise refusal(
            "programme",
            "ambiguous_study_right",
            _("The person has several study rights at this HEI: name the programme."),
        )
    return candidates[0]


class LoansFeed(Feed):
    """Paskola: state-supported study loans, keyed by the loan's id in Paskola (`local_id`)."""

    kind = FeedKind.LOANS
    slug = "loans"
    source_system = "paskola"
    required = ("local_id", "personal_code", "institution", "kind", "amount", "granted_on")
    optional = ("valid_from", "valid_to", "programme")
    dates = frozenset({"granted_on", "valid_from", "valid_to"})
    numbers = frozenset({"amount"})

    @property
    def choices(self) -> Mapping[str, tuple[str, ...]]:  # type: ignore[override]
        from edureg.students.models import LoanKind

        return {"kind": tuple(LoanKind.values)}

    def apply_row(self, actor: Actor, data: Mapping[str, str]) -> Result:
        from edureg.students import services as students

        right = study_right_of(data)
        granted_on = date_of(data, "granted_on")
        upserted = students.loan_upsert(
            actor=actor,
            study_right=right,
            source_system=self.source_system,
            local_id=data["local_id"],
            values={
                "kind": data["kind"],
                "amount": Decimal(data["amount"]),
                "granted_on": granted_on,
                "valid_from": date_of(data, "valid_from") or granted_on,
                "valid_to": date_of(data, "valid_to"),
            },
        )
        return Result(upserted.outcome, record_id=right.public_id)


class SupportFeed(Feed):
    """Parama: social scholarships paid to students, keyed by the payment decision's id in
    Parama (`local_id`)."""

    kind = FeedKind.SUPPORT
    slug = "support"
    source_system = "parama"
    required = ("local_id", "personal_code", "institution", "amount", "valid_from", "valid_to")
    optional = ("programme", "payer")
    dates = frozenset({"valid_from", "valid_to"})
    numbers = frozenset({"amount"})

    def apply_row(self, actor: Actor, data: Mapping[str, str]) -> Result:
        from edureg.students import services as students
        from edureg.students.models import ScholarshipKind

        right = study_right_of(data)
        upserted = students.scholarship_upsert(
            actor=actor,
            study_right=right,
            source_system=self.source_system,
            local_id=data["local_id"],
            values={
                "kind": ScholarshipKind.SOCIAL,
                "amount": Decimal(data["amount"]),
                "valid_from": date_of(data, "valid_from"),
                "valid_to": date_of(data, "valid_to"),
                "payer": data.get("payer", ""),
            },
        )
        return Result(upserted.outcome, record_id=right.public_id)
