"""The rotation generator's members in Django admin's own two-pane picker, in a real
browser under the site's content-security policy: the panes side by side right of their
label, a filter, the chosen members previewed in turn, no policy violation or script
error, and the picker's words in Chinese."""

import pytest
from playwright.sync_api import Page, expect

from workdays.loading import load_year

from ..factories import MemberFactory
from .conftest import sign_in_to_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_an_administrator_picks_the_members_to_rotate_in_two_panes(
    page: Page, live_server, administrator, workstation, watch, screenshot
):
    load_year(2026)
    for name in ("李建国", "王秀兰", "王志强", "赵明"):
        MemberFactory(name=name, home_workstation=workstation)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_to_admin(page, live_server.url, administrator, PASSWORD)

    page.goto(f"{live_server.url}/admin/rosters/dutyshift/generate/")

    available, chosen = page.locator("#id_members_from"), page.locator("#id_members_to")
    expect(available).to_be_visible()
    expect(chosen).to_be_visible()
    expect(page.locator("select#id_members")).to_be_hidden()
    expect(page.locator(".field-members .selector-available")).to_contain_text("可用 委员")
    expect(page.locator(".field-members .selector")).to_contain_text("选中要添加的委员")
    label = page.locator(".field-members label[for=id_members]").bounding_box()
    panes = page.locator(".field-members .selector").bounding_box()
    assert label["x"] + label["width"] <= panes["x"]  # the label left of the panes
    assert label["y"] < panes["y"] + panes["height"]  # on the same row
    free = available.bounding_box()
    assert free["x"] + free["width"] < chosen.bounding_box()["x"]  # side by side

    # The filter runs on each key released; a Chinese character comes as text, no key.
    page.locator("#id_members_input").fill("王")
    page.locator("#id_members_input").press("End")
    expect(available.locator("option")).to_have_count(2)
    available.select_option(label="王秀兰")
    page.locator("#id_members_add").click()
    expect(chosen.locator("option")).to_have_text(["王秀兰"])
    page.locator("#id_members_input").fill("")
    page.locator("#id_members_input").press("End")
    available.select_option(label="赵明")
    page.locator("#id_members_add").click()
    expect(chosen.locator("option")).to_have_count(2)
    screenshot(page, "rotation-member-picker")

    form = page.locator("#rotation-form")
    form.get_by_label(workstation.name).check()
    form.locator("[name='first']").fill("2026-03-02")
    form.locator("[name='last']").fill("2026-03-06")
    form.locator("[name='recurrence'][value='weekdays']").check()
    form.locator("[name='weekdays'][value='0']").check()
    form.locator("[name='weekdays'][value='2']").check()
    form.locator("[name='slots']").fill("09:00-11:30")
    with page.expect_navigation():
        form.locator("[name='preview']").click()

    rows = page.locator("#rotation-new-shifts tbody tr")
    expect(rows).to_have_count(2)
    members = sorted(rows.nth(n).locator("td").nth(4).inner_text() for n in range(2))
    assert members == sorted(["王秀兰", "赵明"])
    # The choice survives the preview: both stay in the chosen pane.
    expect(page.locator("#rotation-form #id_members_to option")).to_have_count(2)
    watch.assert_clean()
