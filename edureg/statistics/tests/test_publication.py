"""Open data published on a schedule, the previous version kept, on a public page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command

from edureg.core import schedule
from edureg.core.models import PeriodicRun
from edureg.statistics.models import Publication
from edureg.statistics.opendata.manifest import bundled_datasets
from edureg.statistics.opendata.publish import publish_all, root
from edureg.statistics.tests.population import enrol, klass, school

pytestmark = pytest.mark.django_db(transaction=True)
SVIS = "datasets/gov/nsa/svis/bendrojo_ugdymo_mokyklos"


def test_the_scheduler_publishes_every_dataset_and_keeps_the_previous_version(client):
    # Given a school with pupils
    enrol(klass(school(), "5"), 6)
    assert "statistics.publish_open_data" in [p.name for p in schedule.registered()]

    # When the scheduler is due (first tick) and the worker runs the task, three times
    for _tick in range(3):
        PeriodicRun.objects.filter(name="statistics.publish_open_data").delete()
        assert "statistics.publish_open_data" in schedule.enqueue_due()
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())

    # Then each dataset has its current and previous publication, older ones are gone
    for name in bundled_datasets():
        assert Publication.objects.filter(dataset=name).count() == 2
    directories = {p.directory.split("/")[0] for p in Publication.objects.all()}
    assert all(len(list((root() / d).iterdir())) == 2 for d in directories)

    # And the public page lists them with descriptions, row counts and downloads
    page = client.get("/open-data/", HTTP_ACCEPT_LANGUAGE="lt").content.decode()
    assert "Bendrojo ugdymo mokyklos" in page
    assert "šiuo metu veikiančių ir istorinių Lietuvos bendrojo ugdymo mokyklų" in page
    current = client.get(
        "/open-data/gov-nsa-svis-bendrojo_ugdymo_mokyklos/current/BugdymoMokykla.csv"
    )
    assert current.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(current.streaming_content).decode())))
    current.close()
    assert len(rows) == 1 and rows[0]["ar_padalinys"] == "0"
    previous = client.get(
        "/open-data/gov-nsa-svis-bendrojo_ugdymo_mokyklos/previous/BugdymoMokykla.csv"
    )
    assert previous.status_code == 200
    assert b"ar_padalinys" in b"".join(previous.streaming_content)
    previous.close()
    assert (
        client.get("/open-data/gov-nsa-svis-bendrojo_ugdymo_mokyklos/current/x.csv").status_code
        == 404
    )


def test_the_page_shows_the_new_rows_after_the_register_changes(client):
    school()
    publish_all()
    first = Publication.objects.filter(dataset=SVIS).latest("published_at").tables
    school()
    publish_all()
    latest, previous = Publication.objects.filter(dataset=SVIS).order_by("-published_at", "-pk")
    assert (previous.tables, latest.tables) == (first, {"BugdymoMokykla": 2})
    page = client.get("/open-data/").content.decode()
    assert "ankstesnė (eilučių: 1)" in page
