"""Rosters to Excel and back: a clean round trip changes nothing, an edited sheet
imports, and any bad row is reported by its number while nothing is imported."""

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import AuditEntry
from rosters.models import DutyAssignment, DutyChange, DutyShift
from rosters.roster_io import XLSX_CONTENT_TYPE, roster_export, roster_import
from tests.signing import force_login

from ..admin_pages import administrator_without
from ..factories import (
    ActivityGroupFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
)

DAY = date(2026, 3, 4)
IMPORT_URL = "admin:rosters_dutyshift_import"
CHANGELIST_URL = "admin:rosters_dutyshift_changelist"


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def roster(workstation, other_workstation):
    """Three shifts on two workstations; two members share a name."""
    group = ActivityGroupFactory(name="法制组")
    zhang = MemberFactory(name="张委员", home_workstation=workstation)
    li = MemberFactory(name="李委员", home_workstation=workstation)
    li_other = MemberFactory(name="李委员", home_workstation=other_workstation)
    morning = DutyShiftFactory(
        workstation=workstation, date=DAY, starts_at=time(9), ends_at=time(12), holding_group=group
    )
    afternoon = DutyShiftFactory(
        workstation=workstation,
        date=DAY,
        starts_at=time(14),
        ends_at=time(17),
        holding_group=None,
        theme="=普法宣传",
    )
    elsewhere = DutyShiftFactory(
        workstation=other_workstation, date=DAY, starts_at=time(9), ends_at=time(12)
    )
    DutyAssignmentFactory(shift=morning, member=zhang)
    DutyAssignmentFactory(shift=morning, member=li)
    DutyAssignmentFactory(shift=afternoon, member=li_other)
    DutyAssignmentFactory(shift=elsewhere, member=li_other)
    return {"zhang": zhang, "li": li, "li_other": li_other, "morning": morning}


def _snapshot() -> tuple:
    shifts = sorted(
        DutyShift.objects.values_list(
            "pk", "workstation", "date", "starts_at", "ends_at", "holding_group", "theme"
        )
    )
    assignments = sorted(DutyAssignment.objects.values_list("pk", "shift", "member"))
    return shifts, assignments


def _rows(data: bytes) -> list[list]:
    """An exported sheet from its header down; the title row above the header holds
    one cell (what it says: tests/rosters/test_roster_export.py)."""
    sheet = load_workbook(io.BytesIO(data)).active
    title, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert title[0] and not any(title[1:])
    return rows


def _workbook(rows: list[list]) -> io.BytesIO:
    """A sheet as a person would save it: the header, then the rows."""
    book = Workbook()
    book.active.append(["工作室", "日期", "开始", "结束", "轮值小组", "主题", "委员", "编号"])
    for row in rows:
        book.active.append(row)
        for cell in book.active[book.active.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # as Excel keeps "=…" typed into a text cell
    output = io.BytesIO()
    book.save(output)
    output.seek(0)
    return output


def _row(workstation, day=DAY, start="09:00", end="12:00", group="", theme="", members=""):
    return [workstation.name, day, start, end, group, theme, members, None]


# --- export and round trip -----------------------------------------------------------


def test_the_export_has_one_row_per_shift_in_date_and_time_order(roster, workstation):
    rows = _rows(roster_export(DutyShift.objects.all()))
    assert len(rows) == 4
    assert [(row[1], row[2]) for row in rows[1:]] == [
        (datetime(2026, 3, 4), time(9)),
        (datetime(2026, 3, 4), time(9)),
        (datetime(2026, 3, 4), time(14)),
    ]
    morning = next(row for row in rows if row[0] == workstation.name)
    assert morning[:7] == [
        workstation.name,
        datetime(2026, 3, 4),
        time(9),
        time(12),
        "法制组",
        None,
        "张委员、李委员",
    ]
    assert morning[7] == f"{roster['zhang'].pk}、{roster['li'].pk}"


def test_exported_text_that_looks_like_a_formula_stays_text(roster):
    rows = _rows(roster_export(DutyShift.objects.filter(theme__startswith="=")))
    assert rows[1][5] == "=普法宣传"


def test_a_clean_round_trip_changes_nothing(roster, administrator):
    before = _snapshot()
    result = roster_import(io.BytesIO(roster_export(DutyShift.objects.all())), actor=administrator)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert _snapshot() == before
    assert not LogEntry.objects.exists()


def test_the_hidden_ids_tell_apart_members_of_the_same_name(roster, administrator):
    data = roster_export(DutyShift.objects.all())
    sheet = _rows(data)
    # Move the afternoon's 李委员 (the other workstation's) to the morning instead.
    rows = sheet[1:]
    afternoon_row = next(row for row in rows if row[2] == time(14))
    afternoon_row[6], afternoon_row[7] = "李委员", str(roster["li"].pk)
    result = roster_import(_workbook(rows), actor=administrator)
    assert result.ok, result.errors
    afternoon = DutyShift.objects.get(starts_at=time(14))
    assert list(afternoon.members.all()) == [roster["li"]]


# --- an edited sheet -----------------------------------------------------------------


def test_an_edited_sheet_adds_a_shift_and_changes_a_member(roster, administrator, workstation):
    sheet = _rows(roster_export(DutyShift.objects.all()))
    rows = [row for row in sheet[1:]]
    morning = next(row for row in rows if row[2] == time(9) and row[0] == workstation.name)
    morning[6] = "张委员"  # 李委员 leaves the morning shift
    new_member = MemberFactory(name="王委员", home_workstation=workstation)
    rows.append(
        _row(
            workstation,
            day="2026-03-11",
            start="9:00",
            end="11:30",
            group="法制组",
            theme="法律咨询",
            members="王委员、张委员",
        )
    )
    result = roster_import(_workbook(rows), actor=administrator)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert list(roster["morning"].members.all()) == [roster["zhang"]]
    added = DutyShift.objects.get(date=date(2026, 3, 11))
    assert (added.workstation, added.starts_at, added.ends_at) == (
        workstation,
        time(9),
        time(11, 30),
    )
    assert added.holding_group.name == "法制组" and added.theme == "法律咨询"
    assert set(added.members.all()) == {new_member, roster["zhang"]}
    flags = sorted(LogEntry.objects.values_list("action_flag", "object_id"))
    assert flags == sorted([(ADDITION, str(added.pk)), (CHANGE, str(roster["morning"].pk))])
    assert set(LogEntry.objects.values_list("user", flat=True)) == {administrator.pk}


def test_the_import_runs_the_same_number_of_queries_for_3_rows_as_for_30(
    administrator, workstation, django_assert_max_num_queries
):
    MemberFactory(name="张委员", home_workstation=workstation)

    def sheet(n: int) -> io.BytesIO:
        return _workbook(
            [_row(workstation, day=date(2026, 4, day), members="张委员") for day in range(1, n + 1)]
        )

    # Savepoint, lookups (3), lock, prefetch, inserts (2), content type, log entries …
    with django_assert_max_num_queries(12):
        assert roster_import(sheet(3), actor=administrator).created == 3
    DutyShift.objects.all().delete()
    with django_assert_max_num_queries(12):
        assert roster_import(sheet(30), actor=administrator).created == 30


# --- bad rows ------------------------------------------------------------------------


def _bad_rows(workstation, other_workstation) -> list[tuple[list, str]]:
    """Each bad row and what the report says about it; row numbers follow from order."""
    return [
        (_row(workstation, members="张委员"), ""),  # a good row among the bad ones
        ([ "不存在的工作室", DAY, "09:00", "12:00", "", "", "", None], "Unknown workstation"),
        (_row(workstation, day="下周三"), "is not a date"),
        (_row(workstation, day=date(2026, 3, 5), start="9点"), "is not a start time"),
        (_row(workstation, day=date(2026, 3, 6), start="12:00", end="09:00"), "ends at or before"),
        (_row(workstation, day=date(2026, 3, 7), group="没有这个组"), "Unknown activity group"),
        (_row(workstation, day=date(2026, 3, 8), members="查无此人"), "Unknown member"),
        (_row(workstation, day=date(2026, 3, 9), members="李委员"), "More than one member"),
        (_row(workstation, day=date(2026, 3, 10), members="张委员、张委员"), "twice"),
        (_row(workstation, start="11:00", end="13:00"), "overlaps the shift in row 2"),
        (_row(other_workstation, start="10:00", end="11:00"), "overlaps the saved shift"),
    ]  # fmt: skip


def test_every_bad_row_is_reported_by_number_and_nothing_is_imported(
    administrator, workstation, other_workstation
):
    MemberFactory(name="张委员", home_workstation=workstation)
    MemberFactory(name="李委员", home_workstation=workstation)
    MemberFactory(name="李委员", home_workstation=other_workstation)
    DutyShiftFactory(workstation=other_workstation, date=DAY, starts_at=time(9), ends_at=time(12))
    before = _snapshot()
    cases = _bad_rows(workstation, other_workstation)

    result = roster_import(_workbook([row for row, _ in cases]), actor=administrator)

    assert not result.ok
    for number, (_row_values, expected) in enumerate(cases, start=2):
        messages = [error.message for error in result.errors if error.row == number]
        if expected:
            assert any(expected in message for message in messages), (number, messages)
        else:
            assert messages == []
    assert _snapshot() == before
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["不存在的工作室", DAY, "09:00", "12:00", "", "", "", None], "Unknown workstation"),
        ([None, DAY, "09:00", "12:00", "", "", "", None], "workstation is missing"),
        (["@ws", DAY, "13:00", "14:00", "", "", "查无此人", None], "Unknown member"),
        (["@ws", DAY, "14:00", "10:00", "", "", "", None], "ends at or before"),
        (["@ws", DAY, "08:00", "10:00", "", "", "", None], "overlaps the saved shift"),
        (["@ws", DAY, "13:00", "14:00", "", "x" * 101, "", None], "longer than 100"),
    ],
)
def test_one_bad_row_among_good_ones_stops_the_whole_import(
    administrator, workstation, row, expected
):
    DutyShiftFactory(workstation=workstation, date=DAY, starts_at=time(9, 30), ends_at=time(12))
    if row[0] == "@ws":
        row = [workstation.name, *row[1:]]
    good = [_row(workstation, day=date(2026, 5, d)) for d in (1, 2)]
    before = _snapshot()
    result = roster_import(_workbook([good[0], row, good[1]]), actor=administrator)
    assert [error.row for error in result.errors] == [3]
    assert expected in result.errors[0].message
    assert _snapshot() == before


def test_a_member_with_recorded_attendance_cannot_be_taken_off_the_shift(roster, administrator):
    assignment = DutyAssignment.objects.get(shift=roster["morning"], member=roster["li"])
    DutyChange.objects.create(assignment=assignment, kind=DutyChange.Kind.ATTENDANCE)
    sheet = _rows(roster_export(DutyShift.objects.filter(pk=roster["morning"].pk)))
    sheet[1][6], sheet[1][7] = "张委员", str(roster["zhang"].pk)
    before = _snapshot()
    result = roster_import(_workbook(sheet[1:]), actor=administrator)
    assert [error.row for error in result.errors] == [2]
    assert "李委员" in result.errors[0].message
    assert _snapshot() == before


def test_an_inactive_member_is_not_put_on_a_new_shift(administrator, workstation):
    MemberFactory(name="张委员", home_workstation=workstation, is_active=False)
    result = roster_import(_workbook([_row(workstation, members="张委员")]), actor=administrator)
    assert [error.row for error in result.errors] == [2]
    assert "no longer active" in result.errors[0].message
    assert not DutyShift.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(administrator):
    result = roster_import(io.BytesIO(b"not a spreadsheet"), actor=administrator)
    assert [error.row for error in result.errors] == [0]


def _rewritten(book: io.BytesIO, part: str, change: Callable[[str], str]) -> io.BytesIO:
    """The workbook with one of its XML parts changed as a hostile sender would."""
    source, output = zipfile.ZipFile(book), io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data.decode()) if item.filename == part else data)
    output.seek(0)
    return output


# A "billion laughs": ten entities, each ten times the one before, a gigabyte of text.
ENTITIES = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
)
BOMBS = {
    "xl/worksheets/sheet1.xml": (
        "</sheetData>",
        '<row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>',
    ),
    "docProps/core.xml": ("<dc:creator>", "<dc:creator>&lol9;"),
}


@pytest.mark.parametrize("part", BOMBS)
def test_a_workbook_declaring_nested_xml_entities_is_refused_and_nothing_is_imported(
    administrator, workstation, part
):
    # Python's parser stopped the expansion with a ParseError nobody caught: a 500.
    MemberFactory(name="张委员", home_workstation=workstation)
    find, replace = BOMBS[part]
    sheet = _rewritten(
        _workbook([_row(workstation, members="张委员")]),
        part,
        lambda xml: f"<!DOCTYPE root [{ENTITIES}]>" + xml.replace(find, replace, 1),
    )

    result = roster_import(sheet, actor=administrator)

    assert [(error.row, error.message) for error in result.errors] == [
        (0, "The file is not an Excel workbook (.xlsx).")
    ]
    assert not DutyShift.objects.exists()


def test_a_workbook_declaring_even_one_small_xml_entity_is_refused(administrator, workstation):
    # Python's own parser expands what stays below its limits; defusedxml refuses any.
    MemberFactory(name="张委员", home_workstation=workstation)
    sheet = _rewritten(
        _workbook([_row(workstation, members="张委员")]),
        "xl/worksheets/sheet1.xml",
        lambda xml: '<!DOCTYPE root [<!ENTITY name "x">]>' + xml,
    )

    result = roster_import(sheet, actor=administrator)

    assert [error.row for error in result.errors] == [0]
    assert not DutyShift.objects.exists()


def test_a_workbook_whose_sheet_is_broken_xml_is_refused(administrator, workstation):
    sheet = _rewritten(
        _workbook([_row(workstation, theme="普法")]),
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace("<t>普法</t>", "<t>普法</is>"),
    )

    result = roster_import(sheet, actor=administrator)

    assert [error.row for error in result.errors] == [0]
    assert not DutyShift.objects.exists()


# --- admin ---------------------------------------------------------------------------


def _upload(data: bytes | io.BytesIO) -> SimpleUploadedFile:
    content = data.getvalue() if isinstance(data, io.BytesIO) else data
    return SimpleUploadedFile("roster.xlsx", content, content_type=XLSX_CONTENT_TYPE)


def test_the_changelist_links_to_the_import_page(admin_client, roster):
    response = admin_client.get(reverse(CHANGELIST_URL))
    assert reverse(IMPORT_URL) in response.content.decode()


def test_the_import_page_renders_for_the_administrator(admin_client):
    response = admin_client.get(reverse(IMPORT_URL))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()
    assert "<script>" not in response.content.decode()
    assert " style=" not in response.content.decode()


def test_the_import_page_imports_a_good_file_and_says_what_it_did(admin_client, workstation):
    MemberFactory(name="张委员", home_workstation=workstation)
    sheet = _workbook([_row(workstation, members="张委员")])
    response = admin_client.post(reverse(IMPORT_URL), {"file": _upload(sheet)}, follow=True)
    assert response.redirect_chain == [(reverse(CHANGELIST_URL), 302)]
    assert "1 created, 0 updated, 0 unchanged" in response.content.decode()
    assert DutyShift.objects.get().members.get().name == "张委员"


def test_the_import_page_lists_the_bad_rows_and_imports_nothing(admin_client, workstation):
    sheet = _workbook(
        [_row(workstation), _row(workstation, start="10:00", end="13:00", theme="x" * 101)]
    )
    response = admin_client.post(reverse(IMPORT_URL), {"file": _upload(sheet)})
    assert response.status_code == 200
    errors = [(e.row, e.message) for e in response.context["result"].errors]
    # The theme is too long, and the times overlap the shift in row 2.
    assert [row for row, _ in errors] == [3, 3]
    html = response.content.decode()
    assert 'id="roster-import-errors"' in html and "longer than 100" in html
    assert not DutyShift.objects.exists()


def test_an_administrator_without_add_permission_on_shifts_gets_403(client, workstation):
    force_login(client, administrator_without("add_dutyshift"))
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    sheet = _workbook([_row(workstation)])
    assert client.post(reverse(IMPORT_URL), {"file": _upload(sheet)}).status_code == 403
    assert not DutyShift.objects.exists()
    assert reverse(IMPORT_URL) not in client.get(reverse(CHANGELIST_URL)).content.decode()


def test_anonymous_visitors_are_sent_to_the_admin_login(client, db):
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_export_action_returns_the_selected_shifts_as_a_workbook(admin_client, roster):
    # Posted from the list of every date (the list opens on this week).
    response = admin_client.post(
        reverse(CHANGELIST_URL) + "?week=all",
        {"action": "export_to_excel", "_selected_action": [roster["morning"].pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="roster-')
    rows = _rows(response.content)
    assert len(rows) == 2 and rows[1][6] == "张委员、李委员"


def test_an_import_is_written_to_the_audit_log_without_the_members_names(
    admin_client, administrator, workstation
):
    MemberFactory(name="张委员", home_workstation=workstation)
    sheet = _workbook([_row(workstation, members="张委员")])

    admin_client.post(reverse(IMPORT_URL), {"file": _upload(sheet)})

    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.detail) == (
        administrator,
        AuditEntry.Action.ADMIN,
        "roster import",
        "1 created, 0 updated, 0 unchanged",
    )


def test_a_refused_import_writes_nothing_to_the_audit_log(admin_client, workstation):
    sheet = _workbook([_row(workstation, theme="x" * 101)])

    admin_client.post(reverse(IMPORT_URL), {"file": _upload(sheet)})

    assert not AuditEntry.objects.exists()
