"""The archive's pages: the agency writes a rule in the back office; the pages speak
Lithuanian by default."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import verified_login
from edureg.archive.models import RetentionRule
from edureg.archive.tests.factories import archive_user, rule

pytestmark = pytest.mark.django_db


def test_the_agency_writes_a_rule_in_the_back_office_with_its_history(admin_web):
    response = admin_web.post(
        "/admin/archive/retentionrule/add/",
        {
            "code": "mokiniai-baige",
            "kind": "person",
            "event": "learning_ended",
            "archive_after_years": "5",
            "destroy_after_years": "50",
            "legal_basis": "Mokinių registro nuostatai",
            "valid_from": "2026-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = RetentionRule.objects.get(code="mokiniai-baige")
    assert saved.history.count() == 1 and saved.history.get().history_user is not None


def test_the_rules_page_in_lithuanian():
    rule(code="lt-puslapis")
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="lt"), archive_user(level="viewer"))
    page = client.get("/archive/rules/").content.decode()
    assert "Saugojimo taisyklės" in page and "lt-puslapis" in page
    assert "Archyvas" in client.get("/archive/").content.decode()
