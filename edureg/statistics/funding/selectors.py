"""Reads of funding runs: a run is seen by whoever holds the funding-calculation area over its
school or municipality; its lines name pupils, so showing them is logged for each pupil."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from edureg.access.models import FunctionArea
from edureg.access.scoping import ScopePaths, get_in_scope, restrict
from edureg.core.context import Actor
from edureg.statistics.funding.models import FundingRun

AREA = FunctionArea.FUNDING_CALCULATION
RUN_PATHS = ScopePaths(
    institution=("institution",), municipality=("municipality", "institution__municipality")
)


def funding_runs(*, actor: Actor) -> QuerySet[FundingRun]:
    return restrict(
        FundingRun.objects.select_related("rule_set", "institution", "municipality"),
        actor=actor,
        areas=[AREA],
        paths=RUN_PATHS,
    )


def funding_run_get(*, actor: Actor, pk: Any) -> FundingRun:
    return get_in_scope(
        FundingRun.objects.select_related("rule_set", "institution", "municipality", "previous"),
        actor=actor,
        areas=[AREA],
        paths=RUN_PATHS,
        pk=pk,
    )
