"""The public catalogue of programmes: search, filters, CSV, programme page, versions, API."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from edureg.core.collation import fold
from edureg.institutions.models import Municipality
from edureg.institutions.tests.factories import InstitutionFactory
from edureg.programmes import services, views
from edureg.programmes.models import Programme
from edureg.programmes.tests.factories import (
    SYSTEM,
    classifier,
    draft_study_programme,
    registered_study_programme,
)

pytestmark = pytest.mark.django_db

SECRET = "Slaptaslapis"  # a word only drafts contain


@dataclass
class Catalogue:
    informatics: Programme
    economics: Programme
    vocational: Programme
    closed: Programme
    changing: Programme
    draft: Programme


def register(programme: Programme) -> Programme:
    services.programme_submit(actor=SYSTEM, programme=programme)
    return services.programme_register(actor=SYSTEM, programme=programme)


@pytest.fixture
def catalogue() -> Catalogue:
    vilnius_university = InstitutionFactory(register_id="190000001")
    kaunas_college = InstitutionFactory(
        register_id="290000002", municipality=Municipality.objects.get(code="LT-19")
    )
    informatics = registered_study_programme(vilnius_university)
    economics = registered_study_programme(
        kaunas_college,
        name_lt="Ekonomikos ir finansų studijos",
        name_en="Economics and Finance",
        description_lt="Rinkos, bankai ir mokesčiai.",
        description_en="Markets, banks and taxes.",
        study_field=classifier("study-field", "economics"),
        full_time=False,
        part_time=True,
        credits=Decimal(180),
        duration_years=Decimal("4.5"),
        languages="lt",
    )
    vocational = register(
        services.programme_draft_create(
            actor=SYSTEM,
            provider=kaunas_college,
            kind="vocational",
            name_lt="Virėjo modulinė profesinio mokymo programa",
            name_en="Cook modular vocational training programme",
            isced_level=classifier("isced-level", "3"),
            hours=2200,
            languages="lt,ru",
        )
    )
    closed = registered_study_programme(
        vilnius_university,
        name_lt="Fizika",
        name_en="Physics",
        description_lt="Mechanika ir kvantai.",
        description_en="Mechanics and quanta.",
        study_field=classifier("study-field", "physics"),
    )
    services.programme_deregister(
        actor=SYSTEM,
        programme=closed,
        reason=classifier("programme-deregistration-reason", "provider-request"),
    )
    # A registered programme whose change is still a draft: the draft's words are not public.
    changing = registered_study_programme(
        vilnius_university,
        name_lt="Matematika",
        name_en="Mathematics",
        description_lt="Algebra ir analizė.",
        description_en="Algebra and analysis.",
        study_field=classifier("study-field", "mathematics"),
    )
    services.programme_change_start(actor=SYSTEM, programme=changing)
    services.programme_draft_update(
        actor=SYSTEM, programme=changing, name_lt=f"Matematika {SECRET}", name_en="Draft maths"
    )
    draft = draft_study_programme(vilnius_university, name_lt=f"Juodraštis {SECRET}")
    return Catalogue(
        informatics=Programme.objects.get(pk=informatics.pk),
        economics=Programme.objects.get(pk=economics.pk),
        vocational=Programme.objects.get(pk=vocational.pk),
        closed=Programme.objects.get(pk=closed.pk),
        changing=Programme.objects.get(pk=changing.pk),
        draft=Programme.objects.get(pk=draft.pk),
    )


def api_codes(client, query: str = "") -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/catalogue/programmes/{query}")
    assert response.status_code == 200, response.content
    return {row["state_code"] for row in response.json()["results"]}


def html_codes(client, query: str = "") -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/programmes/{query}")
    assert response.status_code == 200
    return {
        programme.state_code
        for programme in response.context["page_obj"].object_list  # the rows on the page
    }


def csv_rows(client, query: str = "") -> list[list[str]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/programmes/programmes.csv{query}")
    assert response.status_code == 200
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for spreadsheet programs"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- Search and filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [
        "Informatika",  # Lithuanian name
        "informatics",  # English name, any case
        "algoritmai",  # Lithuanian description
        "databases",  # English description
        "programavimas duomenų",  # every word, from anywhere in the text
    ],
)
def test_search_finds_a_programme_by_its_lithuanian_or_english_words(client, catalogue, words):
    expected = {catalogue.informatics.state_code}

    assert html_codes(client, f"?q={words}") == expected
    assert api_codes(client, f"?q={words}") == expected


def test_search_finds_a_programme_by_its_state_code(client, catalogue):
    code = catalogue.economics.state_code

    assert html_codes(client, f"?q={code.lower()}") == {code}


def test_an_empty_search_says_nothing_matches(client, catalogue):
    response = client.get("/programmes/?q=astronomija")

    html = response.content.decode()
    assert response.context["page_obj"].paginator.count == 0
    assert 'class="result-count"' in html
    assert 'class="empty"' in html
    assert "programmes.csv" not in html  # nothing to download


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=vocational", {"vocational"}),
        ("isced_level=3", {"vocational"}),
        ("study_field=economics", {"economics"}),
        ("provider=290000002", {"economics", "vocational"}),
        ("municipality=LT-19", {"economics", "vocational"}),
        ("language=ru", {"vocational"}),
        ("language=en", {"informatics", "closed", "changing"}),
        ("mode=part_time", {"economics"}),
        ("status=deregistered", {"closed"}),
        ("kind=study&municipality=LT-19&mode=part_time", {"economics"}),
    ],
)
def test_filters_narrow_the_list_the_same_way_in_the_page_the_api_and_the_csv(
    client, catalogue, query, expected
):
    codes = {getattr(catalogue, name).state_code for name in expected}

    assert html_codes(client, f"?{query}") == codes
    assert api_codes(client, f"?{query}") == codes
    assert {row[0] for row in csv_rows(client, f"?{query}")[1:]} == codes


def test_the_language_filter_matches_a_code_in_any_case_and_spacing(client):
    provider = InstitutionFactory()
    polish = registered_study_programme(provider, languages="lt, pl")
    lithuanian = registered_study_programme(provider, languages="lt")

    assert api_codes(client, "?language=PL") == {polish.state_code}
    assert api_codes(client, "?language=lt") == {polish.state_code, lithuanian.state_code}


def test_a_wrong_filter_value_is_explained_not_ignored(client, catalogue):
    page = client.get("/programmes/?language=klingonu")
    api = client.get("/api/v1/catalogue/programmes/?language=klingonu")

    assert page.status_code == 200
    assert 'class="error-summary"' in page.content.decode()
    assert page.context["filter"].form.errors["language"] == ["Pagal „klingonu“ nieko nerasta."]
    assert list(page.context["page_obj"].object_list) == []
    assert api.status_code == 400
    assert api.json()["field"] == "language"


def test_a_language_is_found_by_its_name_in_lithuanian_or_english(client):
    provider = InstitutionFactory()
    english = registered_study_programme(provider, languages="lt, en")
    registered_study_programme(provider, languages="lt")

    assert html_codes(client, "?language=anglu") == {english.state_code}
    assert html_codes(client, "?language=English") == {english.state_code}
    assert html_codes(client, "?language=Angl%C5%B3") == {english.state_code}


def test_the_language_picker_offers_languages_by_name(client):
    found = client.get("/pick/languages/?q=lenku").content.decode()
    nothing = client.get("/pick/languages/?q=klingonu").content.decode()

    assert 'data-value="pl"' in found
    assert "Lenkų (pl)" in found
    assert "Nieko nerasta." in nothing
    assert 'role="option"' in nothing


def test_the_provider_filter_is_picked_by_name_and_keeps_the_register_id(client, catalogue):
    provider = catalogue.informatics.provider
    query = quote(fold(provider.name_lt))
    picked = client.get(f"/programmes/pick/providers/?q={query}").content.decode()

    assert f'data-value="{provider.register_id}"' in picked
    by_key = html_codes(client, f"?provider={provider.register_id}")
    by_name = html_codes(client, "?provider=" + quote(provider.name_lt))
    assert catalogue.informatics.state_code in by_key
    assert by_name == by_key


# --- Drafts ---------------------------------------------------------------------------------


def test_drafts_never_appear_in_the_list_the_api_or_the_csv(client, catalogue):
    public = {
        p.state_code
        for p in (
            catalogue.informatics,
            catalogue.economics,
            catalogue.vocational,
            catalogue.closed,
            catalogue.changing,
        )
    }

    assert html_codes(client) == public
    assert api_codes(client) == public
    assert {row[0] for row in csv_rows(client)[1:]} == public
    # the words of a draft, and of the draft of a change, find nothing
    assert html_codes(client, f"?q={SECRET}") == set()
    assert api_codes(client, f"?q={SECRET}") == set()
    assert csv_rows(client, f"?q={SECRET}")[1:] == []
    assert SECRET not in client.get("/programmes/").content.decode()
    assert SECRET not in client.get("/api/v1/catalogue/programmes/").content.decode()
    assert SECRET not in b"".join(
        client.get("/programmes/programmes.csv").streaming_content
    ).decode("utf-8-sig")


def test_the_draft_of_a_change_is_not_on_the_programme_page_or_in_the_api(client, catalogue):
    code = catalogue.changing.state_code

    page = client.get(f"/programmes/{code}/")
    api = client.get(f"/api/v1/catalogue/programmes/{code}/").json()

    assert page.status_code == 200
    assert "Matematika" in page.content.decode()
    assert SECRET not in page.content.decode()
    assert [v["number"] for v in api["versions"]] == [1]
    assert SECRET not in str(api)
    # the draft is version 2: not viewable
    assert client.get(f"/programmes/{code}/v2/").status_code == 404


def test_a_programme_without_a_state_code_cannot_be_reached(client, catalogue):
    assert catalogue.draft.state_code is None
    assert client.get("/programmes/None/").status_code == 404
    assert client.get("/api/v1/catalogue/programmes/None/").status_code == 404


# --- CSV ------------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_every_filtered_row_across_pages(client, catalogue, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)  # 5 public programmes: three pages on screen
    monkeypatch.setattr(views, "CSV_CHUNK", 2)  # and the export reads them in chunks

    page = client.get("/programmes/")
    rows = csv_rows(client)
    study_rows = csv_rows(client, "?kind=study")

    assert len(page.context["page_obj"].object_list) == 2
    assert page.context["page_obj"].paginator.num_pages == 3
    assert 'href="/programmes/programmes.csv"' in page.content.decode()
    assert rows[0] == views.CSV_COLUMNS
    assert len(rows) == 1 + 5
    assert len(study_rows) == 1 + 4
    economics = next(r for r in rows if r[0] == catalogue.economics.state_code)
    record = dict(zip(rows[0], economics, strict=True))
    assert record["name_lt"] == "Ekonomikos ir finansų studijos"  # Lithuanian letters intact
    assert record["study_field"] == "economics"
    assert record["part_time"] == "1"
    assert record["provider_register_id"] == "290000002"


def test_csv_text_that_a_spreadsheet_would_run_as_a_formula_is_quoted(client):
    registered_study_programme(InstitutionFactory(), name_en='=HYPERLINK("http://x.example")')

    header, row = csv_rows(client)

    assert dict(zip(header, row, strict=True))["name_en"] == """'=HYPERLINK("http://x.example")"""


def test_the_download_link_keeps_the_filters(client, catalogue):
    html = client.get("/programmes/?kind=study&q=informatika").content.decode()

    assert 'href="/programmes/programmes.csv?kind=study&amp;q=informatika"' in html


# --- Programme page -------------------------------------------------------------------------


def test_the_programme_page_shows_its_content_modules_and_provider(client, catalogue):
    code = catalogue.informatics.state_code

    html = client.get(f"/programmes/{code}/").content.decode()

    assert "<h1>Informatika</h1>" in html
    assert "Programavimas, algoritmai ir duomenų bazės." in html
    assert "Programavimo pagrindai" in html and "Diskrečioji matematika" in html
    assert "Informatikos bakalauras" in html
    assert f'href="/institutions/{catalogue.informatics.provider.register_id}/"' in html
    assert "240" in html


def test_the_version_history_shows_every_decided_version_and_old_ones_stay_viewable(
    client, catalogue
):
    programme = catalogue.informatics
    services.programme_change_start(actor=SYSTEM, programme=programme)
    services.programme_draft_update(
        actor=SYSTEM, programme=programme, name_lt="Informatika ir duomenų mokslas"
    )
    register(programme)
    code = programme.state_code

    current = client.get(f"/programmes/{code}/")
    old = client.get(f"/programmes/{code}/v1/")
    api = client.get(f"/api/v1/catalogue/programmes/{code}/").json()

    assert "<h1>Informatika ir duomenų mokslas</h1>" in current.content.decode()
    assert [(row.version.number, row.version.status) for row in current.context["history"]] == [
        (2, "registered"),
        (1, "superseded"),
    ]
    assert f'href="/programmes/{code}/v1/"' in current.content.decode()
    assert "<h1>Informatika</h1>" in old.content.decode()
    assert f'href="/programmes/{code}/"' in old.content.decode()  # back to the version in force
    assert [(v["number"], v["status"]) for v in api["versions"]] == [
        (2, "registered"),
        (1, "superseded"),
    ]
    assert api["version"]["name_lt"] == "Informatika ir duomenų mokslas"
    assert [m["name_lt"] for m in api["version"]["modules"]] == [
        "Programavimo pagrindai",
        "Diskrečioji matematika",
    ]
    assert client.get(f"/programmes/{code}/v3/").status_code == 404


def test_an_unknown_programme_is_404_on_the_page_and_in_the_api_error_shape(client, catalogue):
    page = client.get("/programmes/0000ZX000/")
    api = client.get("/api/v1/catalogue/programmes/0000ZX000/")

    assert page.status_code == 404
    assert api.status_code == 404
    assert api.json()["status"] == 404
    assert api.json()["code"] == "not_found"


def test_a_deregistered_programme_stays_public_and_says_so(client, catalogue):
    html = client.get(f"/programmes/{catalogue.closed.state_code}/").content.decode()

    assert "<h1>Fizika</h1>" in html
    assert 'class="badge"' in html


def test_the_page_is_in_english_after_switching_the_language(client, catalogue):
    url = f"/programmes/{catalogue.informatics.state_code}/"
    assert "<h1>Informatika</h1>" in client.get(url).content.decode()  # Lithuanian by default

    response = client.post("/i18n/setlang/", {"language": "en", "next": url}, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url
    assert '<html lang="en">' in html
    assert "<h1>Informatics</h1>" in html
    assert "Programming basics" in html
    assert "Programming, algorithms and databases." in html
    assert "Informatics" in client.get("/programmes/?q=informatika").content.decode()


def test_the_api_is_open_without_signing_in(client, catalogue):
    response = client.get("/api/v1/catalogue/programmes/?kind=study")

    body = response.json()
    assert response.status_code == 200
    assert body["results"][0]["version"]["name_lt"]
    assert {"next", "previous", "results"} <= set(body)  # cursor pages, no total count
    assert [r["state_code"] for r in body["results"]] == sorted(
        r["state_code"] for r in body["results"]
    )


# --- Queries --------------------------------------------------------------------------------


def count_queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


def test_the_list_page_and_the_api_list_cost_the_same_queries_for_5_and_40_programmes(client):
    provider = InstitutionFactory()
    for _ in range(5):
        registered_study_programme(provider)
    few = {
        url: count_queries(client, url) for url in ("/programmes/", "/api/v1/catalogue/programmes/")
    }
    for _ in range(35):
        registered_study_programme(provider)
    many = {
        url: count_queries(client, url) for url in ("/programmes/", "/api/v1/catalogue/programmes/")
    }

    assert Programme.objects.count() == 40
    assert many == few
    assert many["/programmes/"] <= 8
    assert many["/api/v1/catalogue/programmes/"] <= 3
