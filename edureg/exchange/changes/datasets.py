"""What the change feed carries: the registers' records a school or HEI system mirrors, each
with the scope paths, the scoped selector and the API serializer that the register's own list
endpoint uses (so that a feed entry reads like a row of that list, agreement field scope
included, and shows nothing the list would not)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import models
from django.db.models import QuerySet

from edureg.access.scoping import ScopePaths
from edureg.core.context import Actor

NATIONAL = "n"


@dataclass(frozen=True)
class Dataset:
    name: str  # the feed's name of the data set; also the agreement's, where it is one
    model: type[models.Model]
    paths: ScopePaths
    areas: tuple[str, ...]
    # The register's scoped read of the list endpoint (the actor's rows, nothing else).
    records: Callable[[Actor], QuerySet[Any]]
    serializer: type
    # What the person's access log says was seen (None: the records show no person).
    shown_as: str | None
    # Whether a recipient under a data-provision agreement may receive it (the agreement
    # must name the data set); an institution's own system always may.
    for_recipients: bool
    # The model's rows that belong to this data set, as filters on the row's own columns (so
    # that a deleted row's version says it too), when the model's rows are split between data
    # sets scoped differently; None: all of them.
    subset: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # The feed addresses changes by institution, municipality and nation; a scope narrowed
        # in other ways could not be addressed so, and is refused here rather than leaked.
        default = ScopePaths()
        if self.paths.national != default.national or (
            self.paths.municipality_also != default.municipality_also
        ):
            raise ValueError(f"{self.name}: narrowed scopes are not addressable by the feed")

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    def audience_lookups(self) -> list[tuple[str, str]]:
        """(prefix, lookup) of each scope path: `i` institution paths, `m` municipality ones."""
        return [("i", p) for p in self.paths.institution] + [
            ("m", p) for p in self.paths.municipality
        ]

    def dependencies(self) -> list[tuple[str, str, str]]:
        """The records whose change can move this data set's records between audiences:
        (model label of the related record, the field leading to it, the attname whose change
        matters), e.g. a pupil's declared municipality for enrolments."""
        found = []
        for _prefix, lookup in self.audience_lookups():
            parts = lookup.split("__")
            if len(parts) < 2:
                continue
            relation = self.model._meta.get_field(parts[0])
            related = relation.related_model
            attname = related._meta.get_field(parts[1]).attname  # type: ignore[union-attr]
            found.append((related._meta.label_lower, parts[0], attname))  # type: ignore[union-attr]
        return found


def _learning(name: str, model: type[models.Model], serializer: type, related: str) -> Dataset:
    """A kind of a pupil's learning data, seen like the pupil card shows it."""
    from edureg.pupils import selectors as pupils

    return Dataset(
        name=name,
        model=model,
        paths=pupils.LEARNING_PATHS,
        areas=pupils.PUPIL_AREAS,
        records=lambda actor: pupils.learning_list(model, actor).select_related(related),
        serializer=serializer,
        shown_as="pupil.learning.changes",
        for_recipients=False,
    )


def _documents(name: str, area: str) -> Dataset:
    """Issued and formed documents of one kind of issuer, as `/credentials/documents/` lists."""
    from edureg.credentials import selectors as credentials
    from edureg.credentials.api.serializers import DocumentSerializer
    from edureg.credentials.models import Document

    return Dataset(
        name=name,
        model=Document,
        paths=credentials.AREA_PATHS[area],
        areas=(area,),
        records=lambda actor: (
            credentials.documents_in_scope(actor=actor)
            .filter(area=area)
            .select_related("group", "study_right", "replaces")
        ),
        serializer=DocumentSerializer,
        shown_as="credentials.changes",
        for_recipients=False,
        subset={"area": area},
    )


@cache
def feed_datasets() -> tuple[Dataset, ...]:
    from edureg.access.models import FunctionArea
    from edureg.pupils import selectors as pupils
    from edureg.pupils.api.serializers import (
        AchievementSerializer,
        ElectiveSerializer,
        EnrolmentSerializer,
        GroupSerializer,
        SpecialNeedsSerializer,
    )
    from edureg.pupils.models import Achievement, Elective, Enrolment, Group, SpecialNeeds
    from edureg.students import selectors as students
    from edureg.students.api.serializers import StudyRightSerializer
    from edureg.students.models import StudyRight

    return (
        Dataset(
            name="enrolments",
            model=Enrolment,
            paths=pupils.ENROLMENT_PATHS,
            areas=pupils.PUPIL_AREAS,
            records=lambda actor: pupils.enrolment_list(actor=actor).select_related(
                "transferred_to"
            ),
            serializer=EnrolmentSerializer,
            shown_as="enrolment.changes",
            for_recipients=True,
        ),
        Dataset(
            name="groups",
            model=Group,
            paths=pupils.GROUP_PATHS,
            areas=pupils.PUPIL_AREAS,
            records=lambda actor: pupils.group_list(actor=actor),
            serializer=GroupSerializer,
            shown_as=None,
            for_recipients=False,
        ),
        Dataset(
            name="study_rights",
            model=StudyRight,
            paths=students.STUDY_RIGHT_PATHS,
            areas=students.STUDENT_AREAS,
            records=lambda actor: students.student_rights_in_scope(actor=actor).select_related(
                "transferred_from"
            ),
            serializer=StudyRightSerializer,
            shown_as="student.changes",
            for_recipients=True,
        ),
        _learning("electives", Elective, ElectiveSerializer, "course_level"),
        _learning("achievements", Achievement, AchievementSerializer, "institution"),
        _learning("special_needs", SpecialNeeds, SpecialNeedsSerializer, "level"),
        _documents("school_documents", FunctionArea.CERTIFICATES),
        _documents("hei_documents", FunctionArea.STUDENT_DATA),
    )


def dataset_named(name: str) -> Dataset:
    return next(d for d in feed_datasets() if d.name == name)
