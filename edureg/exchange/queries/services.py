"""Mass-disclosure queries: posting one, running it in the worker, letting at most
`MASS_QUERY_CONCURRENCY` run at once, expiring the results, and recording every disclosure.

1. `mass_query_create` (the API, in the request): the kind and its parameters are checked
   (field-level errors), the system must be a system client and, for a recipient, its
   agreements in force must name the query's data set; the query and its job are stored and
   the run is queued when the transaction commits.
2. `mass_query_run` (the worker): takes a free slot (a unique number below the limit: the
   database keeps the limit whichever worker asks) or leaves the query waiting; streams the
   rows of the data set's scoped selector in chunks (`iterator`), represents each chunk with
   the data set's list serializer (so the agreement's field scope applies), writes the files
   and records the chunk's persons in their access logs in one statement, then frees the slot
   and queues the next waiting query.
3. `mass_queries_dispatch` (periodic): queries whose worker stopped are queued again, and
   waiting queries are queued when slots are free. `mass_queries_expire` (periodic) removes
   the files of results past `expires_at`; a download of an expired result answers 410.
4. `mass_query_download_record` (a download): every person in the result gets a disclosure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from edureg.access.api.fieldscope import client_terms
from edureg.access.models import ClientBinding
from edureg.core import jobs
from edureg.core.audit import log_person_access
from edureg.core.context import Actor, ActorKind, Channel, audit_context
from edureg.exchange.queries import files
from edureg.exchange.queries.selectors import QUERY_KINDS, query_rows
from edureg.exchange.query_models import MassQuery, QueryStatus

# A running query whose worker has not written for this long is queued again.
STALE_AFTER = dt.timedelta(minutes=2)
# What the person's access log says was seen, per data set: the query, and a download.
SHOWN_AS = {
    "enrolments": ("enrolment.query", "enrolment.query-download"),
    "study_rights": ("student.query", "student.query-download"),
}


class GoneError(Exception):
    """The result has expired (410)."""


def _terms_for(actor: Actor, dataset: str) -> Any:
    """The recipient's terms naming `dataset` (None: not a recipient, every field); 403 when
    its agreements in force do not name it."""
    terms = client_terms(actor)
    if terms is None:
        return None
    if not terms.in_force:
        raise PermissionDenied(terms.refusal)
    if dataset not in terms.fields:
        raise PermissionDenied(
            _("This data set is not covered by the data-provision agreement in force.")
        )
    return terms


def _disclosing(actor: Actor, terms: Any, dataset: str) -> None:
    """What the access-log rows of this actor's reads of `dataset` name (see changes.api)."""
    if terms is not None:
        agreement = terms.agreement_for(dataset)
        actor.client._edureg_disclosing = (agreement, dataset, terms.fields[dataset])


def mass_query_create(
    *, actor: Actor, kind: str, params: dict[str, Any], formats: Iterable[str] | None = None
) -> MassQuery:
    """Store a query of a system client and queue its run; its job shows the progress.

    Only information systems ask mass queries (a person reads through the pages); a
    recipient's system only for a data set its agreements in force name."""
    from edureg.exchange.queries.tasks import mass_query_run_task

    if actor.kind != ActorKind.CLIENT or actor.client is None:
        raise PermissionDenied(_("Mass queries are asked by information systems."))
    query_kind = QUERY_KINDS.get(kind)
    if query_kind is None:
        raise ValidationError({"kind": [_("There is no such query.")]}, code="invalid")
    terms = _terms_for(actor, query_kind.dataset)
    cleaned = query_kind.clean(actor, params)
    wanted = list(dict.fromkeys(formats or files.FORMATS))
    unknown = [f for f in wanted if f not in files.FORMATS]
    if unknown or not wanted:
        raise ValidationError({"formats": [_("Choose from csv, jsonl and xlsx.")]}, code="invalid")
    with transaction.atomic():
        query = MassQuery.objects.create(
            kind=kind,
            params=cleaned,
            dataset=query_kind.dataset,
            formats=[f for f in files.FORMATS if f in wanted],
            owner_client=actor.client,
            owner_label=actor.label,
            language=(translation.get_language() or settings.LANGUAGE_CODE)[:8],
            agreement_number=terms.agreement_for(query_kind.dataset).number if terms else "",
        )
        query.job = jobs.job_create(
            actor=actor,
            kind="exchange.mass_query",
            title=str(query_kind.label),
            params={"query": str(query.public_id)},
        )
        query.save(update_fields=["job"])
        transaction.on_commit(lambda: mass_query_run_task.enqueue(query_id=query.pk))
    return query


def actor_of(query: MassQuery) -> Actor:
    """The system as the worker acts for it: its scope, its label, its agreements now."""
    from edureg.access.api.fieldscope import with_recipient_flag

    binding = with_recipient_flag(
        ClientBinding.objects.select_related("application", "institution")
    ).get(pk=query.owner_client_id)
    return Actor.for_client(binding, channel=Channel.API)


def _claim_slot(query_id: int) -> bool:
    """Take a free slot for the query (False: all are taken; it stays waiting)."""
    now = timezone.now()
    for slot in range(settings.MASS_QUERY_CONCURRENCY):
        try:
            with transaction.atomic():
                taken = MassQuery.objects.filter(pk=query_id, status=QueryStatus.QUEUED).update(
                    status=QueryStatus.RUNNING, slot=slot, started_at=now, heartbeat_at=now
                )
        except IntegrityError:
            continue  # another query holds this slot
        return bool(taken)
    return False


class _TaskRequest:
    """What the serializers' field scope reads of a request (access.api.fieldscope): the
    actor. The worker represents rows as the API would answer the system."""

    def __init__(self, actor: Actor) -> None:
        self._edureg_actor = actor


def _chunks(rows: Any, size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows.iterator(chunk_size=size):
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def mass_query_run(query_id: int) -> MassQuery:
    """Write the result files of a waiting query (the worker's task; safe to run again)."""
    query = MassQuery.objects.get(pk=query_id)
    if query.status != QueryStatus.QUEUED or not _claim_slot(query.pk):
        return query
    query.refresh_from_db()
    actor = actor_of(query)
    try:
        with translation.override(query.language), audit_context(actor):
            _write(query, actor)
    finally:
        _queue_waiting()
    return query


def _write(query: MassQuery, actor: Actor) -> None:
    try:
        with jobs.job_running(query.job_id) as job:  # type: ignore[arg-type]
            _write_files(query, actor, job)
    except PermissionDenied as exc:
        # The agreement was suspended or ended while the query waited: nothing is given.
        _fail(query, str(exc))
    except Exception:
        _fail(query, _("The query could not be done."))
        raise


def _fail(query: MassQuery, message: str) -> None:
    files.remove(query.public_id)
    MassQuery.objects.filter(pk=query.pk).update(
        status=QueryStatus.FAILED, slot=None, message=message, finished_at=timezone.now()
    )
    query.status, query.slot, query.message = QueryStatus.FAILED, None, message


def _write_files(query: MassQuery, actor: Actor, job: Any) -> None:
    dataset = QUERY_KINDS[query.kind].source
    terms = _terms_for(actor, query.dataset)
    rows = query_rows(actor=actor, query=query)
    total = rows.count()
    jobs.job_advance(job, 0, total=total, force=True)
    context = {"request": _TaskRequest(actor)}
    columns = list(dataset.serializer(context=context).fields)
    writer = files.ResultWriter(query.public_id, query.formats, columns)
    _disclosing(actor, terms, query.dataset)
    what = SHOWN_AS[query.dataset][0]
    written = 0
    for chunk in _chunks(rows, settings.MASS_QUERY_CHUNK_ROWS):
        data = dataset.serializer(chunk, many=True, context=context).data
        person_ids = [record.person.public_id for record in chunk]
        writer.write(data, person_ids)
        # The chunk's persons in one statement: a disclosure of the query to each.
        log_person_access(actor=actor, person_public_ids=person_ids, what=what)
        written += len(chunk)
        MassQuery.objects.filter(pk=query.pk).update(heartbeat_at=timezone.now())
        jobs.job_advance(job, len(chunk), total=max(total, written))
    query.sizes = writer.close()
    now = timezone.now()
    query.status, query.slot, query.rows, query.fields = QueryStatus.DONE, None, written, columns
    query.finished_at = now
    query.expires_at = now + dt.timedelta(days=settings.MASS_QUERY_RESULT_DAYS)
    query.save(
        update_fields=["status", "slot", "rows", "sizes", "fields", "finished_at", "expires_at"]
    )
    jobs.job_note(job, _("%(rows)s rows are ready.") % {"rows": written})


def _queue_waiting(now: dt.datetime | None = None) -> list[int]:
    """Queue the oldest waiting queries for the free slots."""
    from edureg.exchange.queries.tasks import mass_query_run_task

    running = MassQuery.objects.filter(status=QueryStatus.RUNNING).count()
    free = settings.MASS_QUERY_CONCURRENCY - running
    if free <= 0:
        return []
    waiting = list(
        MassQuery.objects.filter(status=QueryStatus.QUEUED)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:free]
    )
    for query_id in waiting:
        mass_query_run_task.enqueue(query_id=query_id)
    return waiting


def mass_queries_dispatch(now: dt.datetime | None = None) -> list[int]:
    """Queue again the queries whose worker stopped, and waiting queries for free slots."""
    now = now or timezone.now()
    MassQuery.objects.filter(status=QueryStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER).update(
        status=QueryStatus.QUEUED, slot=None
    )
    return _queue_waiting(now)


def mass_queries_expire(now: dt.datetime | None = None) -> int:
    """Remove the files of the results past their time; the queries stay, as expired."""
    now = now or timezone.now()
    expired = list(
        MassQuery.objects.filter(status=QueryStatus.DONE, expires_at__lte=now).values_list(
            "pk", "public_id"
        )
    )
    for pk, public_id in expired:
        files.remove(public_id)
        MassQuery.objects.filter(pk=pk).update(status=QueryStatus.EXPIRED)
    return len(expired)


def is_expired(query: MassQuery, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return query.status == QueryStatus.EXPIRED or (
        query.expires_at is not None and query.expires_at <= now
    )


def mass_query_download_record(*, actor: Actor, query: MassQuery, file_format: str) -> Any:
    """The path of a result file; every person in the result gets a disclosure of the
    download first (in statements of a few thousand). 410 (GoneError) once expired; 404 for a
    format not asked or a result not ready."""
    from django.http import Http404

    if is_expired(query):
        raise GoneError
    if query.status != QueryStatus.DONE or file_format not in query.formats:
        raise Http404
    terms = _terms_for(actor, query.dataset)
    _disclosing(actor, terms, query.dataset)
    what = SHOWN_AS[query.dataset][1]
    for person_ids in files.persons_in(query.public_id, chunk=settings.MASS_QUERY_CHUNK_ROWS):
        log_person_access(actor=actor, person_public_ids=person_ids, what=what)
    return files.path_of(query.public_id, file_format)
