"""A recipient's system walks every read operation of the API (#14, "a test walks every API
operation with a recipient client and finds no field outside its agreement").

Every GET operation of the OpenAPI schema is called with the token of a system whose agreement
gives persons' names and birth dates and three fields of study rights. Path parameters are
filled with the public ids of records the recipient may see (a resident of its municipality
who studies) and those it may not. Each answer is either a refusal (401, 403, 404, 400) or data
whose every field, at any depth, the agreement names — besides the pagination envelope — or
public data that anyone reads without a token (the programme catalogue, institutions)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator

from edureg.exchange.tests.agreement_helpers import (
    agreement_for,
    recipient_client,
    token_for,
)
from edureg.institutions.models import Municipality
from edureg.people.tests.factories import PersonFactory
from edureg.students.tests.factories import hei, open_right

pytestmark = pytest.mark.django_db

SCOPE = {
    "persons": ["id", "given_names", "family_name", "birth_date"],
    "study_rights": ["id", "person", "institution"],
}
# What a page of results wraps its rows in; no register data.
ENVELOPE = {"results", "next", "previous", "count", "cursor", "has_more"}
REFUSALS = {400, 401, 403, 404, 405}
PARAMETER = re.compile(r"\{([^}]+)\}")


def _keys(value: Any) -> set[str]:
    """Every key of every object in a JSON answer, at any depth."""
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


def _read_operations() -> list[str]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, item in schema["paths"].items() if "get" in item)


def test_no_read_operation_gives_a_recipient_a_field_outside_its_agreement(client):
    binding, secret = recipient_client("LT-13")
    agreement_for(binding, scope=SCOPE)
    auth = token_for(client, binding, secret)
    resident = PersonFactory(declared_municipality=Municipality.objects.get(code="LT-13"))
    right = open_right(hei(), person=resident)
    outsider = PersonFactory(declared_municipality=Municipality.objects.get(code="LT-57"))
    ids = [str(resident.public_id), str(right.public_id), str(outsider.public_id)]

    allowed = {name for names in SCOPE.values() for name in names} | ENVELOPE
    walked, answered_with_data, public, outside = 0, 0, 0, []
    for path in _read_operations():
        parameters = PARAMETER.findall(path)
        fillings = [path] if not parameters else [PARAMETER.sub(value, path) for value in ids]
        for url in fillings:
            response = client.get(url, **auth)
            walked += 1
            if response.status_code in REFUSALS:
                continue
            assert response.status_code == 200, (url, response.status_code)
            if "json" not in response.get("Content-Type", ""):
                outside.append(f"{url}: answered {response.get('Content-Type')}")
                continue
            extra = _keys(response.json()) - allowed
            if extra and client.get(url).status_code == 200:
                public += 1  # open to anyone without a token (the catalogue): no disclosure
                continue
            answered_with_data += 1
            if extra:
                outside.append(f"{url}: {sorted(extra)}")

    assert outside == []
    # the walk reached the operations, and the agreed data was really given
    assert walked > 40
    assert answered_with_data >= 3
    persons = client.get("/api/v1/persons/", **auth).json()["results"]
    assert [row["id"] for row in persons] == [str(resident.public_id)]
