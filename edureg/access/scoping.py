"""The one place that decides what an actor may see and do.

Every selector narrows its queryset with `restrict`; every service checks with `require` (for
rights that are not about a record) or `require_in_scope` (for a record). Out-of-scope and
unknown records both answer 404; a record in scope without the needed level answers 403.

A grant comes from the actor's role assignments that are valid today:
- national scope: everything the area covers;
- municipality scope: records tied to that municipality (institutions there, residents there);
- institution scope: records tied to that institution or one of its branches;
- a citizen: their own person, and each child under 18 of whom they are a parent or guardian,
  only to read (viewer level);
- whoever opens a citizen's share link: that citizen's person only, to read.
Agency administrators (superusers) and the register's own jobs (system actors: demo data, imports
run by the register, migrations) hold a national manager grant in every area; no caller
special-cases them. Whoever holds an
area about personal data sees none of it without a verified second factor and an accepted
current confidentiality pledge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from edureg.access.models import (
    LEVEL_RANK,
    PERSONAL_DATA_AREAS,
    FunctionArea,
    Level,
    PledgeAcceptance,
    PledgeText,
    RoleAssignment,
    ScopeKind,
)
from edureg.core.context import Actor, ActorKind
from edureg.core.db import json_rows
from edureg.institutions.models import Institution
from edureg.people.models import Guardianship

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class ScopePaths:
    """How a model's rows reach the things scopes are made of.

    `institution` and `municipality` are ORM lookups from the model to an Institution or a
    Municipality (several lookups are alternatives); `national` narrows what a national grant
    sees (default: everything); `person` is the lookup to the Person a citizen may see;
    `owner` is the lookup to the user who owns the row (a user always sees their own rows).
    """

    institution: Sequence[str] = ()
    municipality: Sequence[str] = ()
    # What else a row must satisfy to be seen through a municipality grant (for example: the
    # municipality administers the users of municipal institutions only).
    municipality_also: Q = field(default_factory=lambda: Q(pk__isnull=False))
    # Not an empty Q(): Q() | Q(x) is Q(x) in Django, which would shrink "everything" when
    # combined with the owner's rows.
    national: Q = field(default_factory=lambda: Q(pk__isnull=False))
    person: str | None = None
    owner: str | None = None
    # Multi-valued lookups can repeat rows; distinct() is then needed.
    distinct: bool = False

    def without_owner(self) -> ScopePaths:
        """The same paths without the owner's own rows (to decide, one needs a role)."""
        return replace(self, owner=None)


@dataclass(frozen=True)
class Grant:
    national: bool = False
    institution_ids: frozenset[int] = frozenset()
    municipality_ids: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.national or self.institution_ids or self.municipality_ids)


def _roles(actor: Actor) -> list[RoleAssignment]:
    """Active roles of the actor, cached on its user or client object for the request."""
    holder = _holder(actor)
    if holder is None:
        return []
    cached = getattr(holder, "_edureg_roles", None)
    if cached is None:
        holder_filter = {"user": holder} if actor.kind == ActorKind.STAFF else {"client": holder}
        # With the branches of each role's institution, in the same statement.
        branches = json_rows(
            Institution.objects.filter(parent=OuterRef("institution_id")), per="parent", id="id"
        )
        cached = list(
            RoleAssignment.objects.active_on().filter(**holder_filter).annotate(_branches=branches)
        )
        known = getattr(holder, "_edureg_branches", None) or {}
        for role in cached:
            if role.institution_id is not None:
                known[role.institution_id] = frozenset(b["id"] for b in role._branches)
        holder._edureg_branches = known
        holder._edureg_roles = cached
    return cached


def active_roles(actor: Actor) -> list[RoleAssignment]:
    """The actor's roles valid today (cached for the request), for describing who read."""
    return _roles(actor)


def ward_ids(actor: Actor) -> list[int]:
    """The children under 18 of a signed-in parent or guardian (ids), cached for the request."""
    if actor.kind != ActorKind.CITIZEN or actor.person_id is None or actor.user is None:
        return []
    cached = getattr(actor.user, "_edureg_ward_ids", None)
    if cached is None:
        children = (
            Guardianship.objects.of_minors()
            .filter(guardian_id=actor.person_id)
            .order_by("child__birth_date", "child_id")
            .values_list("child_id", flat=True)
        )
        cached = list(dict.fromkeys(children))
        actor.user._edureg_ward_ids = cached
    return list(cached)


def has_current_pledge(user: Any) -> bool:
    cached = getattr(user, "_edureg_pledge_ok", None)
    if cached is None:
        current = PledgeText.current()
        cached = (
            current is not None
            and PledgeAcceptance.objects.filter(user=user, pledge=current).exists()
        )
        user._edureg_pledge_ok = cached
    return bool(cached)


def personal_data_blocker(actor: Actor) -> str | None:
    """Why this actor may not see personal data right now, or None when it may."""
    if actor.kind == ActorKind.SYSTEM:
        return None
    if actor.kind == ActorKind.CLIENT:
        return None if actor.client is not None and actor.client.is_active else "revoked"
    if actor.kind in (ActorKind.CITIZEN, ActorKind.SHARE_LINK):
        return None
    if actor.kind != ActorKind.STAFF:
        return "anonymous"
    if not actor.second_factor:
        return "second_factor"
    if not has_current_pledge(actor.user):
        return "pledge"
    return None


def needs_personal_data_checks(actor: Actor) -> bool:
    """Whether the actor holds any area about personal data (then 2FA and pledge apply)."""
    if actor.kind != ActorKind.STAFF:
        return False
    return actor.is_superuser or any(r.function_area in PERSONAL_DATA_AREAS for r in _roles(actor))


def branches_of(holder: Any, institution_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """The branches of each of these institutions, cached on the actor's user or client (and,
    for a user, in the session: see access.session) so that scoping reads them once."""
    cached: dict[int, frozenset[int]] | None = getattr(holder, "_edureg_branches", None)
    if cached is None:
        cached = {}
        if holder is not None:
            holder._edureg_branches = cached
    wanted = set(institution_ids)
    missing = wanted - set(cached)
    if missing:
        found: dict[int, set[int]] = {pk: set() for pk in missing}
        rows = Institution.objects.filter(parent_id__in=missing).values_list("parent_id", "id")
        for parent_id, branch_id in rows:
            found[parent_id].add(branch_id)
        cached.update({pk: frozenset(ids) for pk, ids in found.items()})
    return {pk: cached[pk] for pk in wanted}


def _branch_closure(actor: Actor, institution_ids: set[int]) -> frozenset[int]:
    if not institution_ids:
        return frozenset()
    branches = branches_of(_holder(actor), institution_ids)
    return frozenset(institution_ids.union(*branches.values()))


def _holder(actor: Actor) -> Any:
    """The object a request's answers about the actor are cached on (its user or client)."""
    return actor.user if actor.kind == ActorKind.STAFF else actor.client


def grant(actor: Actor, areas: Iterable[str], level: str = Level.VIEWER) -> Grant:
    """What the actor's roles give in these areas at this level or above; worked out once per
    request (cached with the roles on the actor's user or client), however many reads and
    writes of a batch ask."""
    areas = frozenset(areas)
    holder = _holder(actor)
    key = (areas, level, *_standing(actor))
    cache = getattr(holder, "_edureg_grants", None) if holder is not None else None
    if cache is not None and key in cache:
        return cache[key]
    given = _grant(actor, areas, level)
    if holder is not None:
        if cache is None:
            cache = holder._edureg_grants = {}
        cache[key] = given
    return given


def _standing(actor: Actor) -> tuple[Any, ...]:
    """What a cached answer about the actor depends on besides its roles."""
    return (actor.kind, actor.second_factor, getattr(actor.client, "is_active", None))


def _grant(actor: Actor, areas: frozenset[str], level: str) -> Grant:
    if areas & PERSONAL_DATA_AREAS and personal_data_blocker(actor) is not None:
        return Grant()
    if actor.kind == ActorKind.SYSTEM or (actor.kind == ActorKind.STAFF and actor.is_superuser):
        return Grant(national=True)
    if actor.kind == ActorKind.CLIENT and (actor.client is None or not actor.client.is_active):
        return Grant()
    national = False
    institutions: set[int] = set()
    municipalities: set[int] = set()
    for role in _roles(actor):
        if role.function_area not in areas or LEVEL_RANK[role.level] < LEVEL_RANK[level]:
            continue
        if role.scope_kind == ScopeKind.NATIONAL:
            national = True
        elif role.scope_kind == ScopeKind.MUNICIPALITY and role.municipality_id is not None:
            municipalities.add(role.municipality_id)
        elif role.institution_id is not None:
            institutions.add(role.institution_id)
    return Grant(
        national=national,
        institution_ids=_branch_closure(actor, institutions),
        municipality_ids=frozenset(municipalities),
    )


def scope_q(actor: Actor, areas: Iterable[str], level: str, paths: ScopePaths) -> Q | None:
    """The condition for rows the actor may see; None means "nothing"."""
    conditions: list[Q] = []
    if actor.kind == ActorKind.CITIZEN:
        # A citizen reads their own data and never writes a register field: their own person
        # is in scope at the viewer level only, so every manager-level check refuses them.
        if paths.person and actor.person_id is not None and level == Level.VIEWER:
            conditions.append(Q(**{paths.person: actor.person_id}))
            # A parent or guardian reads (never changes) the data of each child under 18.
            wards = ward_ids(actor)
            if wards:
                conditions.append(Q(**{f"{paths.person}__in": wards}))
    elif actor.kind == ActorKind.SHARE_LINK:
        # Whoever holds a citizen's share link reads that citizen's records (the link's page
        # then shows only the records chosen); nothing else, and never a change.
        if paths.person and actor.person_id is not None and level == Level.VIEWER:
            conditions.append(Q(**{paths.person: actor.person_id}))
    else:
        given = grant(actor, areas, level)
        if given.national:
            conditions.append(paths.national)
        if given.institution_ids:
            conditions += [Q(**{f"{p}__in": given.institution_ids}) for p in paths.institution]
        if given.municipality_ids:
            conditions += [
                Q(**{f"{p}__in": given.municipality_ids}) & paths.municipality_also
                for p in paths.municipality
            ]
    if paths.owner and actor.user is not None and actor.kind == ActorKind.STAFF:
        conditions.append(Q(**{paths.owner: actor.user}))
    if not conditions:
        return None
    return reduce(or_, conditions)


def restrict(
    queryset: QuerySet[M],
    *,
    actor: Actor,
    areas: Iterable[str],
    paths: ScopePaths,
    level: str = Level.VIEWER,
) -> QuerySet[M]:
    """Narrow any queryset to the rows the actor may see in these areas at this level."""
    condition = scope_q(actor, list(areas), level, paths)
    if condition is None:
        return queryset.none()
    narrowed = queryset.filter(condition)
    return narrowed.distinct() if paths.distinct else narrowed


def get_in_scope(
    queryset: QuerySet[M],
    *,
    actor: Actor,
    areas: Iterable[str],
    paths: ScopePaths,
    level: str = Level.VIEWER,
    lock: bool = False,
    **lookup: Any,
) -> M:
    """One row: 404 when unknown or out of scope, 403 when in scope but below `level`.

    With `lock`, the row is returned locked (SELECT ... FOR UPDATE) for a write that follows.
    The lock is taken by primary key after the scope check, because PostgreSQL cannot lock
    through the outer joins a scope may need.
    """
    if actor.kind == ActorKind.SYSTEM:
        # The register's own job sees and changes everything: one read (locked if asked).
        rows = queryset.select_for_update() if lock else queryset
        found = rows.filter(**lookup).first()
        if found is None:
            raise Http404
        return found
    areas = list(areas)
    visible = restrict(queryset, actor=actor, areas=areas, paths=paths).filter(**lookup).first()
    if visible is None:
        raise Http404
    if level != Level.VIEWER:
        allowed = restrict(queryset, actor=actor, areas=areas, paths=paths, level=level).filter(
            pk=visible.pk
        )
        if not allowed.exists():
            raise PermissionDenied(_("You may view this record but not change it."))
    if lock:
        return queryset.model._default_manager.select_for_update().get(pk=visible.pk)
    return visible


def ensure_in_scope(
    model: type[models.Model],
    pk: Any,
    *,
    actor: Actor,
    areas: Iterable[str],
    paths: ScopePaths,
    level: str = Level.VIEWER,
) -> None:
    """`get_in_scope` when only the answer matters (404, 403 or allowed), asked once per
    request for the same row: a batch of a thousand records for one institution checks the
    institution once."""
    if actor.kind == ActorKind.SYSTEM:
        return
    areas = frozenset(areas)
    holder = _holder(actor)
    key = (model._meta.label, pk, areas, level, id(paths), *_standing(actor))
    checked = getattr(holder, "_edureg_checked", None) if holder is not None else None
    if checked is not None and key in checked:
        return
    if not _granted_institution(model, pk, actor=actor, areas=areas, paths=paths, level=level):
        get_in_scope(
            model._default_manager.all(), actor=actor, areas=areas, paths=paths, level=level, pk=pk
        )
    if holder is not None:
        if checked is None:
            checked = holder._edureg_checked = set()
        checked.add(key)


def _granted_institution(
    model: type[models.Model],
    pk: Any,
    *,
    actor: Actor,
    areas: frozenset[str],
    paths: ScopePaths,
    level: str,
) -> bool:
    """Whether the grant itself names this institution at this level (national, or the
    institution or a branch of one granted): then no read is needed to allow it. Anything
    else (another path, a municipality's grant, a refusal's 404 or 403) is decided by
    `get_in_scope`."""
    if model is not Institution or paths.institution != ("pk",):
        return False
    if actor.kind == ActorKind.CITIZEN:
        return False
    given = grant(actor, areas, level)
    if given.national:
        return paths.national == ScopePaths().national  # a national grant not narrowed
    return pk in given.institution_ids


def require(
    actor: Actor, area: str, level: str = Level.MANAGER, *, national: bool = False
) -> Grant:
    """A right not tied to one record (e.g. edit classifiers): 403 when missing."""
    if actor.kind == ActorKind.SYSTEM:
        return Grant(national=True)
    given = grant(actor, [area], level)
    if given.empty or (national and not given.national):
        raise PermissionDenied(_("You do not have the right to do this."))
    return given


def holds_any(actor: Actor, areas: Iterable[str], level: str = Level.VIEWER) -> bool:
    return not grant(actor, areas, level).empty


__all__ = [
    "FunctionArea",
    "Grant",
    "Level",
    "ScopePaths",
    "ensure_in_scope",
    "get_in_scope",
    "grant",
    "holds_any",
    "needs_personal_data_checks",
    "personal_data_blocker",
    "require",
    "restrict",
]
