"""The archive's whole story with the clock as a parameter: a pupil leaves school; two years
later the daily run archives them — staff pages, the pupil card, exports, the change feed (a
school system's mirror drops them) and the statistics no longer show them; an archive user
finds them on a lawful request (and the person sees it in their access log); they are restored
(the feed gives them back as created, the statistics count them again), archived again, and at
the end of retention destroyed — leaving a tombstone, the statistics as they were while the
records were archived, and not a trace of their name or personal code in any table."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test import Client

from conftest import verified_login
from edureg.archive import services
from edureg.archive.models import ArchivedRecord, ArchiveMove, MoveKind, Tombstone
from edureg.archive.tests.factories import (
    LEFT_ON,
    archive_user,
    rule,
    school_leaver,
    tables_holding,
)
from edureg.citizen.tests.factories import sign_in
from edureg.core.audit import chain_access_log, verify_all
from edureg.core.models import AccessLogEntry
from edureg.exchange.tests.test_changes import CHANGES, get, register, replay
from edureg.people.models import Person
from edureg.pupils.models import Enrolment
from edureg.pupils.tests.test_api import school_system
from edureg.statistics.reports.base import Filters, get_report
from edureg.statistics.tests.population import statistics_actor

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _content(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


def _noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


def _run(day: dt.date):  # type: ignore[no-untyped-def]
    run = services.retention_apply(today=day, now=_noon(day))
    connection.check_constraints()  # nothing left pointing at a moved row
    return run


def _statistics(actor) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The true totals of the reports that count the leaver: pupils on the census day of
    2021/22 (at their second school) and departures of 2022/23."""
    return {
        slug: sum(map(sum, get_report(slug).table(actor, Filters(year=year)).raw))
        for slug, year in (("pupils", 2021), ("departures", 2022))
    }


def test_a_leaver_is_archived_found_lawfully_restored_and_finally_destroyed(admin_web):
    # Given a pupil who left school on 30 June 2023, and a rule: archived 2 years after the end
    # of learning, destroyed 10 years after it.
    leaver = school_leaver()
    public_id = leaver.person.public_id
    pupils_rule = rule(archive_after_years=2, destroy_after_years=10)
    assert admin_web.get(f"/people/{public_id}/").status_code == 200
    assert admin_web.get(f"/pupils/card/{public_id}/").status_code == 200
    then = {"valid_on": "2022-01-10"}
    assert leaver.name in _content(admin_web.get("/pupils/export.csv", then))
    # The school the pupil left mirrors its records from the change feed; the agency's
    # statistics count the pupil.
    school = school_system(leaver.schools[0])
    mirror: dict[str, dict] = {}
    cursor = replay(school, mirror)
    enrolment_id = str(
        Enrolment.objects.get(person=leaver.person, institution=leaver.schools[0]).public_id
    )
    assert enrolment_id in mirror["enrolments"]
    analyst = statistics_actor("archive-analyst")
    counted = _statistics(analyst)
    assert counted["pupils"] >= 1 and counted["departures"] >= 1

    # When the daily run comes a day before the two years are up, nothing moves.
    early = _run(dt.date(2025, 6, 29))
    assert early.counts[f"person:{pupils_rule.event}"]["archived"] == 0
    assert Person.objects.filter(public_id=public_id).exists()

    # On the day, the pupil leaves the live register with all their records.
    run = _run(dt.date(2025, 6, 30))
    assert run.counts[f"person:{pupils_rule.event}"]["failed"] == 0, run.counts
    assert run.counts[f"person:{pupils_rule.event}"]["archived"] == 1
    assert not Person.objects.filter(public_id=public_id).exists()
    assert not Enrolment.objects.filter(person__public_id=public_id).exists()
    assert admin_web.get(f"/people/{public_id}/").status_code == 404
    assert admin_web.get(f"/pupils/card/{public_id}/").status_code == 404
    assert leaver.name not in _content(admin_web.get("/pupils/export.csv", then))
    assert leaver.name not in _text(admin_web.get("/people/", {"q": leaver.name}))
    record = ArchivedRecord.objects.get(person_public_id=public_id)
    assert record.rows["pupils.enrolment"] == 2
    assert record.destroy_on == dt.date(2033, 6, 30)
    # The feed gives the enrolment as deleted, and the school's mirror drops it: the mirror is
    # again what the register's own list shows the school.
    archived_feed = get(school, CHANGES, after=cursor, page_size=5000)["results"]
    assert {(e["id"], e["action"]) for e in archived_feed} == {(enrolment_id, "deleted")}
    cursor = replay(school, mirror, after=cursor)
    assert enrolment_id not in mirror["enrolments"]
    assert mirror == register(school, "enrolments", "groups")
    # The statistics no longer count the pupil.
    without = {slug: count - 1 for slug, count in counted.items()}
    assert _statistics(analyst) == without

    # The agency reads the run's report.
    archivist = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), archive_user())
    report = _text(archivist.get("/archive/runs/"))
    assert "2025-06-30" in report and pupils_rule.code in report

    # An archive user searches on a lawful request and opens the record.
    page = archivist.post(
        "/archive/",
        {"legal_basis": "court", "reason": "Court ruling 2-555/2025", "personal_code": leaver.code},
    )
    assert page.status_code == 200
    assert leaver.name in _text(page)
    search_id = re.search(r"\?search=([0-9a-f-]{36})", page.content.decode()).group(1)
    opened = archivist.get(f"/archive/records/{record.public_id}/", {"search": search_id})
    assert opened.status_code == 200 and "pupils.annualgrade" in _text(opened)

    # Both are in the person's access log, in words, with the basis and the reason.
    chain_access_log()
    services.archive_restore(
        actor=services.SYSTEM, record=record, reason="Court ruling 2-555/2025: reopened"
    )
    seen = _text(sign_in(Person.objects.get(public_id=public_id)).get("/me/access/"))
    assert "archive search (found your archived records)" in seen.lower()
    assert "your archived records, opened on a lawful request" in seen.lower()
    logged = AccessLogEntry.objects.filter(person_public_id=public_id, what__startswith="archive.")
    assert sorted(logged.values_list("what", "purpose")) == [
        ("archive.record", "a court's request: Court ruling 2-555/2025"),
        ("archive.search", "a court's request: Court ruling 2-555/2025"),
    ]

    # Restored: the pupil is live again, and the history shows both moves.
    assert admin_web.get(f"/people/{public_id}/").status_code == 200
    person = Person.objects.get(public_id=public_id)
    assert [v.history_type for v in person.history.order_by("history_id")][-2:] == ["-", "+"]
    moves = ArchiveMove.objects.filter(record_public_id=record.public_id)
    assert [m.move for m in moves] == [MoveKind.ARCHIVED, MoveKind.RESTORED]
    # The feed gives the enrolment back as created, with the record; statistics count it again.
    restored_feed = get(school, CHANGES, after=cursor, page_size=5000)["results"]
    assert [(e["id"], e["action"]) for e in restored_feed] == [(enrolment_id, "created")]
    cursor = replay(school, mirror, after=cursor)
    assert mirror == register(school, "enrolments", "groups")
    assert enrolment_id in mirror["enrolments"]
    assert _statistics(analyst) == counted

    # The next run archives them again (the event is still long enough ago).
    again = _run(dt.date(2025, 7, 1))
    assert again.counts[f"person:{pupils_rule.event}"]["archived"] == 1
    assert not Person.objects.filter(public_id=public_id).exists()
    cursor = replay(school, mirror, after=cursor)
    assert enrolment_id not in mirror["enrolments"]
    assert _statistics(analyst) == without
    # (Until destruction the archive and the version tables still hold them.)
    held = tables_holding(leaver.name, leaver.code)
    assert {"archive_archivedrecord", "people_historicalperson", "core_changelogentry"} <= set(held)

    # At the end of retention, the archived records are destroyed.
    held_rows = ArchivedRecord.objects.get(person_public_id=public_id).rows
    final = _run(LEFT_ON.replace(year=2033))
    assert final.counts[f"person:{pupils_rule.event}"]["destroyed"] == 1
    assert not ArchivedRecord.objects.filter(person_public_id=public_id).exists()
    stone = Tombstone.objects.get(rule=pupils_rule)
    assert stone.rows["people.person"] == 1 and stone.rows["pupils.enrolment"] == 2
    assert stone.destroyed_at == _noon(dt.date(2033, 6, 30))
    # Destruction changes no statistic (the records had already left them when archived), and
    # the archive's own totals — what left the live register, held or destroyed — stay the same.
    assert stone.rows == held_rows
    assert _statistics(analyst) == without
    assert get(school, CHANGES, after=cursor, page_size=5000)["results"] == []

    # Not a trace of the name or the personal code anywhere, version tables included; the
    # audit chains still verify.
    assert tables_holding(leaver.name, leaver.code) == {}
    chain_access_log()
    assert verify_all() == []
