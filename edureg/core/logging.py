"""Keeps personal codes out of every log: the application's, runserver's request lines
(`django.server`) and gunicorn's error and access logs.

`configure` (settings.LOGGING_CONFIG) applies the LOGGING setting and then puts the redaction
filter on every handler of every logger configured so far — Django's own `django.server`
handler included. gunicorn's loggers get it from `RedactingGunicornLogger`, named as
`logger_class` in `gunicorn.conf.py`. A filter on a handler sees every record that handler
writes, also those propagated from other loggers.

A code is found in any spelling of its digits (fullwidth, other scripts) and also when it is
percent-encoded in a request line.
"""

from __future__ import annotations

import logging
import logging.config
import re
import unicodedata
from typing import Any
from urllib.parse import unquote

from edureg.core.text import fold

# Eleven digits starting with a century/sex digit (1-6) or 9, not part of a longer number.
PERSONAL_CODE = re.compile(r"(?<![0-9])[1-69][0-9]{10}(?![0-9])")
# The same in any script's digits (checked by value below).
_ANY_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
_PERCENT_ENCODED = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
REDACTED = "[personal code]"


_FIRST_DIGITS = {1, 2, 3, 4, 5, 6, 9}


def _code_or_kept(match: re.Match[str]) -> str:
    return REDACTED if unicodedata.digit(match.group()[0]) in _FIRST_DIGITS else match.group()


def _decoded(match: re.Match[str]) -> str:
    return unquote(match.group(), errors="strict") if _utf8(match.group()) else match.group()


def _utf8(encoded: str) -> bool:
    try:
        unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def redact(text: str) -> str:
    """The text with every personal code replaced by a marker. Text without a code comes back
    unchanged; text with one is also percent-decoded and folded to ASCII where it was."""
    candidate = text
    if "%" in candidate:
        candidate = _PERCENT_ENCODED.sub(_decoded, candidate)
    candidate = fold(candidate)
    redacted = _ANY_ELEVEN_DIGITS.sub(_code_or_kept, candidate)
    return text if redacted == candidate else redacted


class PersonalCodeRedactionFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact_every_handler() -> None:
    """Put the redaction filter on every handler of every logger that exists now."""
    loggers: list[Any] = [logging.getLogger()]
    loggers += [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, PersonalCodeRedactionFilter) for f in handler.filters):
                handler.addFilter(PersonalCodeRedactionFilter())


def configure(config: dict[str, Any]) -> None:
    """settings.LOGGING_CONFIG: the LOGGING setting, then redaction on every handler."""
    logging.config.dictConfig(config)
    redact_every_handler()


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency; tools may run without it
    _GunicornLogger = None

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger with the redaction filter on its error and access handlers
        (set up again whenever gunicorn reopens its log files)."""

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            self._redact()

        def reopen_files(self) -> None:
            super().reopen_files()
            self._redact()

        def _redact(self) -> None:
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    if not any(isinstance(f, PersonalCodeRedactionFilter) for f in handler.filters):
                        handler.addFilter(PersonalCodeRedactionFilter())
