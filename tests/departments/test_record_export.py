"""The departments' record as a workbook (/office/departments.xlsx): the table of the
chosen period and role, one row per department with its counts and rates, and a sheet of
the referrals counted; opened with openpyxl as the office would open it."""

import io
from datetime import datetime, time

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry

from .conftest import MARCH, TODAY


@pytest.fixture(autouse=True)
def on_15_april(time_machine):
    moment = datetime.combine(TODAY, time(10), tzinfo=timezone.get_default_timezone())
    time_machine.move_to(moment, tick=False)


def workbook(client, **query):
    response = client.get("/office/departments.xlsx", {**MARCH, **query})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="departments-20260301-20260331.xlsx"')
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_by_name(sheet) -> dict[str, dict]:
    header = [cell.value for cell in sheet[2]]
    return {
        row[0]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=3, values_only=True)
    }


def test_the_table_sheet_holds_each_departments_figures(record_scene, admin_client):
    book = workbook(admin_client)
    table = book.worksheets[0]

    assert table["A1"].value.startswith("Departments' record · Period: 2026-03-01 – 2026-03-31")
    housing = rows_by_name(table)["区住建局"]
    assert housing["Referrals received"] == 5
    assert table["A2"].value == "Handling department"
    assert housing["Signed for on time"] == 3
    assert housing["Returned"] == 1
    assert (housing["Extensions granted"], housing["Extensions refused"]) == (1, 1)
    assert housing["Supervisions answered in time"] == 1
    assert housing["Response rate (%)"] == 80.0
    assert housing["Resolution rate (%)"] == 20.0
    assert housing["Satisfaction rate (%)"] == 100.0
    assert housing["On-time reply rate (%)"] == 25.0
    assert rows_by_name(table)["区消防救援大队"]["Satisfaction rate (%)"] is None
    assert AuditEntry.objects.filter(action="export").count() == 1


def test_the_referrals_sheet_lists_the_referrals_counted(record_scene, admin_client):
    referrals = workbook(admin_client, role="lead").worksheets[1]

    numbers = [row[1] for row in referrals.iter_rows(min_row=3, values_only=True)]
    s = record_scene
    assert sorted(numbers) == sorted(r.case.number for r in (s.a, s.b, s.c, s.d, s.fire_lead))
    assert "Role: Lead" in referrals["A1"].value
