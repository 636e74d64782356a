"""The closed loop in a real browser: a liaison signs in, logs a visit that raises two
issues, refers one to two departments, records the lead department's reply, resolves
the case, closes it with the citizen's satisfaction and reads the whole timeline.

Fields are found by their label where the label is stable Chinese text, otherwise by
their form name, and then checked to carry a label all the same.
"""

import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from visits.models import Case, CaseEvent, EventKind, Satisfaction
from workdays.calendar import add_working_days

from .conftest import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "tablet": {"width": 820, "height": 1180},
    "desktop": {"width": 1366, "height": 900},
}

ISSUE_LIFT = "小区电梯停运三个月无人维修"
ISSUE_CORRIDOR = "楼道堆放杂物，存在消防隐患"
LEAD, CO = "区住房和城乡建设局", "区城市管理和综合执法局"
LEAD_REPLY = "已责成物业公司本周内修复电梯，维修费用由维修基金列支。"
NUMBER = re.compile(r"XC-\d{4}-\d{6}")


def field(scope: Page | Locator, name: str) -> Locator:
    """A form control by its name; it must have a label, or nobody can tell what it is."""
    control = scope.locator(f"[name='{name}']")
    expect(control).to_have_accessible_name(re.compile(r"\S"))
    return control


def submit(page: Page, form: Locator) -> None:
    """Press the form's submit button and wait for the page the server answers with."""
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def open_action(page: Page, action: str) -> Locator:
    """Unfold one of the case page's next steps and return its form: the step the case
    expects is open already, the others are under “Other steps” (其他操作)."""
    details = page.locator(f"details#action-{action}")
    if details.get_attribute("open") is None:
        others = page.locator("details#other-steps")
        if others.get_attribute("open") is None:
            others.locator("> summary").click()
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    return details.locator("form")


def status_badge(page: Page) -> Locator:
    return page.locator("main .badge").first


def referral_rows(page: Page) -> Locator:
    return page.locator("section:has(#referrals-heading) tbody tr")


def timeline(page: Page) -> Locator:
    return page.locator("ol.timeline > li")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_follow_a_visits_case_from_registration_to_closure(
    page: Page, live_server, desk, watch, screenshot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    shots = iter(range(1, 100))

    def shoot(name: str) -> None:
        # Nothing may push the page sideways: on a tablet that hides half a form.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{name} is {width}px wide"
        screenshot(page, f"{viewport}-{next(shots):02d}-{name}")

    today = timezone.localdate()

    # Sign in.
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    shoot("login")
    page.get_by_label("用户名").fill(desk.staff.username)
    page.get_by_label("密码").fill(desk.password)
    submit(page, page.locator("main form"))

    # The dashboard: nothing open yet, today's duty shift, one button to log a visit.
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.locator("tr.today")).to_contain_text("王秀兰")
    shoot("dashboard-empty")
    page.locator("main a[href='/visits/new/']").click()

    # Log a visit that raises two issues to follow.
    expect(page).to_have_url(f"{live_server.url}/visits/new/")
    expect(field(page, "workstation")).to_have_value(str(desk.workstation.pk))
    expect(field(page, "visited_at")).to_have_value(re.compile(rf"^{today:%Y-%m-%d}T\d\d:\d\d$"))
    # The member on duty now comes first, ahead of alphabetical order.
    expect(page.locator("[name=receiving_members]").first).to_have_accessible_name("王秀兰（值班）")
    # and is ticked already.
    expect(page.get_by_label("王秀兰")).to_be_checked()
    shoot("visit-form-empty")
    page.get_by_label("王秀兰").check()
    field(page, "visitor_name").fill("张建华")
    field(page, "visitor_phone").fill("13912345678")
    field(page, "visitor_address").fill("新城区西一路8号院3号楼")
    field(page, "summary").fill("反映小区电梯和楼道两个问题。")
    field(page, "issues-0-title").fill(ISSUE_LIFT)
    field(page, "issues-0-category").select_option("property")
    field(page, "issues-0-description").fill("3号楼电梯自8月起停运，老人上下楼困难。")
    field(page, "issues-1-title").fill(ISSUE_CORRIDOR)
    field(page, "issues-1-category").select_option("fire_safety")
    shoot("visit-form-filled")
    submit(page, page.locator("main form.visit-form"))

    # The visit page: two cases, each with its tracking number, both registered.
    # (The form left a third, optional issue empty: it must not stand in the way.)
    expect(page.locator(".errorlist")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"^{live_server.url}/visits/\d+/$"))
    expect(page.locator(".messages")).to_contain_text(NUMBER)
    issues = page.locator("main li").filter(has=page.locator("a[href^='/cases/']"))
    expect(issues).to_have_count(2)
    expect(issues.filter(has_text=ISSUE_LIFT).locator(".badge")).to_have_text("已登记")
    expect(issues.filter(has_text=ISSUE_CORRIDOR).locator(".badge")).to_have_text("已登记")
    expect(page.locator("main")).to_contain_text("139****5678")
    expect(page.locator("main")).not_to_contain_text("13912345678")
    shoot("visit")
    # Each case to follow offers its receipt slip (the lookup code, shown once).
    expect(issues.locator("a.button[href$='/receipt/']")).to_have_count(2)
    lift_link = issues.filter(has_text=ISSUE_LIFT).locator("a[href^='/cases/']").first
    number = lift_link.inner_text().strip()
    corridor_number = (
        issues.filter(has_text=ISSUE_CORRIDOR).locator("a[href^='/cases/']").first.inner_text()
    ).strip()
    assert NUMBER.fullmatch(number) and NUMBER.fullmatch(corridor_number)
    lift_link.click()

    # The case page: registered, with no referral yet.
    case_url = f"{live_server.url}/cases/{number}/"
    expect(page).to_have_url(case_url)
    expect(page.locator("h1")).to_have_text(f"{number} {ISSUE_LIFT}")
    expect(status_badge(page)).to_have_text("已登记")
    expect(referral_rows(page)).to_have_count(0)
    expect(timeline(page)).to_have_count(1)
    expect(page.locator("main")).to_contain_text("139****5678")
    shoot("case-registered")

    # Refer it to the lead department: the reply is due in working days.
    form = open_action(page, "refer")
    expect(field(form, "refer-role")).to_have_value("lead")
    field(form, "refer-department").select_option(label=LEAD)
    field(form, "refer-note").fill("请核实电梯停运原因并督促维修。")
    shoot("case-refer-lead-form")
    submit(page, form)
    expect(page).to_have_url(case_url)
    expect(status_badge(page)).to_have_text("已转办")
    expect(referral_rows(page)).to_have_count(1)
    due = add_working_days(today, settings.REFERRAL_REPLY_WORKING_DAYS)
    signed_by = add_working_days(today, settings.ACKNOWLEDGEMENT_WORKING_DAYS)
    expect(referral_rows(page).first.locator("td")).to_have_text(
        [LEAD, "主办", f"待签收应于 {signed_by:%Y-%m-%d} 前签收", f"{due:%Y-%m-%d}", "—"]
    )
    shoot("case-referred-lead")

    # ...and to a co-handling department: the form now proposes that role.
    form = open_action(page, "refer")
    expect(field(form, "refer-role")).to_have_value("co")
    field(form, "refer-department").select_option(label=CO)
    submit(page, form)
    expect(referral_rows(page)).to_have_count(2)
    expect(referral_rows(page).nth(1).locator("td").nth(0)).to_have_text(CO)
    expect(referral_rows(page).nth(1).locator("td").nth(1)).to_have_text("协办")
    expect(status_badge(page)).to_have_text("已转办")
    shoot("case-referred-both")

    # Record the lead department's reply.
    form = open_action(page, "reply")
    choice = field(form, "reply-referral")
    choice.select_option(choice.locator("option", has_text=LEAD).get_attribute("value"))
    field(form, "reply-reply").fill(LEAD_REPLY)
    shoot("case-reply-form")
    submit(page, form)
    expect(status_badge(page)).to_have_text("已答复")
    lead_row = referral_rows(page).filter(has_text=LEAD)
    expect(lead_row.locator("td").nth(2)).to_have_text("已答复")
    expect(lead_row.locator("td").nth(4)).to_have_text(LEAD_REPLY)
    expect(referral_rows(page).filter(has_text=CO).locator("td").nth(2)).to_contain_text("待签收")
    shoot("case-replied")

    # Resolve it.
    form = open_action(page, "resolve")
    field(form, "resolve-note").fill("电梯已修复并通过验收，恢复运行。")
    submit(page, form)
    expect(status_badge(page)).to_have_text("已办结")
    shoot("case-resolved")

    # Follow up with the citizen, who is satisfied: the case closes.
    form = open_action(page, "close")
    satisfied = form.get_by_label("满意", exact=True)
    expect(satisfied).to_have_attribute("type", "radio")
    satisfied.check()
    field(form, "close-note").fill("张建华表示电梯运行正常，满意。")
    shoot("case-close-form")
    submit(page, form)
    expect(status_badge(page)).to_have_text("已回访")
    expect(page.locator("dl.facts").first).to_contain_text("满意")
    expect(page.locator("details#action-refer")).to_have_count(0)
    expect(page.locator("details#action-close")).to_have_count(0)

    # The whole timeline, in order, with the departments it concerned.
    entries = timeline(page)
    expect(entries.locator("strong")).to_have_text(
        ["已登记", "已转办", "已转办", "已答复", "已办结", "已回访"]
    )
    expect(entries.nth(1)).to_contain_text(LEAD)
    expect(entries.nth(2)).to_contain_text(CO)
    expect(entries.nth(3)).to_contain_text(LEAD)
    expect(entries.nth(3)).to_contain_text(LEAD_REPLY)
    shoot("case-closed")

    # The case list shows both cases where they stand.
    open_menu(page)  # folded behind its button on a phone
    page.locator("header nav a[href='/cases/']").click()
    expect(page).to_have_url(f"{live_server.url}/cases/")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=number).locator(".badge").first).to_have_text("已回访")
    expect(rows.filter(has_text=corridor_number).locator(".badge").first).to_have_text("已登记")
    shoot("case-list")

    # What the pages showed is what the database holds.
    case = Case.objects.get(number=number)
    assert case.status == Case.Status.CLOSED
    assert case.satisfaction == Satisfaction.SATISFIED
    assert list(
        CaseEvent.objects.filter(case=case).order_by("at", "pk").values_list("kind", flat=True)
    ) == [
        EventKind.REGISTERED,
        EventKind.REFERRED,
        EventKind.REFERRED,
        EventKind.REPLIED,
        EventKind.RESOLVED,
        EventKind.CLOSED,
    ]
    watch.assert_clean()


def test_the_csp_recorder_catches_an_inline_script(page: Page, live_server, watch):
    """The safety net itself: an inline script is refused and the refusal recorded."""
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.ran = true";
          document.body.append(script);
        }"""
    )
    # The report reaches Python through a binding, asynchronously.
    for _attempt in range(50):
        if watch.csp_violations:
            break
        page.wait_for_timeout(20)
    assert page.evaluate("() => window.ran") is None
    assert [v["directive"] for v in watch.csp_violations] == ["script-src-elem"]
