"""The foreigners register's feed (Užsieniečių registras): residence permits.

A row is a permit as the register holds it now, keyed by its number (`local_id`): `personal_code`,
`kind` (`temporary`, `permanent`, `eu`), `valid_from`, optionally `valid_to` (the first day it
no longer holds: a withdrawn or expired permit) and `citizenship` (ISO 3166-1 alpha-2; the
person's citizenship is updated when it differs). Sent again unchanged, nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping

from edureg.core.context import Actor
from edureg.exchange.feeds.base import Feed, date_of
from edureg.exchange.feeds.population import _person
from edureg.exchange.import_models import FeedKind, RowOutcome
from edureg.exchange.imports.services import Result
from edureg.people import services as people
from edureg.people.models import PermitKind


class ForeignersFeed(Feed):
    kind = FeedKind.FOREIGNERS
    slug = "foreigners"
    source_system = "uzsienieciu-registras"
    required = ("local_id", "personal_code", "kind", "valid_from")
    optional = ("valid_to", "citizenship")
    dates = frozenset({"valid_from", "valid_to"})
    choices = {"kind": tuple(PermitKind.values)}

    def apply_row(self, actor: Actor, data: Mapping[str, str]) -> Result:
        person = _person(data)
        citizenship = data.get("citizenship", "").upper()
        changed = False
        if citizenship and citizenship != person.citizenship:
            people.person_update(actor=actor, person=person, citizenship=citizenship)
            changed = True
        upserted = people.residence_permit_upsert(
            actor=actor,
            person=person,
            source_system=self.source_system,
            local_id=data["local_id"],
            values={
                "kind": data["kind"],
                "valid_from": date_of(data, "valid_from"),
                "valid_to": date_of(data, "valid_to"),
            },
        )
        outcome = upserted.outcome
        if changed and outcome == RowOutcome.UNCHANGED:
            outcome = RowOutcome.UPDATED
        return Result(outcome, record_id=person.public_id)
