"""Excel and CSV exports of a case list, with personal data masked unless the
user handles the case, and cells that a spreadsheet would run as formulas defused: in
the CSV by a quote in front, in the workbook by typing the cell as text. The workbook
is laid out for the office (base.spreadsheets.write_sheet): a title row with the filters
used, a frozen header, fitted columns, real date cells."""

import csv
import datetime
import io
from collections.abc import Iterator
from itertools import chain

from django import forms
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from audit.services import search_words
from base.spreadsheets import filters_text, neutralise, title_line, write_sheet

from .forms import CaseFilterForm
from .masking import mask_id_number, mask_name, mask_phone

# More rows than any workstation's filtered list needs; a larger export is an
# office report, not a staff download.
EXPORT_LIMIT = 20000


def _header() -> list[str]:
    return [
        _("Tracking number"), _("Title"), _("Category"), _("Status"), _("Workstation"),
        _("Created"), _("Next deadline"), _("Visitor"), _("Phone"), _("ID number"),
        _("Satisfaction"),
    ]  # fmt: skip


def _rows(cases, with_contacts: bool) -> Iterator[list]:
    """The cases' cells as values: the creation time as a datetime, the deadline as a
    date (or None), the rest as text."""
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
            case.created_at,
            case.next_due_on,
            visit.visitor_name if with_contacts else mask_name(visit.visitor_name),
            visit.visitor_phone if with_contacts else mask_phone(visit.visitor_phone),
            # Masked even with the contacts: a file leaves the audit log's sight, and the
            # masked number is enough to tell it against the card; the case page reveals it.
            mask_id_number(visit.visitor_id_number),
            case.get_satisfaction_display(),
        ]


def _csv_text(value) -> str:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return neutralise(value)


def filter_words(
    form: CaseFilterForm | None, *, with_contacts: bool
) -> list[tuple[str, str | None]]:
    """The filters of an export in the words of the filter form: its labels and the
    chosen values' labels. A search is told by what it looked like only, as in the audit
    log: a name or phone typed into the search box is personal data."""
    words: list[tuple[str, str | None]] = []
    data = form.cleaned_data if form is not None else {}
    for name, value in data.items():
        if value in (None, "", False) or name == "sort":
            continue
        field = form.fields[name]
        if name == "q":
            shown = search_words(value)
        elif isinstance(value, bool):
            shown = None
        elif isinstance(value, datetime.date):
            shown = value.isoformat()
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            shown = str(dict(field.choices).get(value, value))
        else:
            shown = str(value)
        words.append((str(field.label), shown))
    # The export is always newest first; of the sorts, only the one by deadline filters.
    if form is not None and form.sort_key == "deadline":
        words.append((_("Only cases with a deadline"), None))
    if with_contacts:
        words.append((_("Contacts in full"), None))
    return words


def export_cases(
    cases, fmt: str, *, with_contacts: bool = False, form: CaseFilterForm | None = None
):
    """The cases as a download. Contacts are masked unless `with_contacts`, which the
    caller allows only to users who handle every case in the list. The workbook's title
    row names the filters of `form`."""
    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    if fmt == "csv":

        def lines():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
            for row in chain([_header()], _rows(cases, with_contacts)):
                writer.writerow([_csv_text(cell) for cell in row])
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
        return response
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        write_sheet(
            book,
            _("Cases"),
            title=title_line(
                _("Case list"),
                filter_words(form, with_contacts=with_contacts),
                exported_at=now,
            ),
            header=_header(),
            rows=_rows(cases, with_contacts),
        )
        output = io.BytesIO()
        book.save(output)
        output.seek(0)
        return FileResponse(output, as_attachment=True, filename=f"cases-{stamp}.xlsx")
    raise Http404


def audit_detail(form: CaseFilterForm, *, with_contacts: bool) -> str:
    """What the audit log keeps of an export: the filters it read in the words of the
    workbook's title (状态：已转办 · 工作站：… · 搜索：文字，3 个字符), a search only by
    what it looked like; never the term, nor what else the address carried."""
    return filters_text(filter_words(form, with_contacts=with_contacts))
