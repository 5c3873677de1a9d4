"""The authorization matrix of the archive: every role × scope × level × safeguard against every
archive page and action, with the expectation from an oracle written from the rules:

- only the `archive` area at national scope reaches the archive (an institution's or a
  municipality's grant of it gives nothing; other areas, however wide, give nothing), and only
  with a second factor and the current pledge (the archive holds personal data);
- a search needs a legal basis and a reason, or nothing is searched and nothing is logged;
- a record is opened only under the actor's own search (someone else's is 404);
- restoring needs the manager level (403 for a viewer who may see the record), 404 for
  everyone who may not see it;
- pages without a record (search, rules, runs) answer 403 to those without the right; the menu
  offers the archive only to those who may use it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from conftest import make_user, verified_login
from edureg.access import services as access_services
from edureg.access.models import FunctionArea, Level, ScopeKind
from edureg.archive import services
from edureg.archive.models import ArchivedRecord, ArchiveSearch
from edureg.archive.tests.factories import SYSTEM, archive_user, rule, school_leaver
from edureg.core.models import AccessLogEntry
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

AREAS = (FunctionArea.ARCHIVE, FunctionArea.PUPIL_PERSONAL)
SCOPES = (ScopeKind.INSTITUTION, ScopeKind.MUNICIPALITY, ScopeKind.NATIONAL)
LEVELS = (Level.VIEWER, Level.MANAGER)
SAFEGUARDS = ("complete", "no_second_factor", "no_pledge")
ACTORS = [None, *itertools.product(SCOPES, AREAS, LEVELS, SAFEGUARDS)]


def _id(spec: Any) -> str:
    return "no-role" if spec is None else "-".join(spec)


def may_use(spec: Any, level: str = Level.VIEWER) -> bool:
    """The oracle."""
    if spec is None:
        return False
    scope, area, held, safeguard = spec
    return (
        area == FunctionArea.ARCHIVE
        and scope == ScopeKind.NATIONAL
        and safeguard == "complete"
        and (level == Level.VIEWER or held == Level.MANAGER)
    )


def blocked(spec: Any) -> bool:
    """Staff holding an area about personal data without their safeguards are sent to finish
    them (302 to the second factor or the pledge) before any page."""
    return spec is not None and spec[3] != "complete"


def _client(spec: Any) -> Client:
    user = make_user("matrix-actor")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if spec is None:
        return verified_login(client, user)
    scope, area, level, safeguard = spec
    school = InstitutionFactory(municipality=Municipality.objects.get(code="LT-57"))
    access_services.role_grant(
        actor=SYSTEM,
        user=user,
        scope_kind=scope,
        institution=school if scope == ScopeKind.INSTITUTION else None,
        municipality=school.municipality if scope == ScopeKind.MUNICIPALITY else None,
        function_area=area,
        level=level,
    )
    verified_login(client, user)
    if safeguard == "no_pledge":
        user.pledge_acceptances.all().delete()
    elif safeguard == "no_second_factor":
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
    return client


@pytest.mark.parametrize("spec", ACTORS, ids=_id)
def test_archive_matrix(spec):
    leaver = school_leaver()
    rule(archive_after_years=1)
    services.retention_apply(
        today=dt.date(2025, 1, 1), now=dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    )
    record = ArchivedRecord.objects.get(person_public_id=leaver.person.public_id)
    # Someone else's lawful search, which the actor cannot borrow.
    other = verified_login(Client(), archive_user())
    other.post("/archive/", {"legal_basis": "court", "reason": "r-1", "personal_code": leaver.code})
    borrowed = ArchiveSearch.objects.get()
    client = _client(spec)
    allowed = may_use(spec)

    def expect(status: int) -> int:
        return 302 if blocked(spec) else status

    page_status = expect(200 if allowed else 403)

    # The menu.
    assert ('href="/archive/"' in client.get("/").content.decode()) is allowed

    # Pages without a record.
    for url in ("/archive/", "/archive/rules/", "/archive/runs/"):
        assert client.get(url).status_code == page_status, url

    # A search without a reason searches nothing and logs nothing.
    logged_before = AccessLogEntry.objects.filter(what="archive.search").count()
    bare = client.post("/archive/", {"legal_basis": "court", "personal_code": leaver.code})
    assert bare.status_code == page_status
    assert leaver.name not in bare.content.decode()
    assert ArchiveSearch.objects.count() == 1
    assert AccessLogEntry.objects.filter(what="archive.search").count() == logged_before

    # A lawful search.
    found = client.post(
        "/archive/", {"legal_basis": "court", "reason": "r-2", "personal_code": leaver.code}
    )
    assert found.status_code == page_status
    assert (leaver.name in found.content.decode()) is allowed

    # Opening the record: under someone else's search 404; under one's own, if allowed.
    url = f"/archive/records/{record.public_id}/"
    assert client.get(url, {"search": str(borrowed.public_id)}).status_code == expect(404)
    own = re.search(r"\?search=([0-9a-f-]{36})", found.content.decode())
    assert (own is not None) is allowed
    if own is not None:
        assert client.get(url, {"search": own.group(1)}).status_code == 200

    # Restoring (rolled back, so every case sees the same world).
    if may_use(spec, Level.MANAGER):
        expected = 302  # to the restored person's page
    elif allowed:
        expected = 403
    else:
        expected = 404
    with transaction.atomic():
        restored = client.post(f"{url}restore/", {"reason": "court order r-3"})
        transaction.set_rollback(True)
    assert restored.status_code == expect(expected)
    if blocked(spec):
        assert restored["Location"].startswith("/access/")
