"""What an import did: a one-line summary, and the error report as CSV or XLSX."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from edureg.core.exports import safe_text
from edureg.exchange.import_models import ImportRun, RowOutcome


def summary(run: ImportRun) -> str:
    return _(
        "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(refused)s refused."
    ) % {
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "refused": run.refused,
    }


def report_name(run: ImportRun, extension: str) -> str:
    stem = run.file_name.rsplit(".", 1)[0].replace(" ", "_")[:80] or "import"
    return f"{stem}-errors.{extension}"


def report_rows(run: ImportRun) -> list[list[str]]:
    """The refused rows: line, key, field, error code and message (no personal data)."""
    header = [_("Line"), _("Record key"), _("Field"), _("Error code"), _("Message")]
    rows = run.rows.filter(outcome=RowOutcome.REFUSED).order_by("line")
    return [header] + [
        [str(r.line), r.key, r.field, r.code, r.message]
        for r in rows.only("line", "key", "field", "code", "message").iterator()
    ]


def csv_of(run: ImportRun) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in report_rows(run):
        writer.writerow([safe_text(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode()


def xlsx_of(run: ImportRun) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Errors"))
    for row in report_rows(run):
        sheet.append([safe_text(value) for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
