"""The change feed's API: `GET /api/v1/changes/?after=<cursor>` and `GET /api/v1/changes/latest/`
(see docs/exchange.md for how a school information system keeps its mirror)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from edureg.access.actors import api_actor
from edureg.access.api.fieldscope import client_terms
from edureg.core.api.errors import field_error
from edureg.core.api.serializers import ApiErrorSerializer
from edureg.core.audit import log_person_access
from edureg.exchange.changes import feed
from edureg.exchange.changes.datasets import feed_datasets

TAG = "changes"


class ChangeEntrySerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="The entry's position; `after` it, the next ones.")
    dataset = serializers.ChoiceField(
        choices=[
            "enrolments",
            "groups",
            "study_rights",
            "electives",
            "achievements",
            "special_needs",
            "school_documents",
            "hei_documents",
        ],
        help_text="Which records: as `/pupils/enrolments/`, `/pupils/groups/`, "
        "`/students/study-rights/` and `/documents/` list them (school documents are a "
        "school's certificates, HEI documents a higher education institution's); a pupil's "
        "electives, achievements and special-needs levels as the pupil card shows them.",
    )
    action = serializers.ChoiceField(
        choices=["created", "updated", "deleted", feed.OUT_OF_SCOPE],
        help_text="created or updated: `record` holds the record as its list shows it now "
        "(upsert it); deleted or out_of_scope: only `id` (drop it from the mirror).",
    )
    id = serializers.UUIDField(help_text="The record's public id.")
    record = serializers.JSONField(
        allow_null=True,
        help_text="The record in the shape of the data set's list endpoint (its fields as an "
        "agreement allows them), or null.",
    )


class ChangePageSerializer(serializers.Serializer):
    results = ChangeEntrySerializer(many=True)
    cursor = serializers.CharField(help_text="Send it as `after` for the next page.")
    has_more = serializers.BooleanField(help_text="Whether more changes follow now.")


class LatestSerializer(serializers.Serializer):
    cursor = serializers.CharField()


ERRORS = {
    400: OpenApiResponse(ApiErrorSerializer, description="A cursor this API did not give."),
    403: OpenApiResponse(
        ApiErrorSerializer,
        description="A recipient's system without an agreement in force naming enrolments or "
        "study rights.",
    ),
}


class _FeedView(APIView):
    @property
    def agreement_dataset(self) -> str | None:
        # A recipient may read the feed when its agreement names a data set the feed carries;
        # it receives only those (see feed.visible_datasets).
        request = getattr(self, "request", None)
        if request is None:
            return None
        terms = client_terms(api_actor(request))
        if terms is None:
            return None
        names = [d.name for d in feed_datasets() if d.for_recipients and d.name in terms.fields]
        return names[0] if names else "enrolments"


class ChangeListView(_FeedView):
    @extend_schema(
        tags=[TAG],
        summary="Changes after a cursor",
        description=(
            "Every change the caller may see, in one monotonic order: records created, updated, "
            "deleted (tombstones) and moved out of the caller's scope, of pupils' enrolments, "
            "groups and learning data, students' study rights, and documents. Start from "
            "`/changes/latest/` (or without `after`, from the beginning) and ask again with "
            "the answer's `cursor` while "
            f"`has_more`; at most {feed.PAGE_MAX} a page. A cursor is never beyond a change "
            "still being written. Entries older than their retention period are destroyed "
            "(each record's latest entry stays): a cursor before them is refused with the "
            "code `expired`, and the client reads the lists again. Each page that shows "
            "persons is written to their access logs "
            "(for a recipient's system, as a disclosure under its agreement). A recipient "
            "receives only the data sets and fields its agreements in force name."
        ),
        parameters=[
            OpenApiParameter("after", str, description="A cursor this API gave."),
            OpenApiParameter(
                "page_size",
                int,
                description=f"Default {feed.PAGE_DEFAULT}, at most {feed.PAGE_MAX}.",
            ),
        ],
        responses={200: ChangePageSerializer, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        actor = api_actor(request)
        after = feed.Position()
        if request.query_params.get("after"):
            parsed = feed.Position.parse(request.query_params["after"])
            if parsed is None:
                raise field_error("after", _("This is not a cursor of the change feed."))
            after = parsed
            # Entries destroyed at the end of their retention (archive.change_feed_destroy) may
            # lie after an old cursor: a client there reads the lists again.
            from edureg.archive.services import change_feed_horizon

            if after > feed.Position() and (after.xid, after.change_id) < change_feed_horizon():
                raise field_error(
                    "after",
                    _(
                        "Entries after this cursor were destroyed at the end of their retention: "
                        "read the lists again, then follow the feed from /changes/latest/."
                    ),
                    code="expired",
                )
        size = feed.PAGE_DEFAULT
        if request.query_params.get("page_size"):
            try:
                size = int(request.query_params["page_size"])
            except ValueError:
                raise field_error("page_size", _("Give a whole number.")) from None
            if not 1 <= size <= feed.PAGE_MAX:
                raise field_error(
                    "page_size",
                    _("Give a page size from 1 to %(max)s.") % {"max": feed.PAGE_MAX},
                )
        page = feed.changes_page(actor=actor, after=after, size=size)
        results = _represent(request, page.entries)
        return Response({"results": results, "cursor": str(page.cursor), "has_more": page.has_more})


def _represent(request: Request, entries: list[feed.Entry]) -> list[dict[str, Any]]:
    """The entries with their records in the list endpoints' shapes; the persons shown are
    written to their access logs, one statement per data set."""
    actor = api_actor(request)
    by_name = {d.name: d for d in feed_datasets()}
    shown: dict[str, list[Any]] = {}
    for entry in entries:
        if entry.record is not None:
            shown.setdefault(entry.dataset, []).append(entry.record)
    data: dict[int, Any] = {}
    for name, records in shown.items():
        ds = by_name[name]
        serialized = ds.serializer(records, many=True, context={"request": request}).data
        data.update({id(r): d for r, d in zip(records, serialized, strict=True)})
        if ds.shown_as:
            _log(actor, ds.name, ds.shown_as, [r.person.public_id for r in records])
    return [
        {
            "cursor": str(e.position),
            "dataset": e.dataset,
            "action": e.action,
            "id": str(e.public_id),
            "record": data.get(id(e.record)) if e.record is not None else None,
        }
        for e in entries
    ]


def _log(actor: Any, dataset: str, what: str, person_ids: list[Any]) -> None:
    terms = client_terms(actor)
    if terms is not None:
        # A disclosure under the agreement that names this data set, with its fields.
        agreement = terms.agreement_for(dataset)
        if agreement is not None:
            actor.client._edureg_disclosing = (agreement, dataset, terms.fields[dataset])
    log_person_access(actor=actor, person_public_ids=person_ids, what=what)


class ChangeLatestView(_FeedView):
    @extend_schema(
        tags=[TAG],
        summary="The current cursor of the change feed",
        description=(
            "The position of the newest change served now: take it before copying the lists, "
            "then follow `/changes/?after=` from it."
        ),
        responses={200: LatestSerializer, 403: ERRORS[403]},
    )
    def get(self, request: Request) -> Response:
        return Response({"cursor": str(feed.latest_position())})
