"""How programmes and qualifications are picked (see core.pickers): by name or code; the key
stored and sent by systems is the state code of a programme and the code of a qualification.
Both are public register data (the catalogue), so their pickers need no scope."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from edureg.core.pickers import Picker
from edureg.institutions.models import Institution
from edureg.programmes.models import (
    Programme,
    ProgrammeKind,
    ProgrammeStatus,
    ProgrammeVersion,
    Qualification,
    VersionStatus,
)

PROGRAMME = Picker(key="state_code", search_fields=("name_lt", "name_en", "state_code"))
QUALIFICATION = Picker(key="code", search_fields=("name_lt", "name_en", "code"))


def registered_study_programmes() -> QuerySet[Programme]:
    """The study programmes a study right can be opened in, with the names of their
    registered versions (`name_lt`, `name_en`) to be searched and shown by."""
    return with_names(
        Programme.objects.filter(kind=ProgrammeKind.STUDY, status=ProgrammeStatus.REGISTERED)
    ).select_related("provider")


def with_names(programmes: QuerySet[Programme]) -> QuerySet[Programme]:
    registered = ProgrammeVersion.objects.filter(
        programme=OuterRef("pk"), status=VersionStatus.REGISTERED
    ).order_by("-number")
    return programmes.annotate(
        name_lt=Subquery(registered.values("name_lt")[:1]),
        name_en=Subquery(registered.values("name_en")[:1]),
    )


def qualifications() -> QuerySet[Qualification]:
    return Qualification.objects.all()


def catalogue_providers() -> QuerySet[Institution]:
    """The institutions with a programme in the public catalogue."""
    from edureg.programmes.selectors import catalogue_list

    return Institution.objects.filter(pk__in=catalogue_list().values("provider_id"))
