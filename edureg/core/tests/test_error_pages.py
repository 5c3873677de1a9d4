"""Error pages a person meets: branded, in their language, with a way back, never Django's own."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_the_registers_not_found_page_in_lithuanian(client):
    response = client.get("/no-such-page-here/")
    html = response.content.decode()
    assert response.status_code == 404
    assert 'lang="lt"' in html
    assert "Puslapis nerastas" in html
    assert 'href="/"' in html  # a way back
    assert "Not Found" not in html
    assert "Using the URLconf" not in html  # Django's debug page lists every URL


def test_the_not_found_page_follows_the_chosen_language(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/no-such-page-here/").content.decode()
    assert "Page not found" in html
    assert "Puslapis nerastas" not in html


def test_access_denied_and_bad_request_pages_say_what_happened_with_a_way_back():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override("lt"):
        denied = defaults.permission_denied(request, PermissionDenied())
        bad = defaults.bad_request(request, Exception())
    assert denied.status_code == 403
    assert "Prieiga draudžiama" in denied.content.decode()
    assert bad.status_code == 400
    assert "Užklausos nepavyko suprasti" in bad.content.decode()
    for response in (denied, bad):
        assert 'href="/"' in response.content.decode()


def test_the_server_error_page_renders_without_a_request_context():
    """Django renders 500.html with an empty context: the page must not need the user or menu."""
    with translation.override("lt"):
        response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Įvyko klaida" in html
    assert 'href="/"' in html
    assert "Server Error (500)" not in html  # Django's bare fallback


def test_every_page_links_a_favicon_that_is_served(client):
    html = client.get("/").content.decode()
    assert 'rel="icon"' in html
    href = html.split('rel="icon" href="', 1)[1].split('"', 1)[0]
    icon = client.get(href)
    icon.close()  # WhiteNoise streams the file; closing the response closes it
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
