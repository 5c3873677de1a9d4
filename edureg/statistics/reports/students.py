"""Reports of the Student Register.

The academic year runs like the school year, from 1 September. Students are counted on the
census day (1 October) as the study rights studying or on academic leave that day (a study right
has one status period on any day, so each right counts once); events — interruptions,
terminations, transfers, mobility, loans, scholarships — in the year they start.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from edureg.core.models import ClassifierValue, localized_name
from edureg.programmes.models import ProgrammeVersion, StudyCycle, VersionStatus
from edureg.pupils.models import Enrolment, GroupKind
from edureg.statistics.opendata.intervals import Period, merge_periods
from edureg.statistics.reports.base import (
    STUDENTS,
    Dimension,
    Filters,
    Key,
    Report,
    Table,
    build_table,
    choice_labels,
    country_labels,
    institution_labels,
    model_labels,
    plain_labels,
    register,
    school_year_of,
    scoped,
    valid_on,
)
from edureg.students.models import (
    LoanKind,
    Mobility,
    PriorEducation,
    PriorEducationKind,
    Scholarship,
    ScholarshipKind,
    StatusPeriod,
    StudyForm,
    StudyLoan,
    StudyRight,
    StudyStatus,
)

ACTIVE = (StudyStatus.STUDYING, StudyStatus.ACADEMIC_LEAVE)
CYCLE_ORDER = [cycle.value for cycle in StudyCycle]
LEVEL_CHOICES = list(StudyCycle.choices)


def _fields_of_programmes(programme_ids: Iterable[Key]) -> dict[Key, Key]:
    """Each programme's study field: that of its registered version, else of its latest."""
    chosen: dict[Key, tuple[bool, int, Key]] = {}
    for programme_id, number, status, field_id in ProgrammeVersion.objects.filter(
        programme_id__in=[key for key in programme_ids if key is not None]
    ).values_list("programme_id", "number", "status", "study_field_id"):
        candidate = (status == VersionStatus.REGISTERED, number, field_id)
        if programme_id not in chosen or candidate > chosen[programme_id]:
            chosen[programme_id] = candidate
    return {programme_id: value[2] for programme_id, value in chosen.items()}


def dimension(label: Any, lookup: str, prefix: str = "") -> Dimension:
    return Dimension(label, prefix + lookup)


def hei(prefix: str = "", label: Any = None) -> Dimension:
    return Dimension(
        label or gettext_lazy("Higher education institution"),
        f"{prefix}institution",
        institution_labels,
    )


def cycle(prefix: str = "") -> Dimension:
    return Dimension(
        gettext_lazy("Study cycle"), f"{prefix}cycle", choice_labels(StudyCycle), order=CYCLE_ORDER
    )


def study_field(prefix: str = "") -> Dimension:
    return Dimension(
        gettext_lazy("Study field"),
        f"{prefix}programme",
        model_labels(ClassifierValue),
        bucket=_fields_of_programmes,
    )


def form(prefix: str = "") -> Dimension:
    return Dimension(gettext_lazy("Study form"), f"{prefix}form", choice_labels(StudyForm))


def active_rights(day: dt.date) -> QuerySet[StudyRight]:
    return StudyRight.objects.filter(
        Exists(
            StatusPeriod.objects.filter(
                valid_on(day), study_right=OuterRef("pk"), status__in=ACTIVE
            )
        )
    )


class StudentReport(Report):
    register = STUDENTS
    unit = gettext_lazy("students")
    levels = None


@register
class StudentsReport(StudentReport):
    slug = "students"
    title = gettext_lazy("Students by institution, cycle, form and field")
    description = gettext_lazy(
        "Study rights studying or on academic leave on the census day (1 October), by study cycle."
    )
    rows = {
        "institution": hei(),
        "field": study_field(),
        "form": form(),
    }
    column = cycle()
    level_lookup = "cycle"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return active_rights(filters.census)


@register
class InterruptionsReport(StudentReport):
    slug = "interruptions"
    title = gettext_lazy("Interruptions and terminations by reason and year of study")
    description = gettext_lazy(
        "Interruptions that started and terminations recorded during the academic year, by "
        "reason and the student's year of study. A student's interruptions that overlap or "
        "follow each other with no day of studies between them count as one, as in the open "
        "data; a stage with several reasons is counted once, under „several reasons“."
    )
    unit = gettext_lazy("stages")
    rows = {"reason": Dimension(gettext_lazy("Stage and reason"), "reason")}
    column = Dimension(
        gettext_lazy("Year of study"), "course", plain_labels, order=[1, 2, 3, 4, 5, 6]
    )
    level_lookup = "cycle"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return StudyRight.objects.filter(
            periods__status__in=(StudyStatus.INTERRUPTED, StudyStatus.TERMINATED)
        ).distinct()

    def table(self, actor: Any, filters: Filters) -> Table:
        rights = self.narrowed(actor, filters)
        courses = dict(rights.values_list("pk", "course"))
        periods = list(
            StatusPeriod.objects.filter(
                study_right_id__in=rights.values("pk"),
                status__in=(StudyStatus.INTERRUPTED, StudyStatus.TERMINATED),
                valid_from__lt=filters.end,
            ).values_list("pk", "study_right_id", "status", "valid_from", "valid_to")
        )
        reasons: dict[int, set[int]] = defaultdict(set)
        through = StatusPeriod.reasons.through
        for period_id, value_id in through.objects.filter(
            statusperiod_id__in=[p[0] for p in periods]
        ).values_list("statusperiod_id", "classifiervalue_id"):
            reasons[period_id].add(value_id)
        interruptions: dict[int, list[Period[int]]] = defaultdict(list)
        counts: dict[tuple[Key, Key], int] = defaultdict(int)
        for pk, right_id, status, start, end in periods:
            if status == StudyStatus.INTERRUPTED:
                interruptions[right_id].append(Period(start, end, frozenset(reasons[pk])))
            elif filters.start <= start < filters.end:
                counts[(("termination", _reason_key(reasons[pk])), courses[right_id])] += 1
        for right_id, spans in interruptions.items():
            for merged in merge_periods(spans):
                if filters.start <= merged.start < filters.end:
                    key = ("interruption", _reason_key(set(merged.reasons)))
                    counts[(key, courses[right_id])] += 1
        row = Dimension(self.rows["reason"].label, "reason", _stage_labels)
        return build_table(
            [(r, c, n) for (r, c), n in counts.items()],
            row=row,
            column=self.column,
            unit=str(self.unit),
        )


SEVERAL = "several"


def _reason_key(reasons: set[int]) -> Key:
    if not reasons:
        return None
    return next(iter(reasons)) if len(reasons) == 1 else SEVERAL


def _stage_labels(keys: Iterable[Key]) -> dict[Key, str]:
    values = ClassifierValue.objects.in_bulk(
        [reason for _stage, reason in keys if isinstance(reason, int)]
    )
    stages = {"interruption": _("Interruption"), "termination": _("Termination")}
    result = {}
    for key in keys:
        stage, reason = key
        if reason is None:
            reason_name = _("no reason recorded")
        elif reason == SEVERAL:
            reason_name = _("several reasons")
        else:
            reason_name = localized_name(values[reason]) if reason in values else str(reason)
        result[key] = f"{stages[stage]}: {reason_name}"
    return result


@register
class TransfersReport(StudentReport):
    slug = "transfers"
    title = gettext_lazy("Transfers between institutions and programmes")
    description = gettext_lazy(
        "Study rights that continue another one (a transfer), started during the academic "
        "year: the institution left (rows) and the one joined (columns). Transfers between "
        "programmes of one institution are on the diagonal."
    )
    unit = gettext_lazy("transfers")
    rows = {"institution": hei("transferred_from__", gettext_lazy("Left the institution"))}
    column = hei("", gettext_lazy("Joined the institution"))
    institution_lookups = ("institution", "transferred_from__institution")
    level_lookup = "cycle"
    chart = "flow"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return StudyRight.objects.filter(
            transferred_from__isnull=False,
            started_on__gte=filters.start,
            started_on__lt=filters.end,
        )


@register
class PriorEducationReport(StudentReport):
    slug = "prior-education"
    title = gettext_lazy("Prior education")
    description = gettext_lazy(
        "Documents that gave access to the studies of those who started during the academic "
        "year, by kind or country, and study cycle."
    )
    unit = gettext_lazy("documents")
    rows = {
        "kind": Dimension(gettext_lazy("Kind"), "kind", choice_labels(PriorEducationKind)),
        "country": Dimension(gettext_lazy("Country"), "country", country_labels),
        "document_type": Dimension(
            gettext_lazy("Document type"), "document_type", model_labels(ClassifierValue)
        ),
    }
    column = cycle("study_right__")
    institution_lookups = ("study_right__institution",)
    institution_lookup = "study_right__institution"
    level_lookup = "study_right__cycle"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return PriorEducation.objects.filter(
            study_right__started_on__gte=filters.start, study_right__started_on__lt=filters.end
        )


@register
class MobilityReport(StudentReport):
    slug = "mobility"
    title = gettext_lazy("Mobility by country and programme")
    description = gettext_lazy(
        "Partial studies that started during the academic year, by host country and mobility "
        "programme."
    )
    unit = gettext_lazy("mobilities")
    rows = {
        "country": Dimension(gettext_lazy("Host country"), "host_country", country_labels),
        "institution": hei("study_right__"),
    }
    column = Dimension(gettext_lazy("Mobility programme"), "programme_name")
    institution_lookups = ("study_right__institution",)
    institution_lookup = "study_right__institution"
    level_lookup = "study_right__cycle"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return Mobility.objects.filter(valid_from__gte=filters.start, valid_from__lt=filters.end)


@register
class ForeignLearnersReport(StudentReport):
    slug = "foreign"
    title = gettext_lazy("Foreign learners by citizenship")
    description = gettext_lazy(
        "Pupils in general education and students (studying or on leave) on the census day "
        "whose citizenship is not Lithuanian."
    )
    unit = gettext_lazy("learners")
    rows = {
        "citizenship": Dimension(gettext_lazy("Citizenship"), "person__citizenship", country_labels)
    }
    column = Dimension(
        gettext_lazy("Register"),
        "register",
        lambda keys: {
            key: {"pupils": _("Pupil Register"), "students": _("Student Register")}[key]
            for key in keys
        },
        order=["pupils", "students"],
        complete=True,
    )

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return active_rights(filters.census).exclude(person__citizenship="LT")

    def table(self, actor: Any, filters: Filters) -> Table:
        students = self.narrowed(actor, filters)
        pupils = Enrolment.objects.filter(valid_on(filters.census), kind=GroupKind.GENERAL)
        pupils = scoped(pupils.exclude(person__citizenship="LT"), actor, ("institution",))
        if filters.institution_type is not None:
            pupils = pupils.filter(institution__main_type=filters.institution_type)
        if filters.municipality is not None:
            pupils = pupils.filter(institution__municipality=filters.municipality)
        triples = []
        for register_key, queryset in (("pupils", pupils), ("students", students)):
            triples += [
                (citizenship, register_key, n)
                for citizenship, n in _count_by(queryset, "person__citizenship").items()
            ]
        row = self.rows["citizenship"]
        return build_table(triples, row=row, column=self.column, unit=str(self.unit))


def _count_by(queryset: QuerySet[Any], lookup: str) -> Mapping[Key, int]:
    from django.db.models import Count

    return {
        item[lookup]: item["n"]
        for item in queryset.values(lookup).annotate(n=Count("pk")).order_by()
    }


@register
class FundingSourcesReport(StudentReport):
    slug = "funding-sources"
    title = gettext_lazy("Funding sources")
    description = gettext_lazy(
        "Study rights studying or on leave on the census day, by the funding source in force "
        "that day."
    )
    rows = {
        "source": Dimension(
            gettext_lazy("Funding source"),
            "funding_periods__source",
            model_labels(ClassifierValue),
        ),
        "institution": hei(),
    }
    column = cycle()
    level_lookup = "cycle"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        # One funding period is open at a time, so the join keeps one row per right.
        return active_rights(filters.census).filter(valid_on(filters.census, "funding_periods__"))

    def table(self, actor: Any, filters: Filters) -> Table:
        row = self.row_dimension(filters)
        if row.lookup == "institution":
            # Each right once, by institution, whatever its funding source.
            row = Dimension(row.label, "institution", institution_labels)
        return build_table(
            self.triples(self.narrowed(actor, filters), row, self.column),
            row=row,
            column=self.column,
            unit=str(self.unit),
        )


class MoneyReport(StudentReport):
    institution_lookups = ("study_right__institution",)
    institution_lookup = "study_right__institution"
    level_lookup = "study_right__cycle"
    amount = "amount"


@register
class LoansReport(MoneyReport):
    slug = "loans"
    title = gettext_lazy("Study loans")
    description = gettext_lazy(
        "State-supported study loans granted during the academic year, by kind and study "
        "cycle: their number or their amount."
    )
    unit = gettext_lazy("loans")
    rows = {
        "kind": Dimension(gettext_lazy("Loan kind"), "kind", choice_labels(LoanKind)),
        "institution": hei("study_right__"),
    }
    column = cycle("study_right__")

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return StudyLoan.objects.filter(granted_on__gte=filters.start, granted_on__lt=filters.end)


@register
class ScholarshipsReport(MoneyReport):
    slug = "scholarships"
    title = gettext_lazy("Scholarships")
    description = gettext_lazy(
        "Scholarships whose period starts during the academic year, by kind and study cycle: "
        "their number or their amount."
    )
    unit = gettext_lazy("scholarships")
    rows = {
        "kind": Dimension(gettext_lazy("Scholarship kind"), "kind", choice_labels(ScholarshipKind)),
        "institution": hei("study_right__"),
    }
    column = cycle("study_right__")

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        return Scholarship.objects.filter(valid_from__gte=filters.start, valid_from__lt=filters.end)


OUTCOMES = {
    StudyStatus.GRADUATED: "graduated",
    StudyStatus.TERMINATED: "terminated",
    StudyStatus.TRANSFERRED: "transferred",
}
OUTCOME_ORDER = ["graduated", "terminated", "transferred", "studying"]
COHORTS = 6


def _outcomes(keys: Iterable[Key]) -> dict[Key, Key]:
    return {key: OUTCOMES.get(key, "studying") for key in keys}


def _outcome_labels(keys: Iterable[Key]) -> dict[Key, str]:
    names = {
        "graduated": _("graduated"),
        "terminated": _("terminated"),
        "transferred": _("transferred"),
        "studying": _("still studying"),
    }
    return {key: names.get(key, str(key)) for key in keys}


def _cohorts(keys: Iterable[Key]) -> dict[Key, Key]:
    return {key: school_year_of(key) for key in keys}


@register
class CompletionsReport(StudentReport):
    slug = "completions"
    title = gettext_lazy("Completions and graduation rates by cohort")
    description = gettext_lazy(
        "Students who entered (not by transfer) in each of the six academic years up to the "
        "chosen one, by what has become of their study right; the graduation rate is the "
        "share who graduated."
    )
    unit = gettext_lazy("entrants")
    rows = {
        "cohort": Dimension(
            gettext_lazy("Entry year"),
            "started_on",
            lambda keys: {key: f"{key}–{key + 1}" for key in keys},
            bucket=_cohorts,
        )
    }
    column = Dimension(
        gettext_lazy("Outcome"),
        "status",
        _outcome_labels,
        order=OUTCOME_ORDER,
        complete=True,
        bucket=_outcomes,
    )
    level_lookup = "cycle"
    chart = "bar"

    def queryset(self, filters: Filters) -> QuerySet[Any]:
        first = dt.date(filters.year - COHORTS + 1, 9, 1)
        return StudyRight.objects.filter(
            transferred_from__isnull=True, started_on__gte=first, started_on__lt=filters.end
        )

    def table(self, actor: Any, filters: Filters) -> Table:
        table = super().table(actor, filters)
        graduated = table.columns.index(_outcome_labels(["graduated"])["graduated"])
        rates = []
        for i, _name in enumerate(table.rows):
            shown, total = table.cells[i][graduated], table.row_totals[i]
            rate = "" if shown is None or not total else number_format(100 * shown / total, 1)
            rates.append(f"{rate} %" if rate else "")
        table.extra[_("Graduation rate")] = rates
        return table
