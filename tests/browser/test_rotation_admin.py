"""The rotation generator in a real browser: an administrator signs in to admin, fills
the generator's form, previews the rotation, saves it, sees it on the changelist and
reads the month's duties per group and member in the fairness view."""

import pytest
from playwright.sync_api import Page, expect

from rosters.models import DutyAssignment, DutyShift
from workdays.loading import load_year

from ..factories import ActivityGroupFactory, MemberFactory
from .conftest import sign_in_to_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def test_an_administrator_previews_and_saves_a_rotation(
    page: Page, live_server, administrator, workstation, watch, screenshot
):
    load_year(2026)
    group = ActivityGroupFactory(name="法制组")
    for name in ("李建国", "王秀兰", "赵明"):
        MemberFactory(name=name, activity_group=group, home_workstation=workstation)
    page.set_viewport_size({"width": 1366, "height": 900})

    sign_in_to_admin(page, live_server.url, administrator, PASSWORD)

    page.goto(f"{live_server.url}/admin/rosters/dutyshift/")
    with page.expect_navigation():
        page.get_by_role("link", name="生成轮值表").click()
    form = page.locator("#rotation-form")
    form.get_by_label(workstation.name).check()
    form.locator("[name='first']").fill("2026-03-01")
    form.locator("[name='last']").fill("2026-03-31")
    form.locator("[name='recurrence'][value='weekdays']").check()
    form.locator("[name='weekdays'][value='2']").check()
    form.locator("[name='slots']").fill("09:00-11:30\n14:00-17:00")
    form.locator("[name='members_per_shift']").fill("1")
    form.get_by_label("法制组").check()
    form.locator("[name='theme']").fill("普法宣传")
    with page.expect_navigation():
        form.locator("[name='preview']").click()

    rows = page.locator("#rotation-new-shifts tbody tr")
    expect(rows).to_have_count(8)
    expect(rows.first).to_contain_text("2026-03-04")
    expect(rows.first).to_contain_text("09:00–11:30")
    assert not DutyShift.objects.exists()
    screenshot(page, "rotation-preview")

    with page.expect_navigation():
        page.locator("#rotation-save-form [name='save']").click()
    expect(page.locator(".messagelist")).to_contain_text("已创建 8 个班次、8 项值班安排。")
    assert DutyShift.objects.count() == 8 and DutyAssignment.objects.count() == 8
    screenshot(page, "rotation-saved")

    with page.expect_navigation():
        page.get_by_role("link", name="值班均衡").click()
    page.locator("#fairness-form [name='first']").fill("2026-03-01")
    page.locator("#fairness-form [name='last']").fill("2026-03-31")
    with page.expect_navigation():
        page.locator("#fairness-form input[type=submit]").click()
    group_row = page.locator("#fairness-groups tbody tr")
    expect(group_row).to_have_count(1)
    expect(group_row).to_contain_text("法制组")
    expect(page.locator("#fairness-members tbody tr")).to_have_count(3)
    screenshot(page, "rotation-fairness")
    watch.assert_clean()
