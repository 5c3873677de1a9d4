"""Personal codes (asmens kodai): validation and what they tell, via python-stdnum.

`GYYMMDDNNNK`: G gives century and sex, K is the check digit. Codes starting with 9 carry no
birth date or sex. A month or day of 00 means "unknown" and is accepted.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.ee import ik
from stdnum.lt import asmens

from edureg.core import text
from edureg.core.logging import PERSONAL_CODE

# The first digit: 1–6 give the century and sex, 9 a code that carries no date.
FIRST_DIGITS = frozenset("1234569")
SEX_FROM_STDNUM = {"M": "V", "F": "M"}  # stdnum's M/F to the register's V (vyras) / M (moteris)


def normalise_personal_code(value: str) -> str:
    """The code as the register stores, compares and looks it up: fullwidth and other fonts'
    digits folded to ASCII, spaces removed (python-stdnum's compact form). Digits of other
    scripts are left as they are, for the validator to refuse."""
    return asmens.compact(text.fold(value)).strip()


def validate_personal_code(value: str) -> None:
    """Checks the code as it will be stored (`normalise_personal_code`)."""
    value = normalise_personal_code(value)
    if value and value.isascii() and value.isdigit() and value[0] not in FIRST_DIGITS:
        raise ValidationError(
            _("A personal code starts with a digit from 1 to 6, or with 9."),
            code="personal_code_format",
        )
    try:
        asmens.validate(value, validate_birth_date=not _has_unknown_date_part(value))
    except stdnum_errors.InvalidFormat as exc:
        raise ValidationError(
            _("A personal code is made of digits only."), code="personal_code_format"
        ) from exc
    except stdnum_errors.InvalidLength as exc:
        raise ValidationError(
            _("A personal code has exactly 11 digits."), code="personal_code_length"
        ) from exc
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("The personal code's check digit is wrong."), code="personal_code_checksum"
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("The personal code does not contain a valid birth date."),
            code="personal_code_date",
        ) from exc


def is_well_formed(code: str) -> bool:
    """Eleven ASCII digits with a known first digit (the check digit is not checked here)."""
    return len(code) == 11 and code.isascii() and code.isdigit() and code[0] in FIRST_DIGITS


def _has_unknown_date_part(code: str) -> bool:
    return is_well_formed(code) and code[0] != "9" and ("00" in (code[3:5], code[5:7]))


def birth_date_from_code(code: str) -> dt.date | None:
    """The birth date the code states, or None (9-codes, unknown month or day, not a code)."""
    if not is_well_formed(code) or code.startswith("9") or _has_unknown_date_part(code):
        return None
    try:
        return ik.get_birth_date(code)
    except stdnum_errors.ValidationError:
        return None


def sex_from_code(code: str) -> str | None:
    """The register's sex code (V or M) the code states, or None (9-codes, not a code)."""
    if not is_well_formed(code) or code.startswith("9"):
        return None
    return SEX_FROM_STDNUM[ik.get_gender(code)]


def looks_like_personal_code(value: str) -> bool:
    return bool(PERSONAL_CODE.fullmatch(normalise_personal_code(value)))
