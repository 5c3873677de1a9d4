"""Signing a citizen in: `/me/` without a session asks the configured e-identity gateway — the
demo identity provider in demo mode, OpenID Connect when the gateway is configured — and both
end with the citizen looking at their own data.

The OpenID Connect test runs the real library (mozilla-django-oidc, PyJWT, requests) against a
small identity provider served on the loopback interface by the test: RS256-signed ID tokens,
a key set, user info with the personal-code claim.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from conftest import make_user, verified_login
from edureg.access.models import CitizenAccount
from edureg.citizen.identity import DemoIdentityProvider, OidcGateway, identity_gateway
from edureg.citizen.tests.factories import child, parent_of, school_leaver, sign_in
from edureg.people.tests.factories import PersonFactory, personal_code
from edureg.students.services import graduate, result_add
from edureg.students.tests.factories import SYSTEM, hei, open_right

pytestmark = pytest.mark.django_db
CLIENT_ID = "edureg-test"


def test_the_configured_gateway_is_oidc_when_set_up_and_the_demo_provider_in_demo_mode(settings):
    assert isinstance(identity_gateway(), DemoIdentityProvider)
    settings.OIDC_ENABLED = True
    assert isinstance(identity_gateway(), OidcGateway)
    settings.OIDC_ENABLED = False
    settings.DEMO_MODE = False
    assert identity_gateway() is None


def test_me_without_a_session_signs_in_through_the_demo_provider_and_comes_back():
    person = PersonFactory(given_names="Austėja", family_name="Žukauskaitė")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    started = client.get("/me/access/")
    assert started.status_code == 302
    assert started["Location"] == "/demo-idp/?next=%2Fme%2Faccess%2F"
    offered = client.get(started["Location"])
    assert "Austėja Žukauskaitė" in offered.content.decode()
    signed = client.post("/demo-idp/", {"person": str(person.public_id), "next": "/me/access/"})
    assert signed["Location"] == "/me/access/"
    assert client.get("/me/access/").status_code == 200


def test_the_demo_provider_never_sends_anyone_to_another_site():
    person = PersonFactory()
    signed = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/demo-idp/", {"person": str(person.public_id), "next": "https://evil.example/"}
    )
    assert signed["Location"] == "/me/"


def test_the_demo_provider_offers_children_school_leavers_students_graduates_and_parents():
    leaver = school_leaver()  # also studies now and graduated before: offered once
    university = hei(name_en="")
    student = open_right(university)
    result_add(
        actor=SYSTEM, study_right=student, semester=1, course_unit_code="A1",
        course_unit_title="Algebra", credits=Decimal(5), grade=7, assessed_on=dt.date(2025, 1, 9),
    )  # fmt: skip
    graduate(actor=SYSTEM, study_right=open_right(university), on=dt.date(2025, 6, 30), degree="BA")
    kid = child()
    parent = parent_of(kid)

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/demo-idp/").content.decode()

    sections = page.split("<h2")
    offered = {s.split(">", 1)[1].split("<", 1)[0]: s for s in sections[1:]}
    assert leaver.person.full_name in offered["A school leaver with maturity exams"]
    assert student.person.full_name in offered["A student"]
    assert "A graduate" in offered
    assert parent.full_name in offered["A parent of children under 18"]
    assert kid.full_name in offered["Other generated people"]


def test_without_a_gateway_the_portal_says_sign_in_is_unavailable(settings):
    settings.DEMO_MODE = False
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/me/")
    assert response.status_code == 503
    assert "Sign-in is not available" in response.content.decode()
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get("/demo-idp/").status_code == 404


def test_a_staff_user_is_not_a_citizen():
    staff = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), make_user("school-manager"))
    assert staff.get("/me/").status_code == 404


# --- OpenID Connect against a local identity provider ---------------------------------------


class IdentityProvider:
    """A minimal OpenID Connect provider: it "authorises" the codes a test gives it."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.audience = CLIENT_ID
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep the test output quiet
                pass

            def _json(self, body: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                grant = provider.codes.pop(form.get("code", [""])[0], None)
                if self.path != "/token" or grant is None:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                access = f"access-{len(provider.tokens)}"
                provider.tokens[access] = grant["claims"]
                self._json(
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "id_token": provider.id_token(grant["nonce"]),
                    }
                )

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    public = json.loads(
                        jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key())
                    )
                    self._json({"keys": [public | {"kid": "k1", "alg": "RS256", "use": "sig"}]})
                    return
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.tokens.get(token)
                if self.path != "/userinfo" or claims is None:
                    self._json({"error": "invalid_token"}, 401)
                    return
                self._json(claims)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "subject-1",
            "aud": self.audience,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})

    def authorise(self, authorization_url: str, claims: dict[str, Any]) -> tuple[str, str]:
        """What the gateway does when the citizen proves who they are: a code for the state."""
        query = parse_qs(urlparse(authorization_url).query)
        code = f"code-{len(self.codes)}-{query['state'][0][:8]}"
        self.codes[code] = {"nonce": query["nonce"][0], "claims": claims}
        return code, query["state"][0]


@pytest.fixture
def gateway(settings) -> Iterator[IdentityProvider]:  # type: ignore[no-untyped-def]
    provider = IdentityProvider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    settings.OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "test-secret"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.url}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.url}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.url}/jwks"
    settings.OIDC_PERSONAL_CODE_CLAIM = "personal_code"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "edureg.access.citizens.CitizenOIDCBackend",
    ]
    settings.ROOT_URLCONF = "edureg.citizen.tests.oidc_urls"
    try:
        yield provider
    finally:
        provider.server.shutdown()
        provider.server.server_close()
        thread.join()


def _sign_in_through(gateway: IdentityProvider, client: Client, code_claim: str) -> Any:
    """The whole round trip; returns the callback's answer, with the URLs visited on it."""
    started = client.get("/me/")
    assert started["Location"] == "/oidc/authenticate/?next=%2Fme%2F"
    to_gateway = client.get(started["Location"])
    assert to_gateway["Location"].startswith(f"{gateway.url}/authorize?")
    claims = {"sub": "s", "personal_code": code_claim}
    code, state = gateway.authorise(to_gateway["Location"], claims)
    back = client.get("/oidc/callback/", {"code": code, "state": state})
    back.urls_visited = [  # type: ignore[attr-defined]
        "/me/",
        started["Location"],
        to_gateway["Location"],
        f"/oidc/callback/?code={code}&state={state}",
        back.get("Location", ""),
    ]
    return back


def test_the_e_identity_gateway_signs_a_citizen_in_with_openid_connect(gateway):
    code = personal_code(dt.date(2006, 3, 14), male=False)
    person = PersonFactory(given_names="Austėja", family_name="Žukauskaitė", personal_code=code)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    back = _sign_in_through(gateway, client, code)

    assert back.status_code == 302
    assert back["Location"] == "/me/"
    mine = client.get("/me/")
    assert mine.status_code == 200
    assert "Austėja Žukauskaitė" in mine.content.decode()
    assert CitizenAccount.objects.get().person == person
    # and the personal code travelled from the gateway to the register, never in a URL
    assert not [url for url in back.urls_visited if code in url]


def test_the_gateway_signs_in_no_one_the_register_does_not_know(gateway):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    back = _sign_in_through(gateway, client, personal_code(dt.date(1990, 1, 1)))

    assert back.status_code == 302
    assert "_auth_user_id" not in client.session
    assert not CitizenAccount.objects.exists()


def test_a_token_issued_to_another_service_signs_no_one_in(gateway):
    code = personal_code(dt.date(2001, 4, 4))
    PersonFactory(personal_code=code)
    gateway.audience = "another-service"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    _sign_in_through(gateway, client, code)

    assert "_auth_user_id" not in client.session


def test_a_signed_in_citizen_is_at_home_in_the_portal():
    person = PersonFactory()
    client = sign_in(person)
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/me/"
