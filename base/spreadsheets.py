"""What every spreadsheet download of the project shares.

CSV: cells a spreadsheet would run as formulas get a quote in front (`neutralise`).

Excel (`write_sheet`): a sheet fit to be printed and filed — a title row naming the
subject and the filter used (`title_line`), a bold header row frozen below it and
repeated on every printed page, columns as wide as their content, dates and times as
real date cells, and text that would be run as a formula typed as text instead of
quoted, so that it reads back exactly as it was written.
"""

import datetime
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from itertools import chain, islice

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"
TEXT_FORMAT = "@"
# Widths in Excel's units (about one Latin character; a Chinese one takes two).
MAX_WIDTH = 50
_PADDING = 2
# The rows a column's width is measured on: enough for a sheet's look, while a large
# export still streams past them.
FIT_ROWS = 1000
TITLE_ROW, HEADER_ROW = 1, 2
_SEPARATOR = " · "
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=12)


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would run the text as a formula (or a DDE command)."""
    return text.startswith(_FORMULA_START)


def neutralise(value) -> str:
    """Prefix text a spreadsheet would run as a formula with a quote (for CSV, which
    has no cell types)."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text


def filter_phrases(filters: Iterable[tuple[str, str | None]]) -> list[str]:
    """Each filter in words, “Label: value” (“状态：已转办”), or its label alone when it
    has no value (a checkbox)."""
    return [
        str(label)
        if value is None
        else _("%(label)s: %(value)s") % {"label": label, "value": value}
        for label, value in filters
    ]


def filters_text(filters: Iterable[tuple[str, str | None]]) -> str:
    """The filters in words, one after the other: “状态：已转办 · 工作站：西一路…”."""
    return _SEPARATOR.join(filter_phrases(filters))


def title_line(
    subject: str,
    filters: Iterable[tuple[str, str | None]] = (),
    *,
    exported_at: datetime.datetime | None = None,
) -> str:
    """“Subject · Label: value · … · Exported 2026-12-01 10:00”. A filter without a
    value (a checkbox) is named by its label alone."""
    parts = [subject, *filter_phrases(filters)]
    when = timezone.localtime(exported_at or timezone.now())
    parts.append(_("Exported %(when)s") % {"when": when.strftime("%Y-%m-%d %H:%M")})
    return _SEPARATOR.join(parts)


def _naive_local(value: datetime.datetime) -> datetime.datetime:
    # Excel has no time zones: the wall-clock time of the project's zone, to the second.
    if timezone.is_aware(value):
        value = timezone.localtime(value).replace(tzinfo=None)
    return value.replace(microsecond=0)


def cell_value(sheet, value):
    """What to append for a value: dates, datetimes and times as date cells with a
    format; formula-like text as a text-typed cell; other text and numbers as they are."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return _styled(sheet, _naive_local(value), DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return _styled(sheet, value, DATE_FORMAT)
    if isinstance(value, datetime.time):
        return _styled(sheet, value.replace(microsecond=0), TIME_FORMAT)
    text = str(value)
    if not is_formula_like(text):
        return text
    # openpyxl takes text starting with "=" for a formula: the type is forced back to
    # text, and the Text format keeps it text when someone edits the cell in Excel.
    cell = _styled(sheet, text, TEXT_FORMAT)
    cell.data_type = "s"
    return cell


def _styled(sheet, value, number_format: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def display_width(value) -> int:
    """How many Latin characters wide the value shows (Chinese characters count two)."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        return len("2026-12-01 10:00")
    if isinstance(value, datetime.date):
        return len("2026-12-01")
    if isinstance(value, datetime.time):
        return len("10:00")
    lines = str(value).splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)
        for line in lines
    )


def write_sheet(
    book: Workbook,
    name: str,
    *,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    hidden: Collection[int] = (),
) -> None:
    """Add a sheet to a write-only workbook: the title in row 1, the header in row 2
    (bold, frozen, filterable, printed on every page), then the rows. Columns are fitted
    to the header and the first FIT_ROWS rows, up to MAX_WIDTH; the columns in `hidden`
    (1-based) are hidden."""
    if not getattr(book, "write_only", False):
        raise ValueError("write_sheet writes to a write-only workbook")
    sheet = book.create_sheet(name)
    rows = iter(rows)
    sample = list(islice(rows, FIT_ROWS))
    # Everything above the rows (widths, panes, print setup) goes out with the first row.
    for column in range(1, len(header) + 1):
        width = max(display_width(row[column - 1]) for row in chain([header], sample))
        dimension = sheet.column_dimensions[get_column_letter(column)]
        dimension.width = min(MAX_WIDTH, width + _PADDING)
        dimension.hidden = column in hidden
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0

    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = _TITLE_FONT
    sheet.append([title_cell])
    header_cells = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=str(label))
        cell.font = _BOLD
        header_cells.append(cell)
    sheet.append(header_cells)
    last_row = HEADER_ROW
    for row in chain(sample, rows):
        sheet.append([cell_value(sheet, value) for value in row])
        last_row += 1
    # Written after the rows, so known only now.
    last_column = get_column_letter(len(header))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{last_row}"
