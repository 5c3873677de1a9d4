"""The latest versions of a page's records, from several history tables, in one statement.

A record page shows the history of a person's records (a pupil's person row and enrolments; a
student's study rights, their periods, funding and graduation): the newest version rows of all
those tables together, who made each and what changed. One UNION ALL of the history tables,
each row with its change-log difference and its user, ordered and cut in the database, instead
of a query per table and per difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import CharField, F, JSONField, OuterRef, QuerySet, Subquery, Value

from edureg.core.models import ChangeLogEntry

COLUMNS = (
    "model_label",
    "record_id",
    "history_id",
    "history_date",
    "history_type",
    "history_actor",
    "history_channel",
    "history_user_id",
    "user_username",
    "user_first_name",
    "user_last_name",
    "changes",
    # Why, when the act said so: e.g. the warnings the user confirmed (core.confirm).
    "history_change_reason",
)


def latest_versions(
    parts: Sequence[tuple[str, QuerySet[Any], str]], *, limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` version rows of these history querysets, newest first.

    Each part is (model label as the change log names it, a queryset of that model's version
    rows, the column of the record the row belongs to — "id", or "study_right_id"). Each row is a
    dict with the COLUMNS, `changes` the recorded difference ({} when none) and `user` the user
    who made the version (an unsaved User with id and names) or None.
    """
    selects = []
    for label, versions, record in parts:
        difference = ChangeLogEntry.objects.filter(
            model=label, history_id=OuterRef("history_id")
        ).values("changes")[:1]
        selects.append(
            versions.order_by()
            .annotate(
                model_label=Value(label, output_field=CharField()),
                record_id=F(record),
                user_username=F("history_user__username"),
                user_first_name=F("history_user__first_name"),
                user_last_name=F("history_user__last_name"),
                changes=Subquery(difference, output_field=JSONField()),
            )
            .values(*COLUMNS)
        )
    if not selects:
        return []
    union = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    rows = list(union.order_by("-history_date", "-history_id")[:limit])
    user_model = get_user_model()
    for row in rows:
        row["changes"] = row["changes"] or {}
        user_id = row["history_user_id"]
        row["user"] = (
            user_model(
                pk=user_id,
                username=row["user_username"],
                first_name=row["user_first_name"] or "",
                last_name=row["user_last_name"] or "",
            )
            if user_id is not None
            else None
        )
    return rows
