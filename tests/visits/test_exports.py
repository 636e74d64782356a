"""Exports of the case list (`visits.exports` through `/cases/export.<fmt>`): the filtered
cases only, contacts masked unless asked for by someone who handles them, cells a
spreadsheet would run as formulas defused, and every export in the audit log.

Both formats are read back as a spreadsheet user would: the CSV with the csv module,
the workbook with openpyxl.
"""

import csv
import io
import re
from datetime import datetime, time

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from visits.models import Case

from ..factories import UserFactory, VisitFactory, open_case
from ..stories import MASKED_NAME, MASKED_PHONE, NAME, PHONE, answered

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

HEADER = [
    "Tracking number",
    "Title",
    "Category",
    "Status",
    "Workstation",
    "Created",
    "Next deadline",
    "Visitor",
    "Phone",
    "ID number",
    "Satisfaction",
]
FORMATS = ["csv", "xlsx"]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def rows_of(response, fmt: str) -> list[list[str]]:
    """The sheet as a list of rows, header first: of text in the CSV; in the workbook,
    below its title row (tests/test_spreadsheets.py), of text and date cells."""
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
    book = load_workbook(io.BytesIO(body(response)))
    sheet = book.worksheets[0]
    title, *rows = sheet.iter_rows(values_only=True)
    assert title[0] and not any(title[1:])
    return [["" if v is None else v for v in row] for row in rows]


def by_number(rows: list[list[str]]) -> dict[str, dict[str, str]]:
    return {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}


@pytest.fixture
def cases(world, staff, workstation, other_workstation) -> dict[str, Case]:
    return {
        "property": world.registered(workstation, title="小区物业不作为"),
        "property_referred": world.referred(workstation, title="物业费乱收"),
        "fire": world.registered(workstation, title="楼道堆物", category=Case.Category.FIRE_SAFETY),
        "answered": answered(
            visit=VisitFactory(workstation=workstation, visitor_phone=PHONE, visitor_name=NAME),
            actor=staff,
            note="当场答复",
            title="物业维修基金怎么用",
        ),
        "elsewhere": world.registered(other_workstation, title="胡家庙物业"),
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_contains_the_filtered_cases_only(client, cases, fmt):
    rows = rows_of(client.get(f"/cases/export.{fmt}", {"category": "property"}), fmt)

    assert rows[0] == HEADER
    expected = [cases[n] for n in ("answered", "property_referred", "property")]
    assert [row[0] for row in rows[1:]] == [c.number for c in expected]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_follows_the_search_and_status_filters_of_the_list(client, cases, fmt):
    rows = rows_of(client.get(f"/cases/export.{fmt}", {"q": "物业", "status": "registered"}), fmt)

    assert [row[0] for row in rows[1:]] == [cases["property"].number]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_is_not_cut_to_the_page_the_list_was_on(client, cases, fmt):
    # A cursor to the rows after 2026-01-01T00:00:00+00:00: a list page with none of these.
    cursor = "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHwx"
    assert client.get("/cases/", {"after": cursor}).context["page"].rows == []

    rows = rows_of(client.get(f"/cases/export.{fmt}", {"after": cursor}), fmt)

    assert len(rows) == 1 + 4


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_writes_what_the_case_list_shows(client, cases, fmt):
    rows = by_number(rows_of(client.get(f"/cases/export.{fmt}"), fmt))

    referred = cases["property_referred"]
    row = rows[referred.number]
    assert row["Title"] == "物业费乱收"
    assert row["Category"] == "Property management"
    assert row["Status"] == "Referred"
    assert row["Workstation"] == referred.workstation.name
    created = timezone.localtime(referred.created_at)
    if fmt == "csv":
        assert row["Created"] == created.strftime("%Y-%m-%d %H:%M")
        assert row["Next deadline"] == referred.next_due_on.isoformat()
    else:  # date cells, read back as datetimes
        assert row["Created"] == created.replace(tzinfo=None, microsecond=0)
        assert row["Next deadline"] == datetime.combine(referred.next_due_on, time())
    assert rows[cases["answered"].number]["Satisfaction"] == "Satisfied"
    assert rows[cases["answered"].number]["Next deadline"] == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_masks_names_and_phones_by_default(client, cases, fmt):
    response = client.get(f"/cases/export.{fmt}")
    rows = by_number(rows_of(response, fmt))

    for row in rows.values():
        assert (row["Visitor"], row["Phone"]) == (MASKED_NAME, MASKED_PHONE)
    if fmt == "csv":
        assert PHONE not in body(client.get("/cases/export.csv")).decode("utf-8-sig")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("persona", ["administrator", "staff", "member_user"])
def test_contacts_in_full_are_exported_only_when_asked_for_by_someone_who_handles_the_cases(
    request, sign_in, cases, member, fmt, persona
):
    cases["property"].handling_members.add(member)
    user = request.getfixturevalue(persona)

    rows = by_number(rows_of(sign_in(user).get(f"/cases/export.{fmt}", {"contacts": "1"}), fmt))

    assert rows
    for number, row in rows.items():
        case = Case.objects.get(number=number)
        visit = case.visit
        assert (row["Visitor"], row["Phone"]) == (visit.visitor_name, visit.visitor_phone)
        # Everything exported in full is something this user could reveal on the case page.
        assert sign_in(user).post(f"/cases/{number}/reveal/").status_code == 200


@pytest.mark.parametrize("value", ["0", "yes", "true", ""])
def test_only_contacts_1_asks_for_contacts_in_full(client, cases, value):
    rows = by_number(rows_of(client.get("/cases/export.csv", {"contacts": value}), "csv"))

    assert {row["Phone"] for row in rows.values()} == {MASKED_PHONE}


def test_a_user_without_a_role_asking_for_contacts_gets_an_empty_sheet(sign_in, cases):
    client = sign_in(UserFactory(username="clerk"))

    rows = rows_of(client.get("/cases/export.csv", {"contacts": "1"}), "csv")

    assert rows == [HEADER]


# The CSV quotes such text; the workbook types the cell as text instead
# (tests/test_spreadsheets.py reads the cell's type).
QUOTE = {"csv": "'", "xlsx": ""}
DANGEROUS = [
    '=HYPERLINK("http://evil.example","点击")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("text", DANGEROUS, ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(
    client, world, workstation, fmt, text
):
    case = world.registered(workstation, title=text)

    rows = by_number(rows_of(client.get(f"/cases/export.{fmt}"), fmt))

    # XML keeps no lone carriage return: the workbook gives it back as a line feed.
    assert rows[case.number]["Title"].replace("\n", "\r") == QUOTE[fmt] + text.replace("\n", "\r")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_visitors_name_that_looks_like_a_formula_is_defused_masked_or_not(
    client, staff, workstation, fmt
):
    visit = VisitFactory(workstation=workstation, visitor_name="=cmd|' /C calc'!A0")
    case = open_case(visit=visit, actor=staff)

    masked = by_number(rows_of(client.get(f"/cases/export.{fmt}"), fmt))[case.number]
    full = by_number(rows_of(client.get(f"/cases/export.{fmt}", {"contacts": "1"}), fmt))[
        case.number
    ]

    assert masked["Visitor"].startswith(QUOTE[fmt] + "=")
    assert full["Visitor"] == QUOTE[fmt] + "=cmd|' /C calc'!A0"


def test_the_workbook_holds_no_formula_at_all(client, world, workstation):
    for text in DANGEROUS:
        world.registered(workstation, title=text)

    book = load_workbook(io.BytesIO(body(client.get("/cases/export.xlsx"))))

    types = {cell.data_type for row in book.worksheets[0].iter_rows() for cell in row}
    assert "f" not in types


def test_text_that_merely_contains_an_equals_sign_is_left_alone(client, world, workstation):
    case = world.registered(workstation, title="物业费=每平米1.5元")

    rows = by_number(rows_of(client.get("/cases/export.csv"), "csv"))

    assert rows[case.number]["Title"] == "物业费=每平米1.5元"


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_an_export_is_a_dated_download(client, cases, fmt, content_type):
    response = client.get(f"/cases/export.{fmt}")

    assert response["Content-Type"] == content_type
    assert re.fullmatch(
        rf'attachment; filename="cases-\d{{8}}-\d{{4}}\.{fmt}"', response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]


def test_the_csv_starts_with_a_byte_order_mark_for_excel(client, cases):
    assert body(client.get("/cases/export.csv")).startswith("\ufeff".encode())


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_export_is_written_to_the_audit_log(sign_in, staff, cases, fmt):
    client = sign_in(staff, REMOTE_ADDR="10.9.8.7")

    body(client.get(f"/cases/export.{fmt}", {"category": "property"}))
    body(client.get(f"/cases/export.{fmt}", {"contacts": "1"}))

    plain, contacts = AuditEntry.objects.order_by("pk")
    assert (plain.user, plain.action, plain.target, plain.ip_address) == (
        staff,
        AuditEntry.Action.EXPORT,
        f"cases.{fmt}",
        "10.9.8.7",
    )
    assert plain.detail == "Category: Property management"
    assert contacts.detail == "Contacts in full"
    assert PHONE not in plain.detail + contacts.detail


def test_an_export_in_an_unknown_format_is_not_found_and_not_audited(client, cases):
    response = client.get("/cases/export.pdf")

    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


def test_staff_cannot_export_another_workstations_cases_by_filtering_to_it(
    client, cases, other_workstation
):
    rows = rows_of(client.get("/cases/export.csv", {"workstation": other_workstation.pk}), "csv")

    numbers = [row[0] for row in rows[1:]]
    assert cases["elsewhere"].number not in numbers
    assert len(numbers) == 4


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_export_speaks_chinese_by_default(sign_in, staff, cases, fmt):
    rows = rows_of(sign_in(staff, language="").get(f"/cases/export.{fmt}"), fmt)

    assert rows[0] == [
        "编号",
        "标题",
        "类别",
        "状态",
        "委员工作室",
        "创建时间",
        "下一期限",
        "来访人",
        "电话",
        "身份证号",
        "满意度",
    ]
    assert {row[3] for row in rows[1:]} == {"已登记", "已转办", "已回访"}
