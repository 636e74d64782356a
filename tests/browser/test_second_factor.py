"""An administrator's first sign-in in a real browser, on a phone and a desktop: the
password, then setting up an authenticator app from the page's QR code (here, its key
typed in), the recovery codes shown once, and on to work. Nothing breaks the content
security policy, and nothing pushes the pages sideways. Screenshots:
test-artifacts/screenshots/second-factor-*.png."""

from base64 import b32decode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from ..signing import app_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests/factories.py
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_administrators_first_sign_in_sets_up_the_app(
    page: Page, live_server, administrator, watch, screenshot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(f"{live_server.url}/login/?next=/admin/")
    page.get_by_label("用户名").fill(administrator.username)
    page.get_by_label("密码").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    expect(page.locator("main h1")).to_have_text("设置双重验证")
    expect(page.locator("svg.qr")).to_be_visible()
    _fits(page)
    screenshot(page, f"second-factor-set-up-{viewport}")
    # The key as shown, in groups of four, is what an app would be given by the QR code.
    key = page.locator(".secret-key").inner_text().replace(" ", "")
    page.get_by_label("应用显示的验证码").fill(app_code(b32decode(key).hex()))
    with page.expect_navigation():
        page.get_by_role("button", name="确认").click()

    expect(page.locator("main h1")).to_have_text("恢复码")
    expect(page.locator("ol.recovery-codes li")).to_have_count(10)
    _fits(page)
    screenshot(page, f"second-factor-recovery-codes-{viewport}")
    with page.expect_navigation():
        page.get_by_role("link", name="我已妥善保存，继续").click()
    expect(page).to_have_url(f"{live_server.url}/admin/")
    assert TOTPDevice.objects.get(user=administrator).confirmed
    watch.assert_clean()
