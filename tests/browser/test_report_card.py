"""A member's report card in a real browser: the year's total, grade and lines, a query on
a line sent to the office, and the printable file copy (print stylesheet)."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from activities.models import Activity
from members.models import Member
from points.models import PointQuery
from rosters.models import Attendance, DutyAssignment

from ..factories import DutyShiftFactory, UserFactory
from ..points.test_cards import make_bands, make_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_a_member_reads_queries_and_prints_their_report_card(
    page: Page, live_server, member_user, workstation, watch, screenshot
):
    year = timezone.localdate().year
    make_rules(year)
    make_bands(year, excellent="10", competent="3", incompetent="0")
    member = Member.objects.get(user=member_user)
    # Committed one by one (no surrounding transaction): the ledger scores each on commit.
    DutyAssignment.objects.create(
        shift=DutyShiftFactory(workstation=workstation, date=date(year, 3, 4)),
        member=member,
        attendance=Attendance.ATTENDED,
    )
    consultation = Activity.objects.create(
        kind=Activity.Kind.MICRO_CONSULTATION,
        title="老旧小区加装电梯微协商",
        date=date(year, 5, 6),
        organiser=UserFactory(),
    )
    consultation.participants.add(member)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{live_server.url}/login/")
    page.locator("[name=username]").fill(member_user.username)
    page.locator("[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    with page.expect_navigation():
        page.locator("header nav a[href='/my/report-card/']").click()

    expect(page.locator("main")).to_contain_text("老旧小区加装电梯微协商")
    expect(page.locator("#card-total")).not_to_have_text("0")
    screenshot(page, "report-card")

    line = page.locator("main tr", has_text="老旧小区加装电梯微协商")
    line.locator("summary").click()
    line.locator("textarea").fill("这次微协商我是组织者，是否应按组织计分？")
    with page.expect_navigation():
        line.locator("button[type=submit]").click()
    assert PointQuery.objects.get().text.startswith("这次微协商我是组织者")
    expect(page.locator("main")).to_contain_text("这次微协商我是组织者")

    page.emulate_media(media="print")
    expect(page.locator("header nav")).to_be_hidden()
    expect(page.locator("details.action").first).to_be_hidden()
    screenshot(page, "report-card-print")
    watch.assert_clean()
