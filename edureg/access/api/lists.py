"""List endpoints that show people: each page served is written to the access logs of the
people on it, here, so that no list endpoint logs by hand (or forgets to)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from edureg.access.actors import api_actor
from edureg.core.audit import log_person_access


class PersonListMixin:
    # For a `ListAPIView` whose rows show people. `shown_as` is what the access log records;
    # `person_of(row)` the person a row shows (the row itself for a list of persons). Not a
    # docstring: the schema would take it for the description of every such endpoint.

    shown_as: str
    person_of: Callable[[Any], Any] = staticmethod(lambda row: row.person)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))  # type: ignore[attr-defined]
        assert page is not None  # every list endpoint is paginated
        log_person_access(
            actor=api_actor(request),
            person_public_ids=[self.person_of(row).public_id for row in page],
            what=self.shown_as,
        )
        return self.get_paginated_response(self.get_serializer(page, many=True).data)  # type: ignore[attr-defined]
