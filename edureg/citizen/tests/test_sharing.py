"""Sharing by link: the citizen chooses records and an expiry (at most the setting, 6 months by
default); anyone with the link reads exactly those records without signing in; every opening is
logged for the person and counted; a revoked or expired link answers 404; the link carries an
unguessable token and nothing that identifies the person."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from edureg.access.citizens import citizen_user_for
from edureg.citizen import selectors, services
from edureg.citizen.models import ShareLink
from edureg.citizen.tests.factories import school_leaver, sign_in
from edureg.core.audit import verify_all
from edureg.core.context import Actor
from edureg.core.models import AccessLogEntry
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def _create_through_the_page(client: Client, keys: list[str], **fields: str) -> str:
    answer = client.post(
        "/me/shares/new/",
        {
            "keys": keys,
            "label": fields.get("label", "Darbdaviui"),
            "expires_on": fields.get(
                "expires_on", (timezone.localdate() + dt.timedelta(days=30)).isoformat()
            ),
        },
    )
    assert answer.status_code == 302, _text(answer)
    listing = client.get("/me/shares/").content.decode()
    found = re.search(r'value="(https?://[^"]+/shared/[^"]+/)"', listing)
    assert found is not None
    return found.group(1)


def test_anyone_with_the_link_reads_exactly_the_chosen_records_until_it_is_revoked():
    # Given a school leaver who shares one study right (with its results) and one exam
    history = school_leaver()
    right = history.written["earlier_study_right"]
    exam = history.written["achievements"][0]
    owner = sign_in(history.person)
    url = _create_through_the_page(
        owner, [f"study-right:{right.public_id}", f"achievement:{exam.pk}"]
    )
    path = url.split("testserver", 1)[1]

    # When someone without an account opens it
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = stranger.get(path)

    # Then they see exactly those records, with what belongs to them, read-only
    assert page.status_code == 200
    text = _text(page)
    assert "Records shared by Austėja Žukauskaitė" in text
    assert "Matematikos valstybinis brandos egzaminas" in text
    assert "Informatics (" in text and "Programavimo pagrindai" in text  # with its results
    assert "Graduation: Informatikos bakalauras" in text  # its graduation goes along
    assert "Lietuvių kalbos ir literatūros" not in text  # another exam: not chosen
    assert "Mathematics" not in text  # the other study right: not chosen
    # read-only: the only form on the page is the language switch
    assert "Ask for a correction" not in text and page.content.decode().count("<form") == 1
    assert page["Cache-Control"] == "no-store"
    # and the link names nobody: no personal code, no public id of the person
    assert history.person.personal_code not in url
    assert str(history.person.public_id) not in url
    assert history.person.personal_code not in text

    # and the owner sees the opening counted, and in "who saw my data"
    stranger.get(path)
    listing = _text(owner.get("/me/shares/"))
    assert "Darbdaviui" in listing and "2 times" in listing
    seen = _text(owner.get("/me/access/"))
    assert "Someone with your share link “Darbdaviui” Records you shared by link web" in seen

    # When the owner revokes it (after a confirmation)
    link = ShareLink.objects.get()
    confirm = owner.get(f"/me/shares/{link.public_id}/revoke/")
    assert "This cannot be undone" in _text(confirm)
    owner.post(f"/me/shares/{link.public_id}/revoke/")

    # Then the link answers 404, and says so to nobody in particular
    assert stranger.get(path).status_code == 404
    assert "revoked" in _text(owner.get("/me/shares/"))
    assert verify_all() == []


def test_an_expired_link_is_404_and_so_is_a_made_up_one():
    history = school_leaver()
    me = Actor.for_user(citizen_user_for(history.person))
    link, token = services.share_link_create(
        actor=me,
        keys=[f"elective:{history.written['electives'][0].pk}"],
        label="Stipendijų fondui",
        expires_on=timezone.localdate(),
    )
    client = Client()
    assert client.get(f"/shared/{token}/").status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(expires_on=timezone.localdate() - dt.timedelta(1))
    assert client.get(f"/shared/{token}/").status_code == 404
    assert client.get(f"/shared/{token[:-1]}x/").status_code == 404
    assert client.get("/shared/aaaaaaaa/").status_code == 404
    # the token is long and random, and only its digest is kept
    assert len(token) >= 40
    assert token not in str(ShareLink.objects.values_list().get())


def test_the_link_keeps_to_the_rules_of_sharing(settings):
    history = school_leaver()
    someone_else = school_leaver(PersonFactory())
    me = Actor.for_user(citizen_user_for(history.person))
    today = timezone.localdate()
    exam = f"achievement:{history.written['achievements'][0].pk}"

    with pytest.raises(ValidationError) as too_long:
        services.share_link_create(
            actor=me, keys=[exam], label="x", expires_on=today + dt.timedelta(days=200)
        )
    assert "at most 6 months" in str(too_long.value)
    settings.SHARE_LINK_MAX_MONTHS = 12
    services.share_link_create(
        actor=me, keys=[exam], label="x", expires_on=today + dt.timedelta(days=200)
    )
    with pytest.raises(ValidationError) as nothing:
        services.share_link_create(actor=me, keys=[], label="", expires_on=today)
    assert set(nothing.value.message_dict) == {"keys", "label"}
    with pytest.raises(ValidationError) as not_mine:
        services.share_link_create(
            actor=me,
            keys=[f"achievement:{someone_else.written['achievements'][0].pk}"],
            label="x",
            expires_on=today,
        )
    assert "not yours" in str(not_mine.value)
    with pytest.raises(ValidationError):
        services.share_link_create(
            actor=me, keys=[exam], label="x", expires_on=today - dt.timedelta(days=1)
        )


def test_the_page_shows_field_errors_and_creates_nothing():
    history = school_leaver()
    client = sign_in(history.person)
    answer = client.post("/me/shares/new/", {"label": "", "expires_on": "2999-01-01"})
    assert answer.status_code == 400
    text = _text(answer)
    assert "Choose at least one record to share." in text
    assert "A link may stay valid for at most 6 months" in text
    assert not ShareLink.objects.exists()


def test_a_citizen_lists_and_revokes_only_their_own_links():
    history = school_leaver()
    me = Actor.for_user(citizen_user_for(history.person))
    link, _token = services.share_link_create(
        actor=me,
        keys=[f"elective:{history.written['electives'][0].pk}"],
        label="Mano",
        expires_on=timezone.localdate(),
    )
    other = sign_in(PersonFactory())
    assert other.get(f"/me/shares/{link.public_id}/revoke/").status_code == 404
    assert other.post(f"/me/shares/{link.public_id}/revoke/").status_code == 404
    assert selectors.share_links(actor=me) == [(link, 0)]
    link.refresh_from_db()
    assert link.revoked_at is None
    assert not AccessLogEntry.objects.filter(actor=link.access_label).exists()
