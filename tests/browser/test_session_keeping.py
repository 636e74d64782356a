"""The session keeper in a real browser (static/js/staff.js): a visit typed into a session
that has ended is filled in again after signing in; typing keeps the session alive, and
a liaison who walked away is warned before it ends. The page's clock is Playwright's, so
half an hour passes in no time."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from base.models import Session
from visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINUTE_MS = 60 * 1000
TYPED = {
    "visitor_name": "王小明",
    "visitor_phone": "13812345678",
    "issues-0-title": "小区电梯停运三个月无人维修",
    "issues-0-description": "三号楼电梯自六月起停运",
}


def sign_in(page: Page, desk) -> None:
    page.get_by_label("用户名").fill(desk.staff.username)
    page.get_by_label("密码").fill(desk.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def fill_in_a_visit(page: Page, base_url: str, desk) -> None:
    """Sign in at the desk and type a visit into the form, without saving it."""
    page.goto(f"{base_url}/login/")
    sign_in(page, desk)
    page.goto(f"{base_url}/visits/new/")
    for name, value in TYPED.items():
        page.locator(f"[name='{name}']").fill(value)
    page.locator("[name='issues-0-category']").select_option("property")
    page.locator("[name='receiving_members']").first.check()


def is_keep_alive(request) -> bool:
    return request.method == "POST" and request.url.endswith("/session/keep-alive/")


def test_a_visit_saved_after_the_session_ended_is_filled_in_again_after_signing_in(
    page: Page, live_server, desk, watch, screenshot
):
    fill_in_a_visit(page, live_server.url, desk)
    # Thirty idle minutes, as the server sees them.
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    with page.expect_navigation():
        page.locator("form.visit-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login/\?next=/visits/new/$"))
    sign_in(page, desk)

    expect(page).to_have_url(f"{live_server.url}/visits/new/")
    expect(page.locator("#kept-input-notice")).to_be_visible()
    for name, value in TYPED.items():
        expect(page.locator(f"[name='{name}']")).to_have_value(value)
    expect(page.locator("[name='issues-0-category']")).to_have_value("property")
    expect(page.locator("[name='receiving_members']").first).to_be_checked()
    expect(page.locator("[name='receiving_members']").nth(1)).not_to_be_checked()
    screenshot(page, "session-kept-input")
    assert not Visit.objects.exists()  # filled in, not submitted

    with page.expect_navigation():
        page.locator("form.visit-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/visits/\d+/$"))
    assert Visit.objects.get().visitor_name == "王小明"
    watch.assert_clean()


def test_typing_keeps_the_session_alive_and_a_liaison_who_walked_away_is_warned(
    page: Page, live_server, desk, watch, screenshot
):
    page.clock.install()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, desk)
    page.goto(f"{live_server.url}/visits/new/")
    keeper = page.locator("#session-keeper")

    page.locator("[name='summary']").fill("居民反映电梯问题")
    # The ping's answer, not only its request: the page counts the idle time from it,
    # and on a loaded machine the answer can come after the clock has moved on.
    with page.expect_response(lambda response: is_keep_alive(response.request)):
        page.clock.run_for(5 * MINUTE_MS)
    page.evaluate("0")  # let the page handle the answer before the clock moves again
    expect(keeper).to_be_hidden()

    # Walked away from the half-typed form: no ping without activity, then a warning.
    # The ping was answered between minute 4 and 5, and the page looks every 15 s: at
    # minute 27 over five minutes of the idle limit are left, at minute 31 under five.
    page.clock.run_for(22 * MINUTE_MS)
    expect(keeper).to_be_hidden()
    page.clock.run_for(4 * MINUTE_MS)
    expect(keeper).to_be_visible()
    expect(keeper.locator("[data-when='ending']")).to_be_visible()
    screenshot(page, "session-ending-warning")

    with page.expect_request(is_keep_alive):
        keeper.locator("[data-keep-alive]").click()
    page.clock.run_for(20 * 1000)
    expect(keeper).to_be_hidden()

    # Away for good: the session ends, and the notice says what saving will do.
    page.clock.run_for(31 * MINUTE_MS)
    expect(keeper.locator("[data-when='ended']")).to_be_visible()
    expect(keeper.locator("[data-keep-alive]")).to_be_hidden()
    watch.assert_clean()


def test_a_page_with_nothing_typed_neither_pings_nor_warns(page: Page, live_server, desk, watch):
    page.clock.install()
    page.goto(f"{live_server.url}/login/")
    sign_in(page, desk)
    page.goto(f"{live_server.url}/visits/new/")
    pings = []
    page.on("request", lambda request: is_keep_alive(request) and pings.append(request))

    page.mouse.move(10, 10)
    page.clock.run_for(29 * MINUTE_MS)

    assert pings == []
    expect(page.locator("#session-keeper")).to_be_hidden()
    watch.assert_clean()
