"""The receipt slip in a real browser: at a phone's width the slip fits, its print
button works through the page's script, and printed it is the slip alone."""

import pytest
from playwright.sync_api import Page, expect

from visits.lookup_codes import LOOKUP_LENGTH

from .test_session_keeping import fill_in_a_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_slip_fits_a_phone_and_prints_alone(page: Page, live_server, desk, watch, screenshot):
    desk.workstation.phone = "029-87654321"
    desk.workstation.save()
    page.set_viewport_size({"width": 390, "height": 844})
    fill_in_a_visit(page, live_server.url, desk)
    with page.expect_navigation():
        page.locator("form.visit-form button[type=submit]").click()

    with page.expect_navigation():
        page.locator("main a.button[href$='/receipt/']").click()
    assert len(page.locator("#slip-code").inner_text()) == LOOKUP_LENGTH
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("button[data-print]")).to_be_visible()
    screenshot(page, "receipt-slip-390")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("button[data-print]")).to_be_hidden()
    expect(page.locator(".receipt-slip")).to_contain_text("029-87654321")
    screenshot(page, "receipt-slip-print")
    watch.assert_clean()
