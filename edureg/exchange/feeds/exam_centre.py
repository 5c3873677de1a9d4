"""The exam centre's feed (NŠA egzaminų centras): maturity exam results.

Columns: `personal_code`, `school_year`, `subject` (a `school-subject` code), `level`
(`state_maturity` with `score` 0–100, or `school_maturity` with `grade` 1–10), optionally
`session` (when a school year has several) and `local_id` (the centre's id of the result).
What a row means is the pupil register's (`pupils.exam_centre.exam_result_apply`); this feed
brings the file, stages it and reports each row like every other feed.
"""

from __future__ import annotations

from collections.abc import Mapping

from edureg.core.context import Actor
from edureg.exchange.feeds.base import Feed
from edureg.exchange.import_models import FeedKind
from edureg.exchange.imports.services import Result
from edureg.pupils.exam_centre import exam_result_apply
from edureg.pupils.learning_models import ExamKind


class ExamCentreFeed(Feed):
    kind = FeedKind.EXAM_RESULTS
    slug = "exam-centre"
    source_system = "egzaminu-centras"
    required = ("personal_code", "school_year", "subject", "level")
    optional = ("score", "grade", "session", "local_id")
    numbers = frozenset({"school_year", "score", "grade"})
    choices = {"level": tuple(ExamKind.values)}

    def apply_row(self, actor: Actor, data: Mapping[str, str]) -> Result:
        recorded = exam_result_apply(actor=actor, row=data, source=self.source_system)
        return Result(recorded.outcome, record_id=recorded.result.person.public_id)
