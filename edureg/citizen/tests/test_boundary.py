"""A signed-in citizen stays in their own space: every staff page of the URL configuration
answers 404 (the test walks the resolver, so a page added later is covered without a change
here), and the citizen's own pages show no staff menu."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from edureg.citizen.middleware import NOT_PAGES, TO_THE_PORTAL, citizen_may_open
from edureg.citizen.tests.factories import sign_in
from edureg.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

# Values to try for a URL's parameters: a UUID, a number, a word, an app label of the admin.
SAMPLES: dict[str, tuple[Any, ...]] = {
    "uuid": (uuid.UUID(int=1),),
    "int": (1,),
    "str": ("x", "auth"),
    "slug": ("x",),
    "path": ("x",),
}
REGEX_SAMPLES = ("auth", "1", "x")


def _named_patterns(
    patterns: list[Any], namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, list[tuple[str, str]], str]]:
    """(full route name, [(parameter, converter)], route text) of every named route."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
            yield from _named_patterns(
                pattern.url_patterns, inner.strip(":"), prefix + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            route = prefix + str(pattern.pattern)
            yield name, _parameters(route), route


def _parameters(route: str) -> list[tuple[str, str]]:
    """Named parameters with their converters; unnamed regex groups as ("", "regex")."""
    typed = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    named_groups = re.findall(r"\(\?P<(\w+)>", route)
    unnamed = len(re.findall(r"(?<!\\)\((?!\?)", route))
    return (
        [(name, converter or "str") for converter, name in typed]
        + [(name, "regex") for name in named_groups]
        + [("", "regex")] * unnamed
    )


def _url(name: str, parameters: list[tuple[str, str]]) -> str | None:
    options = [SAMPLES.get(kind, REGEX_SAMPLES) for _, kind in parameters]
    names = [p for p, _ in parameters]
    for values in itertools.product(*options):
        try:
            if names and not any(names):
                return reverse(name, args=list(values))
            return reverse(name, kwargs=dict(zip(names, values, strict=True)))
        except NoReverseMatch:
            continue
    return None


def test_every_staff_page_answers_404_to_a_signed_in_citizen():
    client = sign_in(PersonFactory())
    refused, unreachable = [], []
    for name, parameters, route in _named_patterns(get_resolver().url_patterns):
        url = _url(name, parameters)
        if url is None:
            unreachable.append(route)
            continue
        if url.startswith(NOT_PAGES) or citizen_may_open(name):
            continue
        response = client.get(url)
        if name in TO_THE_PORTAL:
            assert response.status_code == 302 and response["Location"] == "/me/"
        elif response.status_code != 404:
            refused.append((name, url, response.status_code))
    # Every staff page, the back office's included, is closed to a citizen
    assert refused == []
    # and the walk really went through the staff pages (it cannot pass by finding none)
    assert not unreachable, unreachable
    staff_names = [
        name
        for name, _, route in _named_patterns(get_resolver().url_patterns)
        if not citizen_may_open(name) and not ("/" + route).startswith(NOT_PAGES)
    ]
    assert {"people:list", "pupils:card", "students:card", "admin:index", "login"} <= set(
        staff_names
    )
    assert len(staff_names) > 100


def test_the_citizens_pages_show_no_staff_menu():
    client = sign_in(PersonFactory())
    for url in ("/me/", "/me/access/", "/institutions/", "/programmes/"):
        page = client.get(url)
        assert page.status_code == 200, url
        body = page.content.decode()
        for staff_link in ('href="/people/"', 'href="/pupils/"', 'href="/students/"',
                           'href="/programmes/work/"', 'href="/admin/"'):  # fmt: skip
            assert staff_link not in body, (url, staff_link)
