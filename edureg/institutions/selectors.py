"""Reads of institutions. Institutions are public register data: no scoping or access log."""

from __future__ import annotations

from django.db.models import QuerySet

from edureg.institutions.models import Institution, Municipality


def institution_list() -> QuerySet[Institution]:
    return Institution.objects.select_related("municipality", "main_group", "main_type", "parent")


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.select_related("county")
