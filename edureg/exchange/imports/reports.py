"""What an import did: a one-line summary, and the error report as CSV or XLSX."""

from __future__ import annotations

import csv
import io

from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _

from edureg.core.exports import safe_text
from edureg.exchange.import_models import ImportRow, ImportRun, RowOutcome


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


# --- A run's page and its error report (the imports' and the feeds' pages alike) ---------------

SHOWN_PROBLEMS = "problems"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_shown(run: ImportRun, shown: str) -> QuerySet[ImportRow]:
    """A run's rows in file order: all, those of one outcome, or the refused and not applied."""
    rows = run.rows.order_by("line")
    if shown in RowOutcome.values:
        rows = rows.filter(outcome=shown)
    elif shown == SHOWN_PROBLEMS:
        rows = rows.filter(Q(outcome=RowOutcome.REFUSED) | Q(outcome=RowOutcome.NOT_APPLIED))
    return rows.only("line", "key", "outcome", "field", "code", "message")


def report_response(run: ImportRun, extension: str) -> HttpResponse:
    """The run's refused rows as a CSV or XLSX download; 404 for another extension."""
    if extension == "csv":
        content, kind = csv_of(run), "text/csv; charset=utf-8"
    elif extension == "xlsx":
        content, kind = xlsx_of(run), XLSX_TYPE
    else:
        raise Http404
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{report_name(run, extension)}"'
    return response
