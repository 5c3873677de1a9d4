"""Reading the change feed: a client's changes after a cursor, in one monotonic order.

A client sees the audiences of its grant (per data set, in the data set's areas at the viewer
level, as the register's own list endpoints scope it) and, for a recipient under data-provision
agreements, only the data sets its agreements in force name. A page reads each of its
audiences' rows after the cursor by one range scan of the audience index (at most a page each),
merges them in (transaction id, change id) order and keeps the first `size` changes. Then each
change is shown through the data set's scoped selector and API serializer: a record the client
cannot see now is "out of scope" with its key, never its content.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection

from edureg.access.api.fieldscope import client_terms
from edureg.access.models import Level
from edureg.access.scoping import grant
from edureg.core.context import Actor, ActorKind
from edureg.exchange.change_models import AudienceKind, Change, ChangeAction, ChangeAudience
from edureg.exchange.changes.datasets import NATIONAL, Dataset, feed_datasets

PAGE_MAX = 5000
PAGE_DEFAULT = 1000
OUT_OF_SCOPE = "out_of_scope"

_CURSOR = re.compile(r"([0-9]{1,19})\.([0-9]{1,19})")


@dataclass(frozen=True, order=True)
class Position:
    """A place in the feed: (transaction id, change id); printed as "xid.id"."""

    xid: int = 0
    change_id: int = 0

    def __str__(self) -> str:
        return f"{self.xid}.{self.change_id}"

    @classmethod
    def parse(cls, text: str) -> Position | None:
        match = _CURSOR.fullmatch(text.strip())
        if match is None:
            return None
        return cls(int(match[1]), int(match[2]))


# The transaction ids still running in this database when the statement's snapshot was taken.
# A transaction of another database on the same server (a second register, an archive, a test
# worker's database) cannot write this feed, so it must not hold the feed back: such an id is
# recognised by its holder's lock on a relation of that other database. Both come from one read
# of the lock table (MATERIALIZED), which PostgreSQL takes consistently; an id whose database is
# not proven otherwise (its holder locks no relation, or it ended meanwhile) still bounds.
_RUNNING_HERE_SQL = """
WITH locks AS MATERIALIZED (
    SELECT pid, locktype, database, transactionid, mode, granted FROM pg_locks
), elsewhere AS (
    SELECT held.transactionid FROM locks AS held JOIN locks AS rel ON rel.pid = held.pid
    WHERE held.locktype = 'transactionid' AND held.mode = 'ExclusiveLock' AND held.granted
      AND rel.locktype = 'relation' AND rel.database <> 0
      AND rel.database <> (SELECT oid FROM pg_database WHERE datname = current_database())
)
SELECT COALESCE(
    (SELECT MIN(x::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS x
     WHERE x::xid NOT IN (SELECT transactionid FROM elsewhere)),
    pg_snapshot_xmax(pg_current_snapshot())::text::bigint)
"""


def _served_below() -> int | None:
    """The feed serves changes of transaction ids below this bound (PostgreSQL; None elsewhere).

    Below it every transaction of this database has ended, so a change that commits later has
    a larger id than any change served and sorts after every cursor given out. Taken in an
    earlier statement than the read is safe: the read's newer snapshot can only see more of
    the ids below it, never fewer."""
    if connection.vendor != "postgresql":
        return None  # SQLite: one writer at a time, commits in id order
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_snapshot_xmin(s)::text::bigint, pg_snapshot_xmax(s)::text::bigint"
            " FROM pg_current_snapshot() AS s"
        )
        xmin, xmax = cursor.fetchone()
        if xmin == xmax:
            return xmax  # nothing running anywhere: no need to read the lock table
        cursor.execute(_RUNNING_HERE_SQL)
        return cursor.fetchone()[0]


def _bound_sql(bound: int | None) -> tuple[str, list[int]]:
    """The condition (with its parameters) on a row's `xid` that keeps the feed below `bound`."""
    if bound is None:
        return "1 = 1", []
    # And the reader's own writes, which it sees committed: only a transaction that writes
    # mirrored records and then reads the feed itself has any (a test's, a script's).
    return "(xid < %s OR xid = pg_current_xact_id_if_assigned()::text::bigint)", [bound]


def visible_datasets(actor: Actor) -> list[Dataset]:
    terms = client_terms(actor)
    if terms is None:
        return list(feed_datasets())
    return [d for d in feed_datasets() if d.for_recipients and d.name in terms.fields]


def audiences_of(actor: Actor, datasets: list[Dataset]) -> dict[str, list[str]]:
    """The audiences the actor reads, each with the data sets it reads there."""
    found: dict[str, list[str]] = defaultdict(list)
    if actor.kind not in (ActorKind.CLIENT, ActorKind.STAFF, ActorKind.SYSTEM):
        return {}
    for ds in datasets:
        given = grant(actor, ds.areas, Level.VIEWER)
        keys: set[str] = set()
        if given.national:
            keys.add(NATIONAL)
        else:
            if ds.paths.institution:
                keys |= {f"i:{pk}" for pk in given.institution_ids}
            if ds.paths.municipality:
                keys |= {f"m:{pk}" for pk in given.municipality_ids}
        for key in keys:
            found[key].append(ds.name)
    return dict(found)


def latest_position() -> Position:
    """The newest position the feed serves now (the cursor to start following from)."""
    table = connection.ops.quote_name(Change._meta.db_table)
    bound_sql, bound_params = _bound_sql(_served_below())
    with connection.cursor() as cursor:
        cursor.execute(
            # The table's name and a fixed condition: no value from the request in the text.
            f"SELECT xid, id FROM {table} WHERE {bound_sql} "  # noqa: S608
            "ORDER BY xid DESC, id DESC LIMIT 1",
            bound_params,
        )
        row = cursor.fetchone()
    return Position(*row) if row else Position()


def _page_rows(
    audiences: dict[str, list[str]], after: Position, size: int
) -> list[tuple[int, int, str, str]]:
    """(xid, change id, data set, kind) of the audiences' rows after `after`, in feed order,
    at most `size` + 1 per audience: one statement, one index range scan per audience."""
    table = connection.ops.quote_name(ChangeAudience._meta.db_table)
    if not audiences:
        return []
    bound_sql, bound_params = _bound_sql(_served_below())
    parts, params = [], []
    for index, (audience, names) in enumerate(sorted(audiences.items())):
        marks = ", ".join(["%s"] * len(names))
        parts.append(
            # Only placeholders and fixed text: the values go as parameters.
            f"SELECT * FROM (SELECT xid, change_id, dataset, kind FROM {table} "  # noqa: S608
            f"WHERE audience = %s AND (xid, change_id) > (%s, %s) AND dataset IN ({marks}) "
            f"AND {bound_sql} ORDER BY xid, change_id LIMIT %s) AS a{index}"
        )
        params += [audience, after.xid, after.change_id, *names, *bound_params, size + 1]
    sql = " UNION ALL ".join(parts)
    if len(parts) > 1:
        sql = f"SELECT * FROM ({sql}) AS merged ORDER BY xid, change_id"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


@dataclass
class Entry:
    position: Position
    dataset: str
    action: str
    public_id: Any
    record: Any = None  # the model instance shown, when the action shows one


@dataclass
class Page:
    entries: list[Entry]
    cursor: Position
    has_more: bool


def changes_page(*, actor: Actor, after: Position, size: int = PAGE_DEFAULT) -> Page:
    """The actor's changes after `after`: at most `size` (≤ PAGE_MAX), each with the record as
    the actor's scoped list shows it now, or its key when deleted or out of the actor's scope.
    The caller logs the persons shown (`persons_of`)."""
    size = max(1, min(size, PAGE_MAX))
    datasets = visible_datasets(actor)
    rows = _page_rows(audiences_of(actor, datasets), after, size)
    # One change reaches a client through several audiences (its school and its town): it is
    # a change if any of them says so, out of scope only if all do.
    merged: dict[int, tuple[int, str, str]] = {}
    for xid, change_id, dataset, kind in rows:
        if change_id in merged and merged[change_id][2] == AudienceKind.CHANGE:
            continue
        merged[change_id] = (xid, dataset, kind)
    order = sorted(merged, key=lambda cid: (merged[cid][0], cid))
    has_more = len(order) > size
    order = order[:size]
    if not order:
        return Page([], after, False)
    changes = {c.pk: c for c in Change.objects.filter(pk__in=order)}
    wanted: dict[str, set[int]] = defaultdict(set)
    for cid in order:
        change = changes[cid]
        if merged[cid][2] == AudienceKind.CHANGE and change.action != ChangeAction.DELETED:
            wanted[change.dataset].add(change.object_id)
    shown: dict[str, dict[int, Any]] = {}
    by_name = {d.name: d for d in datasets}
    for name, pks in wanted.items():
        shown[name] = {r.pk: r for r in by_name[name].records(actor).filter(pk__in=pks)}
    entries = []
    for cid in order:
        change = changes[cid]
        position = Position(merged[cid][0], cid)
        record = shown.get(change.dataset, {}).get(change.object_id)
        if merged[cid][2] == AudienceKind.OUT:
            action = OUT_OF_SCOPE
        elif change.action == ChangeAction.DELETED:
            action = ChangeAction.DELETED
        elif record is None:
            # Changed, but since deleted or out of the client's scope: a later entry says so,
            # and until then the mirror must not keep what it may no longer see.
            action = OUT_OF_SCOPE
        else:
            action = change.action
        entries.append(
            Entry(
                position,
                change.dataset,
                str(action),
                change.public_id,
                record if action in (ChangeAction.CREATED, ChangeAction.UPDATED) else None,
            )
        )
    return Page(entries, entries[-1].position, has_more)
