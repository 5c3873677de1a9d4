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

from edureg.core.logging import PERSONAL_CODE

SEX_FROM_STDNUM = {"M": "V", "F": "M"}  # stdnum's M/F to the register's V (vyras) / M (moteris)


def validate_personal_code(value: str) -> None:
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


def _has_unknown_date_part(code: str) -> bool:
    return (
        len(code) == 11 and code.isdigit() and code[0] != "9" and ("00" in (code[3:5], code[5:7]))
    )


def birth_date_from_code(code: str) -> dt.date | None:
    """The birth date the code states, or None (9-codes, unknown month or day)."""
    if code.startswith("9") or _has_unknown_date_part(code):
        return None
    return ik.get_birth_date(code)


def sex_from_code(code: str) -> str | None:
    """The register's sex code (V or M) the code states, or None for 9-codes."""
    if code.startswith("9"):
        return None
    return SEX_FROM_STDNUM[ik.get_gender(code)]


def looks_like_personal_code(text: str) -> bool:
    return bool(PERSONAL_CODE.fullmatch(text.strip()))
