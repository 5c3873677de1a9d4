"""No personal code reaches a log line: the application's, runserver's request lines and
gunicorn's access log, in any spelling of the digits and percent-encoded in a URL."""

from __future__ import annotations

import http.client
import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from edureg.core.logging import REDACTED, redact
from edureg.core.text import fold

ELEVEN = re.compile(r"(?<!\d)\d{11}(?!\d)")
CODE_FIRST = {1, 2, 3, 4, 5, 6, 9}

ROOT = Path(__file__).resolve().parents[3]
CODE = "51308123296"


@pytest.mark.parametrize(
    "line",
    [
        f'"GET /people/?q={CODE} HTTP/1.1" 200 1234',
        '"GET /people/?q=%EF%BC%95%EF%BC%91%EF%BC%93%EF%BC%90%EF%BC%98%EF%BC%91%EF%BC%92'
        '%EF%BC%93%EF%BC%92%EF%BC%99%EF%BC%96 HTTP/1.1" 200',
        "lookup of ５１３０８１２３２９６ failed",
        "lookup of ٥١٣٠٨١٢٣٢٩٦ failed",
    ],
)
def test_a_code_in_any_spelling_is_redacted(line):
    redacted = redact(line)
    assert REDACTED in redacted
    assert CODE not in redacted
    assert "٥١٣" not in redacted


def test_text_without_a_code_is_left_as_it_is():
    for line in ("GET /api/v1/persons/?page_size=50", "id 123456789012 ok", "100%"):
        assert redact(line) == line


@given(st.text(alphabet=st.characters(blacklist_characters="%")))
def test_no_code_survives_redaction_in_any_text(text):
    left = fold(redact(text))
    assert all(unicodedata.digit(m.group()[0]) not in CODE_FIRST for m in ELEVEN.finditer(left))


def test_runservers_request_lines_are_redacted():
    """django.server has a handler of its own (Django's default logging), not the root one."""
    logger = logging.getLogger("django.server")
    assert logger.handlers, "Django configures a handler for runserver's request lines"
    stream = io.StringIO()
    handler = logger.handlers[0]
    previous = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        logger.info('"%s" %s %s', f"GET /people/?q={CODE} HTTP/1.1", 200, 512)
    finally:
        handler.setStream(previous)  # type: ignore[attr-defined]
    assert CODE not in stream.getvalue()
    assert REDACTED in stream.getvalue()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorns_access_log_is_redacted(tmp_path):
    """gunicorn started as the project's docs start it (gunicorn.conf.py in the working
    directory) writes request lines without the codes in them."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EDUREG_VAR_DIR": str(tmp_path),
        "DEBUG": "0",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (the venv's own gunicorn)
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            answered = False
            while time.monotonic() < deadline and not answered:
                assert server.poll() is None, log.read_text()
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                try:
                    probe.request("GET", f"/api/v1/nothing/?personal_code={CODE}")
                    answered = probe.getresponse().status == 404
                except OSError:
                    time.sleep(0.2)
                finally:
                    probe.close()  # an unclosed socket is a ResourceWarning, an error here
            assert answered, log.read_text()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request(
                "GET",
                "/api/v1/nothing/?q=%EF%BC%95%EF%BC%91%EF%BC%93%EF%BC%90"
                "%EF%BC%98%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%92%EF%BC%99%EF%BC%96",
            )
            connection.getresponse().read()
            connection.close()
        finally:
            server.terminate()
            server.wait(timeout=60)
    written = log.read_text()
    assert "/api/v1/nothing/" in written, written
    assert CODE not in written
    assert "%EF%BC%95%EF%BC%91" not in written
    assert REDACTED in written
