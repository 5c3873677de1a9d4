"""Source-keyed upserts: one shape for every register (DESIGN.md §4, §5).

A source system (a school's or an HEI's information system, a provider's system, a feed, a
file import) sends a record as it holds it, keyed by (source system, local id). The register
answers: created, unchanged (nothing written: no version, no history), or updated. A record
that exists and differs needs the `version` the sender last saw; the version is compared on the
row locked for the write, so that of two concurrent writers holding the same version one wins
and the other is refused as stale (a comparison on a row read without a lock lets both win).

The rules of what may change and how live in each register's service (`enrolment_upsert`,
`study_right_upsert`, …); this module decides only the shape: find the key through the actor's
scope (a key owned by someone out of scope answers not-found, like an unknown record), lock,
compare, create or update, report. Refusals are domain exceptions (`ValidationError`,
`StaleVersion`, `Http404`), rendered by each channel in its own way.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edureg.core.audit import deferred_audit

M = TypeVar("M", bound=models.Model)

# How many times a key that moved to another row between the read and the lock is looked up
# again (a pupil's move hands the school system's key to the new enrolment).
_KEY_RETRIES = 3


class SourceKeyed(models.Model):
    """A record a source system identifies by its own id: (source system, local id).

    Both blank for records written by people; the pair is unique when given
    (`source_key_unique`)."""

    source_system = models.CharField(gettext_lazy("source system"), max_length=64, blank=True)
    local_id = models.CharField(gettext_lazy("local id"), max_length=64, blank=True)

    class Meta:
        abstract = True


class SourceKeyedVersioned(SourceKeyed):
    """A source-keyed record with a version for optimistic locking: every write bumps it, and
    an upsert of changed content must carry the version the sender last saw."""

    version = models.PositiveIntegerField(gettext_lazy("record version"), default=1)

    class Meta:
        abstract = True


def source_key_unique(name: str) -> models.UniqueConstraint:
    """The conditional unique constraint of a source key (blank keys repeat freely)."""
    return models.UniqueConstraint(
        fields=["source_system", "local_id"], condition=~models.Q(source_system=""), name=name
    )


class Outcome(enum.StrEnum):
    CREATED = "created"
    UNCHANGED = "unchanged"
    UPDATED = "updated"


@dataclass(frozen=True)
class Upserted(Generic[M]):
    record: M
    outcome: Outcome

    @property
    def created(self) -> bool:
        return self.outcome == Outcome.CREATED


STALE_VERSION = "stale_version"


class StaleVersion(ValidationError):
    """The sender's version is not the stored one (or the record was created meanwhile): a
    conflict, field `version`, code "stale_version". The API answers 409."""

    def __init__(self, message: str, current: int | None = None) -> None:
        super().__init__({"version": [ValidationError(message, code=STALE_VERSION)]})
        self.current = current


def stale(current: int) -> StaleVersion:
    return StaleVersion(
        _("The record has changed since you read it: it is now at version %(current)s.")
        % {"current": current},
        current,
    )


def created_meanwhile() -> StaleVersion:
    return StaleVersion(_("The record was created meanwhile: read it and try again."))


def version_required() -> ValidationError:
    return ValidationError(
        {"version": [ValidationError(_("Give the record version you last saw."), code="required")]}
    )


def version_missing_conflict(current: int) -> StaleVersion:
    return StaleVersion(
        _(
            "The record differs from the stored one: give the version you last saw (it is now "
            "at version %(current)s)."
        )
        % {"current": current},
        current,
    )


class MissingVersion(enum.Enum):
    """What a differing record sent without a version gets."""

    REQUIRED = "required"  # 400 naming the field
    CONFLICT = "conflict"  # 409, like a stale one


def upsert_by_key(
    *,
    scoped: QuerySet[M],
    source_system: str,
    local_id: str,
    differs: Callable[[M], bool],
    create: Callable[[], M],
    update: Callable[[M], M],
    expected_version: int | None = None,
    versioned: bool = True,
    missing_version: MissingVersion = MissingVersion.REQUIRED,
    prepare: Callable[[QuerySet[M]], QuerySet[M]] = lambda rows: rows,
) -> Upserted[M]:
    """Create, confirm or update the record keyed by (source system, local id).

    `scoped` holds the records the actor may write (its scope); a key held by a record outside
    it answers 404, the same answer as for a record that does not exist, so that a key's owner
    is not revealed. `prepare` adds what `differs` and `update` read (select/prefetch).
    `differs(record)` says whether the sent content differs from the stored (it may refuse);
    `create()` and `update(locked)` are the register's own services. Run inside a transaction:
    the row is locked until it ends. The version and change-log rows of the whole upsert are
    inserted together at its end (`core.audit.deferred_audit`).

    A concurrent creation of the same key makes the database refuse the second insert
    (IntegrityError, the transaction is rolled back): the channel reports it with
    `key_conflict`, outside the transaction.
    """
    with deferred_audit():
        return _upsert(
            scoped=scoped,
            key={"source_system": source_system, "local_id": local_id},
            differs=differs,
            create=create,
            update=update,
            expected_version=expected_version,
            versioned=versioned,
            missing_version=missing_version,
            prepare=prepare,
        )


def _upsert(
    *,
    scoped: QuerySet[M],
    key: dict[str, str],
    differs: Callable[[M], bool],
    create: Callable[[], M],
    update: Callable[[M], M],
    expected_version: int | None,
    versioned: bool,
    missing_version: MissingVersion,
    prepare: Callable[[QuerySet[M]], QuerySet[M]],
) -> Upserted[M]:
    model = scoped.model
    for _attempt in range(_KEY_RETRIES):
        # One read: the record holding the key, and whether the actor's scope reaches it.
        found = (
            prepare(model._default_manager.filter(**key))
            .annotate(_in_scope=Exists(scoped.filter(pk=OuterRef("pk"))))
            .first()
        )
        if found is None:
            return Upserted(create(), Outcome.CREATED)
        if not found._in_scope:  # type: ignore[attr-defined]
            raise Http404
        if not differs(found):
            return Upserted(found, Outcome.UNCHANGED)
        # Lock the row and decide on what is locked: the version read without a lock may
        # already be stale, and a concurrent writer holding the same version must lose.
        locked_rows = model._default_manager.select_for_update(of=("self",)).filter(
            pk=found.pk, **key
        )
        locked = prepare(locked_rows).first()
        if locked is None:
            continue  # the key moved to another record meanwhile: look it up again
        if not differs(locked):
            return Upserted(locked, Outcome.UNCHANGED)
        if versioned:
            current = locked.version  # type: ignore[attr-defined]
            if expected_version is None:
                if missing_version == MissingVersion.CONFLICT:
                    raise version_missing_conflict(current)
                raise version_required()
            if expected_version != current:
                raise stale(current)
        return Upserted(update(locked), Outcome.UPDATED)
    raise created_meanwhile()


@contextlib.contextmanager
def key_conflict(model: type[models.Model], source_system: str, local_id: str) -> Iterator[None]:
    """Around an upsert's transaction: a database refusal (IntegrityError) becomes a refusal in
    the register's words — "created meanwhile" (a conflict) when the key now exists, else a
    conflict with another record. The transaction has been rolled back by then."""
    try:
        yield
    except IntegrityError:
        key = {"source_system": source_system, "local_id": local_id}
        if model._default_manager.filter(**key).exists():
            raise created_meanwhile() from None
        raise refusal(
            NON_FIELD_ERRORS, _("The record conflicts with another one: read it and try again.")
        ) from None


def refusal(field: str, message: str, code: str = "invalid") -> ValidationError:
    """A service's refusal naming one field, with a machine code."""
    return ValidationError({field: [ValidationError(message, code=code)]})
