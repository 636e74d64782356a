"""What folds away on a phone and stays open at the desk. On a phone (390 px) the case
list's filters wait behind one button (筛选条件), which says when a filter is on; the
staff menu behind another (菜单). On a desktop (1366 px) both show as they are, without
their buttons. No script involved: <details> elements, opened by CSS on wide screens.
Screenshots: folding-<viewport>-*.png."""

import pytest
from playwright.sync_api import Page, expect

from ..factories import open_case
from .conftest import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def case_list(page: Page, live_server, desk, watch):
    for title in ("小区电梯坏了", "路灯不亮"):
        open_case(workstation=desk.workstation, actor=desk.staff, title=title)
    sign_in_as(page, live_server.url, desk.staff)
    return f"{live_server.url}/cases/"


def test_on_a_phone_the_filters_and_the_menu_wait_behind_a_button(
    page: Page, case_list, watch, screenshot
):
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(case_list)
    filters = page.locator("details.filters")
    button = filters.locator("> summary")
    search = page.get_by_label("搜索")
    expect(button).to_have_text("筛选条件")
    expect(search).to_be_hidden()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    expect(page.locator("header nav a[href='/cases/']")).to_be_hidden()
    screenshot(page, "folding-phone-folded")

    button.click()
    expect(search).to_be_visible()
    screenshot(page, "folding-phone-filters-open")
    search.fill("电梯")
    page.get_by_role("button", name="筛选", exact=True).click()

    # The list filtered, the filters folded again, their button saying one is on.
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(search).to_be_hidden()
    expect(search).to_have_value("电梯")
    expect(button).to_have_text("筛选条件 已筛选")
    screenshot(page, "folding-phone-filtered")
    watch.assert_clean()


def test_on_a_desktop_the_filters_and_the_menu_show_without_their_buttons(
    page: Page, case_list, watch, screenshot
):
    page.set_viewport_size(VIEWPORTS["desktop"])
    page.goto(case_list)
    expect(page.locator("details.filters > summary")).to_be_hidden()
    expect(page.get_by_label("搜索")).to_be_visible()
    expect(page.locator("header nav details.menu > summary")).to_be_hidden()
    expect(page.locator("header nav a[href='/cases/']")).to_be_visible()
    # The filters work as before: search, and the list follows.
    page.get_by_label("搜索").fill("路灯")
    page.get_by_role("button", name="筛选", exact=True).click()
    expect(page.locator("main table tbody tr")).to_have_count(1)
    expect(page.get_by_label("搜索")).to_be_visible()
    screenshot(page, "folding-desktop-filtered")
    watch.assert_clean()
