"""Legal-entity (JAR) codes: 9 digits, the last a mod-11 check digit.

The check digit follows the same weighted mod-11 scheme as the personal code, which
python-stdnum implements (`stdnum.ee.ik.calc_check_digit`, also used by `stdnum.lt.asmens`).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.ee.ik import calc_check_digit


def validate_jar_code(value: str) -> None:
    if not (len(value) == 9 and value.isdigit()):
        raise ValidationError(
            _("A legal-entity code has exactly 9 digits."), code="jar_code_format"
        )
    if calc_check_digit(value) != value[-1]:
        raise ValidationError(
            _("The legal-entity code's check digit is wrong."), code="jar_code_checksum"
        )
