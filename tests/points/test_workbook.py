"""The year's report-card workbook as the office files it: on both sheets a title row
naming the year, a bold header frozen below it, fitted columns; a name that looks like
a formula as a text cell, without a quote."""

import io
from datetime import date, datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.signing import force_login

from ..factories import MemberFactory
from .test_cards import YEAR, attend, make_bands, make_rules, take_part

# Member names hold at most 30 characters; PostgreSQL refuses a longer one.
NAME = '=HYPERLINK("http://x.cn","李")'


@pytest.fixture
def workbook(client, administrator, committed, time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 12, 1, 10, 0)), tick=False)
    make_rules()
    make_bands(excellent="5", competent="1")
    member = MemberFactory(name=NAME)
    attend(committed, member, date(2026, 3, 4))
    take_part(committed, [member, MemberFactory(name="王委员")], date(2026, 4, 1))
    force_login(client, administrator)
    client.cookies["django_language"] = "en"
    response = client.get(f"/report-cards/{YEAR}.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_each_sheet_has_a_title_row_naming_the_year(workbook):
    cards_sheet, entries_sheet = workbook.worksheets

    assert cards_sheet["A1"].value == "Report cards 2026 · Exported 2026-12-01 10:00"
    assert entries_sheet["A1"].value == "Report cards 2026 · Entries · Exported 2026-12-01 10:00"


def test_the_bold_headers_are_frozen_below_the_titles_and_the_columns_fitted(workbook):
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A3"
        header = [cell for cell in sheet[2] if cell.value]
        assert header and all(cell.font.b for cell in header)
        for cell in header:
            assert sheet.column_dimensions[cell.column_letter].width >= len(cell.value)


def test_a_name_that_looks_like_a_formula_is_a_text_cell_without_a_quote(workbook):
    cards_sheet, entries_sheet = workbook.worksheets

    names = [row[1] for row in cards_sheet.iter_rows()]
    names += [row[0] for row in entries_sheet.iter_rows()]
    formula_like = [cell for cell in names if "HYPERLINK" in str(cell.value)]
    assert len(formula_like) == 3  # the card, the duty and the consultation
    for cell in formula_like:
        assert (cell.value, cell.data_type, cell.number_format) == (NAME, "s", "@")
