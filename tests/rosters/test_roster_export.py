"""The roster workbook as the office files it: a title row saying what it covers, a bold
header frozen below it, fitted columns, formula-like text as text cells; and the import still reads it back, title row and all, as well as sheets
without one."""

import io
from datetime import date, datetime, time

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from rosters.models import DutyShift
from rosters.roster_io import roster_export, roster_import

from ..factories import DutyAssignmentFactory, DutyShiftFactory, MemberFactory

HEADER = [
    "Workstation", "Date", "Starts at", "Ends at", "Holding group", "Theme", "Members",
    "Member ids (do not edit)",
]  # fmt: skip


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 1, 9, 30)), tick=False)


@pytest.fixture
def shifts(clock, workstation, other_workstation):
    zhang = MemberFactory(name="张委员", home_workstation=workstation)
    first = DutyShiftFactory(
        workstation=workstation, date=date(2026, 3, 4), starts_at=time(9), ends_at=time(12),
        holding_group=None, theme="=普法宣传",
    )  # fmt: skip
    DutyShiftFactory(
        workstation=other_workstation, date=date(2026, 3, 11), starts_at=time(14),
        ends_at=time(17), holding_group=None, theme="+86 热线宣传",
    )  # fmt: skip
    DutyAssignmentFactory(shift=first, member=zhang)
    return DutyShift.objects.all()


def sheet_of(data: bytes):
    return load_workbook(io.BytesIO(data)).active


def test_the_title_row_says_what_the_roster_covers(shifts, workstation, other_workstation):
    sheet = sheet_of(roster_export(shifts))

    assert sheet["A1"].value == (
        f"Duty roster · Workstation: {workstation.name}、{other_workstation.name}"
        " · Date: 2026-03-04 – 2026-03-11 · Shifts: 2 · Exported 2026-03-01 09:30"
    )
    assert [cell.value for cell in sheet[2]] == HEADER
    assert all(cell.font.b for cell in sheet[2])


def test_the_header_is_frozen_and_the_columns_fitted_the_ids_hidden(shifts):
    sheet = sheet_of(roster_export(shifts))

    assert sheet.freeze_panes == "A3"
    for column, label in enumerate(HEADER, start=1):
        letter = sheet.cell(2, column).column_letter
        assert sheet.column_dimensions[letter].width >= len(label), label
    assert sheet.column_dimensions["H"].hidden
    assert not any(sheet.column_dimensions[letter].hidden for letter in "ABCDEFG")


def test_a_theme_that_looks_like_a_formula_is_a_text_cell_without_a_quote(shifts):
    sheet = sheet_of(roster_export(shifts))

    themes = {cell.value: cell for (cell,) in sheet.iter_rows(min_col=6, max_col=6)}
    for text in ("=普法宣传", "+86 热线宣传"):
        assert (themes[text].data_type, themes[text].number_format) == ("s", "@")


def test_an_exported_sheet_edited_in_place_imports_and_reports_its_own_row_numbers(
    shifts, administrator
):
    book = load_workbook(io.BytesIO(roster_export(shifts)))
    book.active["F3"] = "法律咨询"  # the first shift's theme, edited
    book.active["D4"] = time(13)  # the second shift now ends before it starts
    edited = io.BytesIO()
    book.save(edited)

    result = roster_import(io.BytesIO(edited.getvalue()), actor=administrator)

    assert [error.row for error in result.errors] == [4]
    book.active["D4"] = time(17)
    fixed = io.BytesIO()
    book.save(fixed)
    result = roster_import(io.BytesIO(fixed.getvalue()), actor=administrator)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert DutyShift.objects.get(date=date(2026, 3, 4)).theme == "法律咨询"


def test_an_older_export_without_a_title_row_still_imports(shifts, administrator):
    book = load_workbook(io.BytesIO(roster_export(shifts)))
    book.active.delete_rows(1)  # as exports were before they had a title
    book.active["F2"] = "法律咨询"
    older = io.BytesIO()
    book.save(older)

    result = roster_import(io.BytesIO(older.getvalue()), actor=administrator)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert DutyShift.objects.get(date=date(2026, 3, 4)).theme == "法律咨询"
