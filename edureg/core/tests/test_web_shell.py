"""The shell a newcomer meets: pages, health check, API docs, language, error shape, logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from edureg.core.logging import PersonalCodeRedactionFilter

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("path", ["/", "/healthz", "/api/schema/", "/api/docs/", "/institutions/"])
def test_public_pages_answer(client, path):
    assert client.get(path).status_code == 200


def test_healthz_reports_the_database(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] in {"sqlite", "postgresql"}


def test_api_docs_use_local_assets_only(client):
    html = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html.replace("https://github.com", "")


def test_home_page_is_lithuanian_by_default_and_english_on_switch(client):
    assert 'lang="lt"' in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Education registers" in html


def test_people_pages_need_sign_in(client):
    response = client.get("/people/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_committed_openapi_schema_is_current(tmp_path):
    """Fails when the API changed but `make schema` was not run."""
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--file", str(generated))
    committed = ROOT / "schema" / "openapi.yaml"
    assert committed.exists(), "run `make schema` and commit schema/openapi.yaml"
    assert yaml.safe_load(generated.read_text()) == yaml.safe_load(committed.read_text()), (
        "schema/openapi.yaml is stale: run `make schema` and commit it"
    )


def test_personal_codes_are_redacted_from_logs():
    record = logging.LogRecord(
        "edureg", logging.INFO, __file__, 1, "lookup of %s failed", ("38703181745",), None
    )
    PersonalCodeRedactionFilter().filter(record)
    assert "38703181745" not in record.getMessage()
    assert "[personal code]" in record.getMessage()


def test_production_mode_refuses_the_development_secret_key():
    env = {**os.environ, "EDUREG_PRODUCTION": "1", "DEBUG": "0", "EDUREG_DEMO_MODE": "0"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_mode_refuses_debug():
    env = {
        **os.environ,
        "EDUREG_PRODUCTION": "1",
        "DEBUG": "1",
        "EDUREG_DEMO_MODE": "0",
        "SECRET_KEY": "x" * 50,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_request_id_is_returned(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef1234567890")
    assert response["X-Request-ID"] == "abcdef1234567890"


def test_pages_carry_security_headers_and_a_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()  # no inline script to allow
