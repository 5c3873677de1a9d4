"""Property-based: the identifier and date parsers never accept what they then store
differently. Whatever spelling of digits arrives — ASCII, fullwidth, mathematical, Arabic-Indic,
Devanagari — a value is either refused or read as exactly the ASCII digits it is stored with."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import exceptions, serializers
from stdnum.ee.ik import calc_check_digit

from edureg.core import text
from edureg.core.api.parsers import clean
from edureg.people.identity import normalise_personal_code, validate_personal_code
from edureg.people.models import Person

SCRIPTS = {
    "ascii": "0123456789",
    "fullwidth": "".join(chr(0xFF10 + d) for d in range(10)),
    "mathematical": "".join(chr(0x1D7CE + d) for d in range(10)),
    "arabic-indic": "".join(chr(0x0660 + d) for d in range(10)),
    "devanagari": "".join(chr(0x0966 + d) for d in range(10)),
}
FOLDS_TO_ASCII = {"ascii", "fullwidth", "mathematical"}


def spelled(digits: str, scripts: list[str]) -> str:
    """The ASCII digits written, digit by digit, in the given scripts."""
    return "".join(SCRIPTS[s][int(d)] for d, s in zip(digits, scripts, strict=True))


def valid_code(birth: dt.date, serial: int) -> str:
    body = f"{3 if birth.year < 2000 else 5}{birth:%y%m%d}{serial:03d}"
    return body + calc_check_digit(body + "0")


code_and_spelling = st.builds(
    lambda birth, serial, scripts: (valid_code(birth, serial), scripts),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(0, 999),
    st.lists(st.sampled_from(sorted(SCRIPTS)), min_size=11, max_size=11),
)


def api_accepts(value: str) -> str | None:
    """The value as the API passes it on (JSON parser), or None when it is refused."""
    try:
        return clean({"value": value})["value"]
    except (exceptions.ValidationError, exceptions.ParseError):
        return None


@given(code_and_spelling)
def test_a_personal_code_is_accepted_only_as_the_ascii_code_it_is_stored_as(case):
    code, scripts = case
    written = spelled(code, scripts)
    passed = api_accepts(written)
    if passed is None:
        assert set(scripts) - FOLDS_TO_ASCII  # only other scripts are refused
        return
    validate_personal_code(passed)
    person = Person(personal_code=passed, given_names="A", family_name="B", birth_date=None)
    person.clean_fields(exclude=["given_names", "family_name", "birth_date", "sex"])
    assert person.personal_code == normalise_personal_code(written) == code
    assert set(scripts) <= FOLDS_TO_ASCII


@given(st.text(alphabet="".join(SCRIPTS.values()) + " -", max_size=14))
def test_whatever_the_code_validator_accepts_is_stored_as_it_was_checked(written):
    try:
        validate_personal_code(written)
    except ValidationError:
        return
    stored = normalise_personal_code(written)
    assert re.fullmatch("[0-9]{11}", stored)
    assert normalise_personal_code(stored) == stored
    validate_personal_code(stored)


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.lists(st.sampled_from(sorted(SCRIPTS)), min_size=8, max_size=8),
)
def test_a_date_is_accepted_only_as_the_date_its_ascii_digits_say(day, scripts):
    digits = f"{day:%Y%m%d}"
    written = f"{spelled(digits[:4], scripts[:4])}-{spelled(digits[4:6], scripts[4:6])}-" + (
        spelled(digits[6:], scripts[6:])
    )
    passed = api_accepts(written)
    if passed is None:
        assert set(scripts) - FOLDS_TO_ASCII
        return
    parsed = serializers.DateField().run_validation(passed)
    assert parsed == day
    assert set(scripts) <= FOLDS_TO_ASCII


@given(st.text(max_size=30))
def test_any_text_the_api_takes_has_only_ascii_digits_where_it_is_written_like_a_number(value):
    passed = api_accepts(value)
    if passed is None:
        return
    assert "\x00" not in passed
    assert not re.search("[\ud800-\udfff]", passed)
    if text.is_digit_format(passed):
        assert not text.has_foreign_digits(passed)
    try:
        parsed = serializers.DateField().run_validation(passed)
    except exceptions.ValidationError:
        return
    assert [int(n) for n in re.findall("[0-9]+", passed)] == [parsed.year, parsed.month, parsed.day]


@pytest.mark.parametrize("written", ["٢٠٢٤-٠١-٠١", "２０２４-٠١-01", "2024-०१-01"])
def test_dates_in_other_scripts_are_refused(written):
    assert api_accepts(written) is None
