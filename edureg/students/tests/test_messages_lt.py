"""The state machine's refusals in Lithuanian.

Each case is skipped until the compiled Lithuanian catalogue translates its English source
string; then it checks that the refusal the user sees is the expected Lithuanian sentence.
The translator removes nothing here: a case starts running by itself once translated, and
fails if the translation differs from the wording agreed below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from edureg.students.models import StudyStatus
from edureg.students.models import StudyStatus as S
from edureg.students.timeline import ALLOWED, Period, check_transition, validate

START = dt.date(2024, 9, 1)
D = dt.date
FEB_1 = D(2025, 2, 1)


def _studying(start: dt.date, end: dt.date | None = None, course: int | None = None) -> Period:
    return Period(S.STUDYING, start, end, course=course)


def _leave(end: dt.date | None, reason: str = "illness") -> Period:
    return Period(S.ACADEMIC_LEAVE, FEB_1, end, leave_reason=reason)


def _leave_too_long(reason: str, years: int) -> Callable[[], None]:
    too_late = D(2025 + years, 2, 2)
    return lambda: validate(
        START, [_studying(START, FEB_1), _leave(too_late, reason), _studying(too_late)]
    )


CASES: list[tuple[str, str, Callable[[], None]]] = [
    (
        "A student on academic leave cannot graduate: record the return first.",
        "Studentas, esantis akademinėse atostogose, negali baigti studijų: "
        "pirmiau įregistruokite grįžimą.",
        lambda: check_transition(S.ACADEMIC_LEAVE, S.GRADUATED),
    ),
    (
        "A student whose studies are interrupted cannot graduate: record the return first.",
        "Studentas, kurio studijos pertrauktos, negali baigti studijų: "
        "pirmiau įregistruokite grįžimą.",
        lambda: check_transition(S.INTERRUPTED, S.GRADUATED),
    ),
    (
        "The student is already on academic leave.",
        "Studentas jau yra akademinėse atostogose.",
        lambda: check_transition(S.ACADEMIC_LEAVE, S.ACADEMIC_LEAVE),
    ),
    (
        "The studies are already interrupted.",
        "Studijos jau pertrauktos.",
        lambda: check_transition(S.INTERRUPTED, S.INTERRUPTED),
    ),
    (
        "Only a studying student can transfer: record the return first.",
        "Pereiti gali tik studijuojantis studentas: pirmiau įregistruokite grįžimą.",
        lambda: check_transition(S.ACADEMIC_LEAVE, S.TRANSFERRED),
    ),
    (
        "The return must come after the academic leave starts (%(date)s).",
        "Grįžimas turi būti vėliau nei akademinių atostogų pradžia (2025-02-01).",
        lambda: validate(START, [_studying(START, FEB_1), _leave(FEB_1), _studying(FEB_1)]),
    ),
    (
        "Academic leave for illness may last at most 2 years: "
        "the return must be no later than %(date)s.",
        "Akademinės atostogos dėl ligos gali trukti ne ilgiau kaip 2 metus: "
        "grįžti reikia ne vėliau kaip 2027-02-01.",
        _leave_too_long("illness", 2),
    ),
    (
        "Academic leave for pregnancy or child care may last at most 3 years: "
        "the return must be no later than %(date)s.",
        "Akademinės atostogos dėl nėštumo ar vaiko priežiūros gali trukti ne ilgiau kaip "
        "3 metus: grįžti reikia ne vėliau kaip 2028-02-01.",
        _leave_too_long("childcare", 3),
    ),
    (
        "Academic leave for personal reasons may last at most 1 year: "
        "the return must be no later than %(date)s.",
        "Akademinės atostogos dėl asmeninių priežasčių gali trukti ne ilgiau kaip 1 metus: "
        "grįžti reikia ne vėliau kaip 2026-02-01.",
        _leave_too_long("personal", 1),
    ),
    (
        "Academic leave for personal reasons can be taken only once during the studies.",
        "Akademinės atostogos dėl asmeninių priežasčių studijų metu gali būti suteiktos tik "
        "vieną kartą.",
        lambda: validate(
            START,
            [
                _studying(START, FEB_1),
                _leave(D(2025, 6, 1), "personal"),
                _studying(D(2025, 6, 1), D(2026, 2, 1)),
                Period(S.ACADEMIC_LEAVE, D(2026, 2, 1), leave_reason="personal"),
            ],
        ),
    ),
    (
        "The period overlaps the previous one, which lasts until %(date)s.",
        "Laikotarpis persidengia su ankstesniuoju, kuris trunka iki 2025-03-01.",
        lambda: validate(START, [_studying(START, D(2025, 3, 1)), _leave(None)]),
    ),
    (
        "A period cannot start before the studies start (%(date)s).",
        "Laikotarpis negali prasidėti anksčiau nei studijos (2024-09-01).",
        lambda: validate(START, [_studying(D(2024, 8, 1))]),
    ),
    (
        "Give at least one reason for the termination.",
        "Nurodykite bent vieną studijų nutraukimo priežastį.",
        lambda: validate(START, [_studying(START, FEB_1), Period(S.TERMINATED, FEB_1)]),
    ),
    (
        "Give the course the student returns to.",
        "Nurodykite kursą, į kurį studentas grįžta.",
        lambda: validate(
            START,
            [
                _studying(START, FEB_1),
                Period(S.INTERRUPTED, FEB_1, D(2025, 6, 1), reasons=("own-request",)),
                _studying(D(2025, 6, 1)),
            ],
        ),
    ),
]


def _translated(english: str) -> bool:
    with translation.override("lt"):
        return gettext(english) != english


@pytest.mark.parametrize(
    ("lithuanian", "refuse"),
    [
        pytest.param(
            lithuanian,
            refuse,
            id=english[:40],
            marks=pytest.mark.skipif(
                not _translated(english), reason="not yet in the Lithuanian catalogue"
            ),
        )
        for english, lithuanian, refuse in CASES
    ],
)
def test_refusal_in_lithuanian(lithuanian, refuse):  # type: ignore[no-untyped-def]
    with translation.override("lt"), pytest.raises(ValidationError) as exc:
        refuse()
    [(_field, [message])] = exc.value.message_dict.items()
    assert message == lithuanian


@pytest.mark.parametrize(("english", "lithuanian", "refuse"), CASES, ids=[c[0][:40] for c in CASES])
def test_the_same_refusal_in_english(english, lithuanian, refuse):  # type: ignore[no-untyped-def]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        refuse()
    [(_field, [message])] = exc.value.message_dict.items()
    assert message.startswith(english.split("%(")[0])


REFUSED = [
    (current, target)
    for current in StudyStatus.values
    for target in StudyStatus.values
    if target not in ALLOWED[current]
]


def _refusal(current: str, target: str, language: str) -> str:
    with translation.override(language), pytest.raises(ValidationError) as refused:
        check_transition(current, target)
    return refused.value.message_dict["status"][0]


@pytest.mark.parametrize(("current", "target"), REFUSED, ids=[f"{c}->{t}" for c, t in REFUSED])
def test_every_refused_transition_is_explained_in_both_languages(current, target):  # type: ignore[no-untyped-def]
    english, lithuanian = _refusal(current, target, "en"), _refusal(current, target, "lt")
    assert english and lithuanian
    assert lithuanian != english  # the Lithuanian catalogue has this refusal
    # A status named in the message is named in Lithuanian (Lithuanian inflects, so the
    # check is that no English status name is left in it).
    for status in StudyStatus.values:
        with translation.override("en"):
            assert str(StudyStatus(status).label) not in lithuanian
