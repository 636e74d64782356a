"""The audit log as the auditor downloads it: the rows of admin's filtered list, as CSV.

The audit app sits beside `base`, not above it, so it does not use base.spreadsheets:
the one rule it needs from there, that a cell a spreadsheet would run as a formula gets
a quote in front, is kept here."""

import csv
import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from .models import AuditEntry
from .services import search_words

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The search box's query parameter in admin's lists.
SEARCH = "q"
COLUMNS = ["at", "user", "ip_address", "action", "target", "detail"]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _lines(entries: QuerySet[AuditEntry]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer.writerow([str(AuditEntry._meta.get_field(name).verbose_name) for name in COLUMNS])
    for entry in entries.select_related("user").iterator(chunk_size=2000):
        at = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S")
        user = entry.user.get_username() if entry.user else ""
        row = [at, user, entry.ip_address, entry.get_action_display(), entry.target, entry.detail]
        writer.writerow([_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def export_entries(entries: QuerySet[AuditEntry]) -> StreamingHttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response


def audit_detail(params) -> str:
    """What the log keeps of its own export: the filters, a search only by what it looked
    like (it may be a name or a phone)."""
    words = []
    for key in sorted(params):
        value = params[key]
        if key == SEARCH:
            value = search_words(value)
        words.append(f"{key}={value}")
    return ", ".join(words)
