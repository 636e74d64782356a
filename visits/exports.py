"""Excel and CSV exports of a case list, with personal data masked unless the
user handles the case, and cells that a spreadsheet would run as formulas defused."""

import csv
import io
from collections.abc import Iterator
from itertools import chain

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from audit.services import describe_search
from base.spreadsheets import neutralise

from .forms import CaseFilterForm
from .masking import mask_name, mask_phone

# More rows than any workstation's filtered list needs; a larger export is an
# office report, not a staff download.
EXPORT_LIMIT = 20000


def _header() -> list[str]:
    return [
        _("Tracking number"), _("Title"), _("Category"), _("Status"), _("Workstation"),
        _("Created"), _("Next deadline"), _("Visitor"), _("Phone"), _("Satisfaction"),
    ]  # fmt: skip


def _rows(cases, with_contacts: bool) -> Iterator[list[str]]:
    rows = (
        cases.select_related("workstation", "visit")
        .order_by("-created_at", "-pk")[:EXPORT_LIMIT]
        .iterator(chunk_size=2000)
    )
    for case in rows:
        visit = case.visit
        yield [
            case.number,
            case.title,
            case.get_category_display(),
            case.get_status_display(),
            case.workstation.name,
            timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"),
            case.next_due_on.isoformat() if case.next_due_on else "",
            visit.visitor_name if with_contacts else mask_name(visit.visitor_name),
            visit.visitor_phone if with_contacts else mask_phone(visit.visitor_phone),
            case.get_satisfaction_display(),
        ]


def export_cases(cases, fmt: str, *, with_contacts: bool = False):
    """The cases as a download. Contacts are masked unless `with_contacts`, which the
    caller allows only to users who handle every case in the list."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":

        def lines():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
            for row in chain([_header()], _rows(cases, with_contacts)):
                writer.writerow([neutralise(cell) for cell in row])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Cases"))
        sheet.append(_header())
        for row in _rows(cases, with_contacts):
            sheet.append([neutralise(cell) for cell in row])
        output = io.BytesIO()
        book.save(output)
        output.seek(0)
        return FileResponse(output, as_attachment=True, filename=f"cases-{stamp}.xlsx")
    raise Http404


def audit_detail(form: CaseFilterForm, *, with_contacts: bool) -> str:
    """What the audit log keeps of an export: the filters it read (ids, choices, dates)
    and, of a search, only what it looked like; never the term, nor what else the
    address carried."""
    parts = ["contacts"] if with_contacts else []
    for name, value in form.cleaned_data.items():
        if value in (None, "", False):
            continue
        shown = describe_search(value) if name == "q" else getattr(value, "pk", value)
        parts.append(f"{name}={shown}")
    return " ".join(parts)
