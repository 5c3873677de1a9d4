"""No personal code in the server's logs or in any URL of a citizen's visit.

A school leaver and a parent go through the whole portal (sign-in through the demo identity
provider, history, documents, who saw my data and its CSV, my data as a file, share links
opened and revoked, a correction request, the portal's API, a staff page a citizen may not
open), and the school's data manager answers the request. Every log record any logger emits
meanwhile, at every level, is caught before the redaction filter of the configured handlers
could hide a code (the application must not try to log one), and so is what those handlers
actually write. Every URL requested, every redirect and every link, form action and source
in the pages is checked too.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from conftest import verified_login
from edureg.access.models import FunctionArea
from edureg.citizen.models import CorrectionRequest, ShareLink
from edureg.citizen.tests.factories import child, data_manager, parent_of, school_leaver, sign_in

pytestmark = pytest.mark.django_db

URL_ATTRIBUTE = re.compile(r'(?:href|src|action|value|hx-get|hx-post)="([^"]*)"')


class Caught(logging.Handler):
    """Every record, formatted with its traceback, as it was emitted."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def server_logs() -> Iterator[tuple[Caught, list[io.StringIO]]]:
    """Catches every record before any handler's filter sees it, at DEBUG on every logger that
    writes (the root and those that do not propagate, such as runserver's `django.server`), and
    points the configured stream handlers at buffers, to read what they would write."""
    caught = Caught()
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.handlers and not logger.propagate
    ]
    streams: list[tuple[logging.StreamHandler[Any], Any]] = []
    written: list[io.StringIO] = []
    levels = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.handlers.insert(0, caught)  # first: the redaction filter rewrites records
        logger.setLevel(logging.DEBUG)
        for handler in logger.handlers[1:]:
            if isinstance(handler, logging.StreamHandler) and not isinstance(
                handler, logging.FileHandler
            ):
                buffer = io.StringIO()
                written.append(buffer)
                streams.append((handler, handler.setStream(buffer)))
    try:
        yield caught, written
    finally:
        for handler, previous in streams:
            handler.setStream(previous)
        for logger, level in levels:
            logger.handlers.remove(caught)
            logger.setLevel(level)


class Visit:
    """A test client that remembers every URL it was sent to or shown."""

    def __init__(self, client: Client, urls: list[str]) -> None:
        self.client, self.urls = client, urls

    def _seen(self, path: str, response: Any) -> Any:
        self.urls.append(path)
        if response.get("Location"):
            self.urls.append(response["Location"])
        if "html" in response.get("Content-Type", ""):
            self.urls += URL_ATTRIBUTE.findall(response.content.decode())
        return response

    def get(self, path: str, status: int = 200, **data: Any) -> Any:
        response = self.client.get(path, data)
        assert response.status_code == status, (path, response.status_code)
        return self._seen(
            response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"], response
        )

    def post(self, path: str, data: dict[str, Any], status: int = 302) -> Any:
        response = self.client.post(path, data)
        assert response.status_code == status, (path, response.status_code)
        return self._seen(path, response)


def test_a_citizens_visit_puts_no_personal_code_in_a_log_or_a_url(server_logs, settings):
    caught, written = server_logs
    history = school_leaver()
    kid = child(given_names="Kajus")
    parent = parent_of(kid)
    codes = [p.personal_code for p in (history.person, kid, parent)]
    assert all(codes)
    exam = history.written["achievements"][1]
    right = history.written["earlier_study_right"]
    urls: list[str] = []

    # The school leaver: /me/ without a session begins the sign-in and comes back
    leaver = Visit(Client(HTTP_ACCEPT_LANGUAGE="en"), urls)
    leaver.get("/me/", status=302)
    leaver.get("/demo-idp/", next="/me/")
    sign_in(history.person, leaver.client)
    for page in ("/me/", "/me/documents/", "/me/access/", "/me/access/export.csv", "/me/file/"):
        leaver.get(page)
    leaver.get("/me/file/my-data.json")
    leaver.get("/api/v1/me/")
    leaver.get("/api/v1/me/history/")
    leaver.get("/api/v1/me/access-log/")
    leaver.get("/people/", status=404)  # a staff page
    leaver.get("/me/shares/new/")
    leaver.post(
        "/me/shares/new/",
        {
            "keys": [f"study-right:{right.public_id}", f"achievement:{exam.pk}"],
            "label": "Darbdaviui",
            "expires_on": "2099-01-01",
        },
        status=400,  # beyond the longest validity: refused with a field error
    )
    leaver.post(
        "/me/shares/new/",
        {"keys": [f"achievement:{exam.pk}"], "label": "Darbdaviui", "expires_on": ""},
        status=400,
    )
    new = leaver.get("/me/shares/new/").context["form"]["expires_on"].value()
    leaver.post(
        "/me/shares/new/",
        {"keys": [f"achievement:{exam.pk}"], "label": "Darbdaviui", "expires_on": new},
    )
    listing = leaver.get("/me/shares/").content.decode()
    link = re.search(r'value="https?://testserver(/shared/[^"]+/)"', listing)
    assert link is not None

    # Someone with the link opens it; after it is revoked, it is 404
    stranger = Visit(Client(HTTP_ACCEPT_LANGUAGE="en"), urls)
    stranger.get(link.group(1))
    share = ShareLink.objects.get()
    leaver.get(f"/me/shares/{share.public_id}/revoke/")
    leaver.post(f"/me/shares/{share.public_id}/revoke/", {})
    stranger.get(link.group(1), status=404)
    stranger.get("/shared/made-up-token/", status=404)

    # A correction request, and the school's data manager answers it
    leaver.get("/me/corrections/new/", record=f"achievement:{exam.pk}")
    leaver.post(
        "/me/corrections/new/", {"record": f"achievement:{exam.pk}", "message": " "}, status=400
    )
    leaver.post(
        "/me/corrections/new/",
        {"record": f"achievement:{exam.pk}", "message": "Mano rezultatas buvo 84, ne 74."},
    )
    leaver.get("/me/corrections/")
    manager = data_manager(history.school, "no-code-manager", FunctionArea.PUPIL_LEARNING)
    staff = Visit(verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), manager.user), urls)
    staff.get("/corrections/")
    request = CorrectionRequest.objects.get()
    staff.get(f"/corrections/{request.public_id}/")
    staff.post(
        f"/corrections/{request.public_id}/",
        {"status": "declined", "answer": "Egzaminų centro duomenimis rezultatas yra 74."},
    )
    leaver.get("/me/corrections/")
    leaver.get("/me/access/")

    # A parent reads a child's data
    family = Visit(sign_in(parent, Client(HTTP_ACCEPT_LANGUAGE="en")), urls)
    family.get("/me/")
    for page in ("", "access/", "file/", "file/my-data.json", "corrections/"):
        family.get(f"/me/children/{kid.public_id}/{page}")
    family.get("/me/children/00000000-0000-4000-8000-000000000000/", status=404)

    # Without a gateway, sign-in is unavailable (an answer the server logs as an error)
    settings.DEMO_MODE = False
    Visit(Client(HTTP_ACCEPT_LANGUAGE="en"), urls).get("/me/", status=503)

    # The visit was logged (requests refused, answered with errors), and no code is anywhere
    assert any("Not Found" in line for line in caught.lines), caught.lines
    assert any("Service Unavailable" in line for line in caught.lines), caught.lines
    assert len(urls) > 100
    for code in codes:
        assert [line for line in caught.lines if code in line] == []
        assert [text for text in (b.getvalue() for b in written) if code in text] == []
        assert [url for url in urls if code in url] == []
