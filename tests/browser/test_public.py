"""The public pages in a real browser, on a phone-sized screen: a citizen sends an opinion
and gets a tracking number, the workstation's liaison accepts and resolves it, the citizen
looks it up, sees the new status and gives the follow-up. Every public page is checked
with axe-core (served to the page by the test, from node_modules) and photographed."""

import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from rosters.models import DutyAssignment
from visits.models import Case
from workdays.loading import load_year

from ..factories import (
    ActivityGroupFactory,
    DutyShiftFactory,
    MemberFactory,
    SectorFactory,
    WorkstationFactory,
)
from .test_case_flow import open_action

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_URL = "/__test__/axe.min.js"
PHONE = {"width": 390, "height": 844}
OPINION = "小区6号楼群租严重，一套房住十几个人，楼道里给电动车充电，存在消防隐患。"


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page; fail on any serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    results = page.evaluate("async () => await axe.run(document)")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{page.url}: {serious}"


@pytest.fixture
def citizen_page(page: Page, live_server, watch):
    # Same origin as the pages, so the content security policy's script-src 'self' allows it.
    page.route(
        f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )
    page.set_viewport_size(PHONE)
    return page


@pytest.fixture
def network(workstation, staff):
    today = timezone.localdate()
    # The follow-up deadline of a resolved case is counted in working days.
    load_year(today.year)
    load_year(today.year + 1)
    group = ActivityGroupFactory(name="法制组")
    lawyer = MemberFactory(
        name="周建平",
        home_workstation=workstation,
        activity_group=group,
        sector=SectorFactory(name="法律界"),
        reception_hours="每周三上午",
        public_contact="029-87650000",
        bio="执业律师，长期参与社区法律援助。",
        is_published=True,
    )
    shift = DutyShiftFactory(
        workstation=workstation, date=today, holding_group=group, theme="法律咨询轮值日"
    )
    DutyAssignment.objects.create(shift=shift, member=lawyer)
    WorkstationFactory(street="胡家庙街道", name="胡家庙街道委员工作室", slug="hujiamiao")
    return lawyer


def test_a_citizen_submits_staff_resolve_and_the_citizen_follows_up(
    citizen_page: Page, live_server, network, workstation, staff, browser, watch, screenshot
):
    page = citizen_page
    base = live_server.url
    pages = {
        "column": "/",
        "workstation": f"/workstations/{workstation.slug}/",
        "member": f"/members/{network.pk}/",
        "stats": "/stats/",
        "submit": "/submit/",
        "track": "/track/",
    }
    for name, path in pages.items():
        page.goto(base + path)
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        check_accessibility(page)
        screenshot(page, f"public-{name}")

    # The column names today's duty.
    page.goto(base + "/")
    expect(page.locator("main")).to_contain_text("周建平")

    # Send an opinion.
    page.goto(base + "/submit/")
    form = page.locator("main form")
    form.locator("[name=workstation]").select_option(str(workstation.pk))
    form.locator("[name=category]").select_option("group_rental")
    form.locator("[name=text]").fill(OPINION)
    form.locator("[name=name]").fill("孙桂芳")
    form.locator("[name=phone]").fill("13800001234")
    form.locator("[name=consent_to_processing]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    number = page.locator("#receipt-number").inner_text().strip()
    code = page.locator("#receipt-code").inner_text().strip()
    assert re.fullmatch(r"XC-\d{4}-\d{6}", number) and len(code) == 10
    check_accessibility(page)
    screenshot(page, "public-receipt")

    # The liaison accepts and resolves it on the staff pages, at a desk.
    desk = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    desk.goto(base + "/login/")
    desk.locator("[name=username]").fill(staff.username)
    desk.locator("[name=password]").fill("correct horse battery staple")
    with desk.expect_navigation():
        desk.locator("main form button[type=submit]").click()
    desk.goto(f"{base}/cases/{number}/")
    expect(desk.locator("main")).to_contain_text("孙**")  # masked until revealed
    for action, note in (
        ("accept", ""),
        ("resolve", "已联合街道、消防对6号楼群租整治，清理楼道。"),
    ):
        form = open_action(desk, action)
        if note:
            form.locator(f"[name='{action}-note']").fill(note)
        with desk.expect_navigation():
            form.locator("button[type=submit]").click()
    assert Case.objects.get(number=number).status == Case.Status.RESOLVED
    desk.close()

    # The citizen looks it up and closes the loop.
    page.goto(base + "/track/")
    page.locator("[name=number]").fill(number)
    page.locator("[name=code]").fill(code.lower())
    with page.expect_navigation():
        page.locator("#lookup-form button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("已办结")
    expect(page.locator("#public-timeline")).to_contain_text("已联合街道")
    expect(page.locator("main")).not_to_contain_text("13800001234")
    check_accessibility(page)
    screenshot(page, "public-track-resolved")
    page.locator("#follow-up-form [name=satisfaction][value=satisfied]").check()
    with page.expect_navigation():
        page.locator("#follow-up-form button[type=submit]").click()
    expect(page.locator("#case-status")).to_have_text("已回访")
    screenshot(page, "public-track-closed")

    # The elderly-friendly mode stays on from page to page.
    page.goto(base + "/")
    with page.expect_navigation():
        page.locator("header .preferences a[href*='care=on']").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bcare\b"))
    page.goto(base + "/stats/")
    expect(page.locator("body")).to_have_class(re.compile(r"\bcare\b"))
    check_accessibility(page)
    screenshot(page, "public-stats-care-mode")
    page.goto(base + "/")
    screenshot(page, "public-column-care-mode")
    watch.assert_clean()
