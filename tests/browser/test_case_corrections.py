"""Correcting a case in a real browser on a phone (390 px) and a desktop: a liaison
corrects an online submission's title, gives it a handling member, then transfers it
to another street's workstation and no longer sees it. No page may be wider than the
screen, and no script or style may break the content security policy."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from visits.models import Case, EventKind

from ..factories import MemberFactory, WorkstationFactory
from ..public.tracking import submit_online

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def open_correction(page: Page, correction: str) -> Locator:
    details = page.locator(f"details#correction-{correction}")
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    return details.locator("form")


def submit(page: Page, form: Locator) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_liaison_corrects_assigns_and_transfers_an_online_submission(
    page: Page, live_server, desk, watch, screenshot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])

    def shoot(name: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{name} is {width}px wide"
        screenshot(page, f"corrections-{viewport}-{name}")

    number, _code = submit_online(desk.workstation)
    other = WorkstationFactory(street="胡家庙街道", name="胡家庙街道委员工作室", slug="hujiamiao")
    MemberFactory(name="胡委员", home_workstation=other)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(desk.staff.username)
    page.get_by_label("密码").fill(desk.password)
    submit(page, page.locator("main form"))
    page.goto(f"{live_server.url}/cases/{number}/")
    shoot("case")

    form = open_correction(page, "edit")
    form.locator("[name=edit-title]").fill("楼道堆满杂物，消防隐患")
    form.locator("[name=edit-category]").select_option("fire_safety")
    shoot("edit")
    submit(page, form)
    expect(page.locator("h1")).to_contain_text("楼道堆满杂物，消防隐患")

    form = open_correction(page, "assign")
    expect(form.get_by_label("胡委员")).to_have_count(0)  # another street's member
    form.get_by_label("李建国").check()
    shoot("assign")
    submit(page, form)
    expect(page.locator("main")).to_contain_text("李建国")

    form = open_correction(page, "transfer")
    form.locator("[name=transfer-workstation]").select_option(label="胡家庙街道委员工作室")
    form.get_by_label("移交原因").fill("问题发生在胡家庙街道辖区")
    shoot("transfer")
    submit(page, form)

    expect(page).to_have_url(f"{live_server.url}/cases/")
    expect(page.locator("main")).to_contain_text(re.compile(rf"{number}\s*已移交至胡家庙"))
    shoot("after-transfer")
    case = Case.objects.get(number=number)
    assert case.workstation == other
    assert [e.kind for e in case.events.order_by("at", "pk")][-3:] == [
        EventKind.EDITED,
        EventKind.ASSIGNED,
        EventKind.TRANSFERRED,
    ]
    watch.assert_clean()
