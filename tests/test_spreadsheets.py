"""Workbooks fit for the office (`base.spreadsheets.write_sheet`), shown on the case
list's export: a title row naming the filters used, a bold header frozen below it,
columns as wide as their content, real date cells, and text a spreadsheet would run as
a formula typed as text rather than quoted; the CSV keeps its quote.

Read back with openpyxl, as a spreadsheet user's program would."""

import csv
import io
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from visits import lifecycle
from visits.models import Case

from .factories import DepartmentFactory, MemberFactory, VisitFactory, open_case

NOW = datetime(2026, 6, 15, 10, 0)
PHONE = "13812345678"
HEADER = [
    "Tracking number", "Title", "Category", "Status", "Workstation", "Created",
    "Next deadline", "Visitor", "Phone", "ID number", "Satisfaction",
]  # fmt: skip
COLUMN = {label: index for index, label in enumerate(HEADER, start=1)}
FORMULA_LIKE = [
    '=HYPERLINK("http://evil.example","点击")',
    "+86 138 1234 5678",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.make_aware(NOW), tick=False)
    return time_machine


@pytest.fixture
def client(sign_in, staff):
    return sign_in(staff)


@pytest.fixture
def cases(clock, working_calendar, staff, workstation) -> dict[str, Case]:
    visit = VisitFactory(workstation=workstation, visitor_name="王小明", visitor_phone=PHONE)
    registered = open_case(visit=visit, actor=staff, title="小区物业不作为")
    referred = open_case(workstation=workstation, actor=staff, title="物业费乱收")
    lifecycle.case_refer(
        case=referred, actor=staff, department=DepartmentFactory(name="区住建局"), note="转办"
    )
    withdrawn = lifecycle.case_withdraw(
        case=open_case(workstation=workstation, actor=staff, title="噪音扰民"), actor=staff
    )
    return {
        "registered": registered,
        "referred": Case.objects.get(pk=referred.pk),
        "withdrawn": withdrawn,
    }


def sheet_of(response):
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]


def row_of(sheet, number: str) -> dict[str, object]:
    """The cells of a case's row, by header."""
    for row in sheet.iter_rows():
        if row[0].value == number:
            return dict(zip(HEADER, row, strict=True))
    raise AssertionError(f"{number} is not in the sheet")


# --- the title row ---------------------------------------------------------------------


def test_the_title_row_names_the_list_and_the_filters_used(client, cases, workstation):
    sheet = sheet_of(
        client.get(
            "/cases/export.xlsx",
            {
                "workstation": workstation.pk,
                "status": "referred",
                "overdue": "on",
                "sort": "oldest",
            },
        )
    )

    assert sheet["A1"].value == (
        f"Case list · Workstation: {workstation.name} · Status: Referred · Overdue only"
        " · Exported 2026-06-15 10:00"
    )
    assert sheet["A1"].font.b
    assert [sheet.cell(1, column).value for column in range(2, 11)] == [None] * 9


def test_the_title_row_speaks_chinese_by_default(sign_in, staff, cases):
    client = sign_in(staff, language="")

    sheet = sheet_of(
        client.get("/cases/export.xlsx", {"category": "property", "created_from": "2026-06-01"})
    )

    assert sheet["A1"].value == (
        "诉求列表 · 类别：物业治理 · 创建日期（起）：2026-06-01 · 导出于 2026-06-15 10:00"
    )


def test_the_title_row_names_a_handling_member_and_a_department_by_name(
    client, cases, staff, workstation
):
    member = MemberFactory(name="李委员", home_workstation=workstation)
    cases["referred"].handling_members.add(member)
    department = cases["referred"].referrals.get().department

    sheet = sheet_of(
        client.get("/cases/export.xlsx", {"member": member.pk, "department": department.pk})
    )

    assert "Department: 区住建局 · Handling member: 李委员 · " in sheet["A1"].value
    assert row_of(sheet, cases["referred"].number)["Title"].value == "物业费乱收"


def test_a_search_is_named_by_its_shape_only_as_in_the_audit_log(client, cases):
    number = cases["registered"].number  # XC-2026-000001, in the tracking number's place

    sheet = sheet_of(client.get("/cases/export.xlsx", {"q": number}))

    assert sheet["A1"].value == (
        f"Case list · Search: a number, {len(number)} characters · Exported 2026-06-15 10:00"
    )
    assert number not in sheet["A1"].value
    assert row_of(sheet, number)  # the search found it
    text = sheet_of(client.get("/cases/export.xlsx", {"q": "物业"}))["A1"].value
    assert "Search: text, 2 characters" in text and "物业" not in text


def test_the_title_says_when_contacts_are_in_full_and_when_the_sort_filters(
    sign_in, administrator, cases
):
    client = sign_in(administrator)

    sheet = sheet_of(client.get("/cases/export.xlsx", {"contacts": "1", "sort": "deadline"}))

    assert sheet["A1"].value == (
        "Case list · Only cases with a deadline · Contacts in full · Exported 2026-06-15 10:00"
    )
    # The title, the header, the two open cases (each has a deadline); the withdrawn has none.
    assert sheet.max_row == 4


def test_an_unfiltered_export_has_a_title_too(client, cases):
    assert sheet_of(client.get("/cases/export.xlsx"))["A1"].value == (
        "Case list · Exported 2026-06-15 10:00"
    )


# --- the header and the columns --------------------------------------------------------


def test_the_bold_header_is_frozen_below_the_title_and_filterable(client, cases):
    sheet = sheet_of(client.get("/cases/export.xlsx"))

    assert [cell.value for cell in sheet[2]] == HEADER
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:K5"  # the header and the three cases
    assert sheet.print_title_rows == "$1:$2"  # printed on every page


def test_each_column_is_as_wide_as_its_header_and_its_content(client, cases):
    sheet = sheet_of(client.get("/cases/export.xlsx"))

    for label, column in COLUMN.items():
        letter = sheet.cell(2, column).column_letter
        assert sheet.column_dimensions[letter].width >= len(label), label
    # A Chinese character takes two places: 小区物业不作为 is 14 wide.
    assert sheet.column_dimensions["B"].width >= 14
    assert sheet.column_dimensions["F"].width >= len("2026-06-15 10:00")


# --- the cells ---------------------------------------------------------------------------


def test_the_creation_time_and_the_deadline_are_date_cells(client, cases):
    referred = cases["referred"]

    row = row_of(sheet_of(client.get("/cases/export.xlsx")), referred.number)

    created, deadline = row["Created"], row["Next deadline"]
    assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm"
    assert created.value == NOW  # the time in Xi'an, as the case list shows it
    assert deadline.is_date and deadline.number_format == "yyyy-mm-dd"
    assert deadline.value.date() == referred.next_due_on
    assert (
        row_of(sheet_of(client.get("/cases/export.xlsx")), cases["withdrawn"].number)[
            "Next deadline"
        ].value
        is None
    )


@pytest.mark.parametrize("text", FORMULA_LIKE, ids=["equals", "plus", "minus", "at", "tab"])
def test_a_title_that_looks_like_a_formula_is_a_text_cell_without_a_quote(
    client, clock, working_calendar, staff, workstation, text
):
    case = open_case(workstation=workstation, actor=staff, title=text)

    cell = row_of(sheet_of(client.get("/cases/export.xlsx")), case.number)["Title"]

    assert cell.value == text
    assert (cell.data_type, cell.number_format) == ("s", "@")


@pytest.mark.parametrize("text", FORMULA_LIKE, ids=["equals", "plus", "minus", "at", "tab"])
def test_the_csv_keeps_its_quote_before_text_that_looks_like_a_formula(
    client, clock, working_calendar, staff, workstation, text
):
    case = open_case(workstation=workstation, actor=staff, title=text)
    response = client.get("/cases/export.csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    assert rows[0] == HEADER  # no title row in a CSV: it is read by programs too
    row = next(row for row in rows if row[0] == case.number)
    assert row[COLUMN["Title"] - 1] == "'" + text
    assert row[COLUMN["Created"] - 1] == "2026-06-15 10:00"
