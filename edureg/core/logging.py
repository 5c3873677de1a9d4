"""Keeps personal codes out of application logs."""

import logging
import re

# Eleven digits starting with a century/sex digit (1-6) or 9, not part of a longer number.
PERSONAL_CODE = re.compile(r"(?<!\d)[1-69]\d{10}(?!\d)")
REDACTED = "[personal code]"


def redact(text: str) -> str:
    return PERSONAL_CODE.sub(REDACTED, text)


class PersonalCodeRedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
