"""Keeps each batch API call as a transfer (an `ImportRun` of format "api"), so that the
transfer dashboard shows what a system sent through the API beside its files.

Each record's key and result are kept (a refused one with its field, code and message, so a
later accepted call of the same key shows it fixed) — never the records' data, which the
register holds when accepted and which may carry personal codes when refused. A call of a
system bound to no institution (the agency's own tools) has no institution's dashboard to
appear on and is not kept."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import models, transaction
from django.utils import timezone, translation

from edureg.core.context import Actor, ActorKind
from edureg.exchange.import_models import (
    ImportFormat,
    ImportKind,
    ImportRow,
    ImportRun,
    ImportStatus,
    RowOutcome,
)

# The batch endpoints' record classes and what a transfer of them holds.
KIND_OF_MODEL = {
    "pupils.enrolment": ImportKind.ENROLMENTS,
    "students.studyright": ImportKind.STUDY_RIGHTS,
}
API_FILE_NAME = "API"


def _outcome(status: int) -> str:
    if status == 201:
        return RowOutcome.CREATED
    if status == 200:
        return RowOutcome.UPDATED  # the API does not tell updated from unchanged
    return RowOutcome.REFUSED


def _first_error(result: dict[str, Any]) -> dict[str, Any]:
    errors = result.get("errors") or [{}]
    return errors[0]


def record_batch(
    *, model: type[models.Model], actor: Actor, results: list[dict[str, Any]], **_: Any
) -> None:
    """One run per source system named in the call: its counts and its refused records."""
    kind = KIND_OF_MODEL.get(model._meta.label_lower)
    client = actor.client if actor.kind == ActorKind.CLIENT else None
    institution = getattr(client, "institution", None)
    if kind is None or institution is None or not results:
        return
    by_source: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        by_source[(result.get("source_system") or "")[:64]].append(result)
    now = timezone.now()
    with transaction.atomic():
        for source_system, answered in by_source.items():
            outcomes = [_outcome(result["status"]) for result in answered]
            run = ImportRun.objects.create(
                kind=kind,
                file_format=ImportFormat.API,
                file_name=API_FILE_NAME,
                source_system=source_system,
                institution=institution,
                status=ImportStatus.DONE,
                owner_label=actor.label,
                owner_client=actor.client,
                language=translation.get_language() or "lt",
                rows_total=len(answered),
                created=outcomes.count(RowOutcome.CREATED),
                updated=outcomes.count(RowOutcome.UPDATED),
                refused=outcomes.count(RowOutcome.REFUSED),
                finished_at=now,
            )
            ImportRow.objects.bulk_create(
                ImportRow(
                    run=run,
                    line=result["index"] + 1,
                    key=(result.get("local_id") or "")[:64],
                    outcome=outcome,
                    field=(_first_error(result).get("field") or "")[:64],
                    code=(_first_error(result).get("code") or "")[:64],
                    message="; ".join(
                        str(error.get("message", "")) for error in result.get("errors") or []
                    ),
                    applied_at=now,
                )
                for result, outcome in zip(answered, outcomes, strict=True)
            )
