"""The error pages in a real browser, with DEBUG off, on a phone and a desktop: a missing
page in Chinese and, through its own language switch, in English; a form refused because
the browser sent no cookie, and one refused because its page was older than the staff
member's latest sign-in; the server's error and the database out of reach. Each page keeps
the site's header, fits the screen, breaks no content security rule, and its way back
leads somewhere. Screenshots: test-artifacts/screenshots/errors-*.png."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1366, "height": 900},
}
PASSWORD = "correct horse battery staple"  # tests/factories.py


# Chromium reports a page answered with an error status in the console, as it should.
ITS_OWN_STATUS = re.compile(
    r"^(?P<url>\S+): Failed to load resource: the server responded with a status of (?P<status>\d{3})"
)


def assert_clean(watch, *documents: tuple[str, int]) -> None:
    """`watch.assert_clean()`, except the console's word on the error pages themselves
    (address and status): a stylesheet, a script or an image failing still fails."""
    expected = {(url, str(status)) for url, status in documents}
    watch.console_errors[:] = [
        error
        for error in watch.console_errors
        if not (found := ITS_OWN_STATUS.match(error))
        or (found["url"], found["status"]) not in expected
    ]
    watch.assert_clean()


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False
    # The site's URLs and pages that fail on purpose; the live server reads it per request.
    settings.ROOT_URLCONF = "tests.error_urls"


@pytest.fixture(params=VIEWPORTS)
def viewport(request, page: Page) -> str:
    page.set_viewport_size(VIEWPORTS[request.param])
    return request.param


def look(page: Page, screenshot, viewport: str, name: str) -> None:
    """The site's header and one heading are shown, and nothing pushes the page sideways."""
    expect(page.locator("header.site-header .brand")).to_be_visible()
    expect(page.locator("main h1")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"{name} is {width}px wide"
    screenshot(page, f"errors-{viewport}-{name}")


def test_a_missing_page_in_chinese_then_in_english(
    page: Page, live_server, watch, screenshot, viewport
):
    response = page.goto(f"{live_server.url}/no-such-page/")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("main h1")).to_have_text("找不到该页面")
    expect(page).to_have_title(re.compile("^找不到该页面"))
    look(page, screenshot, viewport, "404-zh")

    # The page's own language switch comes back to the same address, in English.
    page.locator("header").get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{live_server.url}/no-such-page/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Page not found")
    look(page, screenshot, viewport, "404-en")

    page.get_by_role("link", name="Back to the home page").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert_clean(watch, (f"{live_server.url}/no-such-page/", 404))


def test_a_form_sent_without_the_sites_cookie_is_refused_with_what_to_do(
    page: Page, live_server, staff, watch, screenshot, viewport
):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(staff.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.context.clear_cookies()  # as a browser that blocks this site's cookies
    with page.expect_navigation() as sent:
        page.locator("main form button[type=submit]").click()
    assert sent.value.status == 403
    expect(page.locator("main h1")).to_have_text("表单未能提交")
    expect(page.locator("main")).to_contain_text("允许本网站使用 Cookie")
    look(page, screenshot, viewport, "csrf-zh")
    expect(page.get_by_role("link", name="返回首页")).to_have_attribute("href", "/")
    page.get_by_role("link", name="重新登录").click()
    expect(page).to_have_url(f"{live_server.url}/login/")
    assert_clean(watch, (f"{live_server.url}/login/", 403))


def test_a_page_older_than_the_latest_sign_in_is_refused_for_staff_in_english(
    page: Page, live_server, staff, watch, screenshot, viewport
):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")

    # Another window signs out and in again: signing in renews the form token.
    other = page.context.new_page()
    other.goto(f"{live_server.url}/dashboard/")
    other.get_by_role("button", name=re.compile("^Sign out")).click()
    other.get_by_label("Username").fill(staff.username)
    other.get_by_label("Password").fill(PASSWORD)
    with other.expect_navigation():
        other.locator("main form button[type=submit]").click()
    other.close()

    # The first window's sign-out form still holds the old token.
    open_menu(page)  # folded behind its button on a phone
    with page.expect_navigation() as sent:
        page.get_by_role("button", name=re.compile("^Sign out")).click()
    assert sent.value.status == 403
    expect(page.locator("main h1")).to_have_text("The form was not accepted")
    expect(page.locator("main")).to_contain_text("you signed in again after opening it")
    # Still signed in: the staff menu, and the way back to the dashboard.
    expect(page.get_by_role("navigation", name="Staff")).to_be_visible()
    look(page, screenshot, viewport, "csrf-staff-en")
    page.get_by_role("link", name="Back to the dashboard").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    assert_clean(watch, (f"{live_server.url}/logout/", 403))


@pytest.mark.parametrize(
    ("address", "status", "heading"),
    [("/__test__/broken/", 500, "系统出错"), ("/__test__/database-gone/", 503, "服务暂时不可用")],
)
def test_the_servers_own_errors_keep_the_header_and_the_ways_back(
    page: Page, live_server, watch, screenshot, viewport, address, status, heading
):
    response = page.goto(f"{live_server.url}{address}")
    assert response.status == status
    expect(page.locator("main h1")).to_have_text(heading)
    look(page, screenshot, viewport, str(status))
    page.get_by_role("link", name="返回首页").click()
    expect(page).to_have_url(f"{live_server.url}/")
    assert_clean(watch, (f"{live_server.url}{address}", status))
