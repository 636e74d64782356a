"""Notifications in a real browser: a visit logged with the citizen's consent to SMS
puts the registration text in the console SMS outbox once delivered; a referral puts a
message in the department liaison's inbox, counted in the header, that opens on the
referral; the day before a duty, the member finds the reminder in theirs."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from notices import delivery
from notices.models import Channel, ConsoleMessage, NoticeEvent, Notification
from rosters.models import DutyAssignment
from visits.models import Case
from workstations import roles

from ..factories import DutyShiftFactory, MemberFactory, UserFactory
from .conftest import open_menu, sign_in_as
from .test_case_flow import field, open_action, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"
TITLE = "小区电梯停运三个月无人维修"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def office_templates(db):
    """The message templates the migrations write: a transactional test run before this
    one empties every table, so they are written again (as the migration does, once)."""
    for migration in ("0002_default_templates", "0003_lookup_code_and_acceptance"):
        importlib.import_module(f"notices.migrations.{migration}").create(apps, None)


@pytest.fixture
def monday_morning(time_machine):
    # Before the desk loads the calendar of "today"'s year: 10:00, no quiet hours.
    time_machine.move_to(timezone.make_aware(datetime.datetime(2026, 6, 15, 10, 0)), tick=True)


def test_the_citizen_the_department_and_the_member_are_told(
    office_templates, monday_morning, page: Page, live_server, desk, watch, screenshot
):
    base = live_server.url
    housing = desk.departments[0]
    liaison = UserFactory(username="housing", role=roles.DEPARTMENT_LIAISONS)
    housing.liaisons.add(liaison)

    # The desk logs a visit; the citizen agrees to be told by SMS.
    page.set_viewport_size(VIEWPORTS["desktop"])
    sign_in_as(page, base, desk.staff)
    page.goto(f"{base}/visits/new/")
    field(page, "visitor_name").fill("张建华")
    field(page, "visitor_phone").fill(PHONE)
    field(page, "sms_consent").check()
    field(page, "issues-0-title").fill(TITLE)
    field(page, "issues-0-category").select_option("property")
    field(page, "issues-1-title").fill("")
    submit(page, page.locator("main form.visit-form"))
    expect(page.locator(".errorlist")).to_have_count(0)
    case = Case.objects.get(title=TITLE)
    assert case.visit.sms_consent

    registered = Notification.objects.get(event=NoticeEvent.CASE_REGISTERED)
    assert registered.channel == Channel.SMS and registered.address == PHONE
    delivery.deliver(registered.pk)
    text = ConsoleMessage.objects.get(notification=registered).text
    assert case.number in text and desk.workstation.name in text

    # The desk refers it: the department's liaison is told in their inbox.
    page.goto(f"{base}/cases/{case.number}/")
    form = open_action(page, "refer")
    field(form, "refer-department").select_option(label=housing.name)
    submit(page, form)
    expect(page.locator(".messages")).to_contain_text("已保存")

    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        sign_in_as(page, base, liaison)
        page.goto(f"{base}/department/")
        open_menu(page)
        expect(page.locator("#unread-count")).to_have_text("1")
        page.goto(f"{base}/inbox/")
        message = page.locator("#inbox li.unread")
        expect(message).to_have_count(1)
        expect(message).to_contain_text(f"新转办件：{case.number}")
        expect(message).to_contain_text(TITLE)
        screenshot(page, f"notifications-liaison-inbox-{viewport}")
    with page.expect_navigation():
        message.locator("button").click()
    referral = case.referrals.get()
    expect(page).to_have_url(f"{base}/department/referrals/{referral.pk}/")
    page.goto(f"{base}/inbox/")
    expect(page.locator("#inbox li.unread")).to_have_count(0)
    expect(page.locator("#unread-count")).to_have_count(0)

    # The day before a duty, the member finds the reminder.
    member = MemberFactory(name="李建国", home_workstation=desk.workstation, user=UserFactory())
    shift = DutyShiftFactory(
        workstation=desk.workstation,
        date=timezone.localdate() + datetime.timedelta(days=1),
        starts_at=datetime.time(9),
        ends_at=datetime.time(12),
    )
    DutyAssignment.objects.create(shift=shift, member=member)
    call_command("send_reminders")
    page.set_viewport_size(VIEWPORTS["phone"])
    sign_in_as(page, base, member.user)
    page.goto(f"{base}/inbox/")
    reminder = page.locator("#inbox li.unread")
    expect(reminder).to_contain_text("明日值班提醒")
    expect(reminder).to_contain_text(
        re.compile(r"李建国委员：您明天（\d{4}-\d\d-\d\d）09:00–12:00")
    )
    expect(reminder).to_contain_text(desk.workstation.address)
    screenshot(page, "notifications-member-reminder-phone")
    watch.assert_clean()
