"""The office sheet of base.spreadsheets on its own: widths, hidden columns, date cells,
the title line. (The case list's export shows the rest: tests/test_spreadsheets.py.)"""

import io
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from base.spreadsheets import MAX_WIDTH, display_width, title_line, write_sheet


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 15, 10, 0)), tick=False)
    return time_machine


def written(rows, **kwargs):
    book = Workbook(write_only=True)
    write_sheet(book, "Sheet", title="Title", header=["A", "B"], rows=rows, **kwargs)
    output = io.BytesIO()
    book.save(output)
    return load_workbook(output).worksheets[0]


def test_chinese_characters_count_double_and_widths_are_capped():
    assert display_width("新城区") == 6 and display_width("ab") == 2
    assert display_width("第一行\nlonger line") == 11

    sheet = written([["新城区西一路", "x" * 200]])

    assert sheet.column_dimensions["A"].width == 12 + 2
    assert sheet.column_dimensions["B"].width == MAX_WIDTH


def test_an_aware_datetime_is_written_as_the_wall_clock_time_in_xian():
    moment = datetime(2026, 3, 4, 1, 30, 15, 999, tzinfo=UTC)

    cell = written([[moment, date(2026, 3, 4)]])["A3"]

    assert cell.value == datetime(2026, 3, 4, 9, 30, 15)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    assert cell.offset(column=1).number_format == "yyyy-mm-dd"


def test_hidden_columns_are_hidden():
    sheet = written([["a", "b"]], hidden={2})

    assert sheet.column_dimensions["B"].hidden and not sheet.column_dimensions["A"].hidden


def test_a_workbook_that_is_not_write_only_is_refused():
    with pytest.raises(ValueError):
        write_sheet(Workbook(), "Sheet", title="Title", header=["A"], rows=[])


def test_a_title_line_joins_the_subject_the_filters_and_the_time(clock):
    filters = [("Status", "Referred"), ("Overdue only", None)]
    with translation.override("en"):
        assert title_line("Cases", filters) == (
            "Cases · Status: Referred · Overdue only · Exported 2026-06-15 10:00"
        )
    with translation.override("zh-hans"):
        assert title_line("诉求列表", [("状态", "已转办")]) == (
            "诉求列表 · 状态：已转办 · 导出于 2026-06-15 10:00"
        )
