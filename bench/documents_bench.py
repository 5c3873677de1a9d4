"""Benchmark: sealed certificate PDFs per second (issue #12), beside the bare toolchain.

    .venv/bin/python bench/documents_bench.py                  # a throw-away SQLite file
    scripts/with-postgres.sh .venv/bin/python bench/documents_bench.py --database postgres

Migrates an empty database, makes the demo seal and seeds the small demo data, whose graduating
class has its maturity certificates formed and approved through the services. Then, for a class
of 30 and for 1,000 documents (the class's issued documents taken in turn), it times:

- **edureg, one process**: `credentials.pdf.sealed_pdf` — the document's layout template
  rendered with its register data, WeasyPrint, the QR code and pyHanko's PAdES seal — which is
  what the class's background task does for each document;
- **edureg, two processes**: the same documents split over a pool of two worker processes, as
  two task workers on the two cores would;
- **class ZIP**: `credentials.pdf.zip_of` for the class — the download a data manager gets —
  with the stored copies cleared first, so each PDF is made, sealed, stored and zipped;
- **baseline** (same run, one process): the bare toolchain on the same page — the first
  document's HTML rendered once beforehand, then only `weasyprint.HTML(...).write_pdf()` and
  the same pyHanko seal per document, with no template, database or storage (and WeasyPrint's
  font configuration kept, as edureg keeps it).

The ratios say how close edureg comes to what its libraries can do on this machine. Prints a
Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench-documents.sqlite3"


def _configure(database: str) -> None:
    """Point Django at the benchmark database; must run before django.setup()."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "edureg.settings"
    os.environ["DEBUG"] = "0"  # as production: with DEBUG on, Django also records every query
    if database == "postgres":
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            sys.exit(
                "run it as scripts/with-postgres.sh .venv/bin/python "
                "bench/documents_bench.py --database postgres"
            )
        return
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"


def _prepare() -> list[int]:
    """Migrate, make the demo seal, seed the small demo data; the issued documents' ids."""
    import io

    from django.core.management import call_command

    from edureg.credentials.models import Document, DocumentStatus

    call_command("migrate", "--no-input", verbosity=0)
    call_command("credentials_demo_seal", stdout=io.StringIO())
    call_command("seed_demo", "--scale", "small", stdout=io.StringIO())
    ids = list(
        Document.objects.filter(status=DocumentStatus.ISSUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        sys.exit("the demo data has no issued document to render")
    return ids


def _documents(ids: list[int], count: int) -> list[Any]:
    """`count` documents, the issued ones taken in turn, loaded as the task loads them."""
    from edureg.credentials.models import Document

    loaded = {
        document.pk: document
        for document in Document.objects.select_related("document_type", "person").filter(
            pk__in=ids
        )
    }
    return [loaded[ids[i % len(ids)]] for i in range(count)]


def _edureg_pdfs(ids: list[int], count: int) -> float:
    """Seconds to make `count` sealed PDFs in this process."""
    from edureg.credentials.pdf import sealed_pdf

    documents = _documents(ids, count)
    started = time.perf_counter()
    for document in documents:
        sealed_pdf(document)
    return time.perf_counter() - started


def _worker(job: tuple[list[int], int]) -> int:
    import django
    from django.db import connections

    connections.close_all()  # a forked child must not share the parent's connection
    django.setup()
    ids, count = job
    _edureg_pdfs(ids, count)
    connections.close_all()
    return count


def _edureg_pdfs_two_processes(ids: list[int], count: int) -> float:
    from django.db import connections

    connections.close_all()
    halves = [(ids, count // 2), (ids[1:] + ids[:1], count - count // 2)]
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(2) as pool:
        made = sum(pool.map(_worker, halves))
    elapsed = time.perf_counter() - started
    assert made == count
    return elapsed


def _class_zip(ids: list[int]) -> tuple[int, float]:
    """The class's ZIP with every PDF made, sealed and stored anew: (documents, seconds)."""
    from dataclasses import replace

    from django.contrib.auth import get_user_model

    from edureg.core.context import Actor
    from edureg.credentials.models import Document
    from edureg.credentials.pdf import zip_of

    user = get_user_model().objects.get(username="mokykla")
    actor = replace(Actor.for_user(user), second_factor=True)
    Document.objects.filter(pk__in=ids).update(pdf="", pdf_sha256="")
    documents = _documents(ids, len(ids))
    started = time.perf_counter()
    data = zip_of(actor=actor, documents=documents)
    elapsed = time.perf_counter() - started
    assert data.startswith(b"PK")
    return len(ids), elapsed


def _baseline(ids: list[int], count: int) -> float:
    """Seconds for the bare toolchain: WeasyPrint on ready HTML with a kept font
    configuration, then the same seal."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from edureg.credentials.pdf import render_html
    from edureg.credentials.seal import seal_pdf

    html = render_html(_documents(ids, 1)[0])
    fonts = FontConfiguration()
    started = time.perf_counter()
    for number in range(count):
        pdf = HTML(string=html).write_pdf(font_config=fonts)
        seal_pdf(pdf, reason=f"baseline {number}")
    return time.perf_counter() - started


def _versions() -> str:
    from importlib.metadata import version

    names = ("Django", "weasyprint", "pyhanko", "segno")
    return ", ".join(f"{name} {version(name)}" for name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--sizes", default="30,1000", help="document counts, comma-separated")
    args = parser.parse_args()
    _configure(args.database)

    import django
    from django.conf import settings

    django.setup()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the seed's mails
    print("preparing: migrate, demo seal, small demo data …", file=sys.stderr)
    ids = _prepare()
    _edureg_pdfs(ids, 2)  # warm up: fonts, templates, the signer's key
    _baseline(ids, 2)

    rows = []
    for count in (int(size) for size in args.sizes.split(",")):
        print(f"measuring {count} documents …", file=sys.stderr)
        baseline = _baseline(ids, count)
        one = _edureg_pdfs(ids, count)
        two = _edureg_pdfs_two_processes(ids, count)
        rows.append((count, baseline, one, two))
    zipped, zip_seconds = _class_zip(ids)

    cpu = platform.processor() or platform.machine()
    print(f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, ")
    print(f"{_versions()}; database {args.database}; {len(ids)} distinct issued documents.\n")
    print(
        "| documents | baseline PDFs/s | edureg PDFs/s, 1 process | ratio | "
        "edureg PDFs/s, 2 processes |"
    )
    print("|---:|---:|---:|---:|---:|")
    for count, baseline, one, two in rows:
        base_rate, one_rate = count / baseline, count / one
        print(
            f"| {count:,} | {base_rate:.1f} | {one_rate:.1f} | {one_rate / base_rate:.2f} | "
            f"{count / two:.1f} |"
        )
    print(
        f"\nClass ZIP (`zip_of`, each PDF made, sealed and stored): {zipped} documents in "
        f"{zip_seconds:.2f} s = {zipped / zip_seconds:.1f} PDFs/s."
    )


if __name__ == "__main__":
    main()
