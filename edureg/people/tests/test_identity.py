"""Personal codes, property-based: whatever python-stdnum accepts, we read the same way."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.ee.ik import calc_check_digit

from edureg.core.logging import redact
from edureg.people.identity import (
    birth_date_from_code,
    sex_from_code,
    validate_personal_code,
)


def make_code(birth: dt.date, male: bool, serial: int) -> str:
    century = {18: 1, 19: 3, 20: 5}[birth.year // 100] + (0 if male else 1)
    body = f"{century}{birth:%y%m%d}{serial:03d}"
    return body + calc_check_digit(body + "0")


@given(
    birth=st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2099, 12, 31)),
    male=st.booleans(),
    serial=st.integers(min_value=0, max_value=999),
)
def test_every_well_formed_code_is_valid_and_states_its_birth_date_and_sex(birth, male, serial):
    code = make_code(birth, male, serial)
    validate_personal_code(code)
    assert birth_date_from_code(code) == birth
    assert sex_from_code(code) == ("V" if male else "M")


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    serial=st.integers(min_value=0, max_value=999),
    wrong=st.integers(min_value=1, max_value=9),
)
def test_a_wrong_check_digit_is_always_refused(birth, serial, wrong):
    code = make_code(birth, True, serial)
    bad = code[:-1] + str((int(code[-1]) + wrong) % 10)
    with pytest.raises(ValidationError) as error:
        validate_personal_code(bad)
    assert error.value.code == "personal_code_checksum"


@given(st.text(max_size=20))
def test_arbitrary_text_never_crashes_validation(text):
    with contextlib.suppress(ValidationError):
        validate_personal_code(text)


@given(
    birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)),
    serial=st.integers(0, 999),
)
def test_log_redaction_hides_every_valid_code(birth, serial):
    code = make_code(birth, False, serial)
    assert code not in redact(f"person {code} not found")


def test_the_example_from_the_issue_is_invalid():
    with pytest.raises(ValidationError):
        validate_personal_code("33309240065")


def test_nine_codes_carry_no_date():
    body = "9" + "0000000012"[:9]
    code = body + calc_check_digit(body + "0")
    validate_personal_code(code)
    assert birth_date_from_code(code) is None
    assert sex_from_code(code) is None
