"""One obvious next step, on a phone (390 px) and at the desk (1366 px): a liaison opens an
online submission, finds 受理 as the one large button with its form open, takes it, then
finds 转办 the same way and takes it; a step that ends the case (不予受理) is under 其他操作,
looks different and is refused until its box is ticked. On the visit form the liaison adds
an issue and removes one with the page's script, and the visit is saved with the issues
left. No page may be wider than the screen, and no script may break the content security
policy (the script is a static file; nothing inline)."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from visits.models import Case, CaseStatus

from ..public.tracking import submit_online

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def submit(page: Page, form: Locator) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def sign_in(page: Page, live_server, desk) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(desk.staff.username)
    page.get_by_label("密码").fill(desk.password)
    submit(page, page.locator("main form"))


def status_badge(page: Page) -> Locator:
    return page.locator("main .badge").first


def next_step(page: Page) -> Locator:
    return page.locator("#next-step > details.action")


@pytest.fixture
def shoot(page: Page, screenshot, viewport):
    def shoot(name: str) -> None:
        # Nothing may push the page sideways: on a phone that hides half a form.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{name} is {width}px wide"
        screenshot(page, f"next-step-{viewport}-{name}")

    return shoot


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_liaison_takes_the_step_each_case_expects_with_its_one_large_button(
    page: Page, live_server, desk, watch, shoot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    number, _code = submit_online(desk.workstation)
    sign_in(page, live_server, desk)

    # An online submission: 受理 is the next step, open, with the page's one large button.
    page.goto(f"{live_server.url}/cases/{number}/")
    expect(status_badge(page)).to_have_text("待受理")
    expect(next_step(page)).to_have_count(1)
    expect(next_step(page)).to_have_attribute("id", "action-accept")
    expect(next_step(page)).to_have_attribute("open", "")
    accept = next_step(page).locator("button[type=submit]")
    expect(accept).to_have_text("受理")
    expect(accept).to_be_visible()
    expect(page.locator("main button.large")).to_have_count(1)
    # The other steps are folded away under 其他操作.
    others = page.locator("details#other-steps")
    expect(others.locator("> summary")).to_have_text("其他操作")
    expect(others).not_to_have_attribute("open", "")
    expect(page.locator("details#action-reject button")).to_be_hidden()
    # On a phone the steps come after the timeline: the status line leads to them.
    link = page.locator("a.next-step-link")
    expect(link).to_have_text("下一步：受理")
    shoot("submitted")
    link.click()
    expect(page).to_have_url(re.compile("#next-step$"))
    expect(accept).to_be_in_viewport()
    shoot("submitted-at-next-step")

    # 不予受理 looks different, and without its box ticked the server refuses it.
    others.locator("> summary").click()
    reject = page.locator("details#action-reject")
    reject.locator("summary").click()
    expect(reject.locator("button[type=submit]")).to_have_class("danger")
    expect(reject).to_contain_text("这一步将结束此诉求，且无法撤销。")
    reject.locator("[name=reject-reason]").fill("不属于受理范围")
    shoot("reject-open")
    submit(page, reject.locator("form"))
    # The refusal is an answer of 400, which the browser reports; nothing else may be.
    refusal = (
        f"/cases/{number}/reject/: Failed to load resource: "
        "the server responded with a status of 400"
    )
    assert [e for e in watch.console_errors if refusal in e] == watch.console_errors != []
    watch.console_errors.clear()
    expect(page.locator("details#other-steps")).to_have_attribute("open", "")
    refused = page.locator("details#action-reject")
    expect(refused).to_have_attribute("open", "")
    expect(refused.locator(".error-summary a[href='#id_reject-confirm']")).to_be_visible()
    expect(refused.locator(".field:has(#id_reject-confirm) .errorlist")).to_have_text(
        "请勾选此框以确认。"
    )
    expect(refused.locator(".error-summary li")).to_have_text(["请勾选此框以确认。"])
    expect(status_badge(page)).to_have_text("待受理")
    shoot("reject-refused")
    # The top of the page leads to the reason, far below on a phone.
    page.locator("p.refused-step a").click()
    expect(refused.locator(".error-summary")).to_be_in_viewport()
    shoot("reject-refused-at-reason")
    assert Case.objects.get(number=number).status == CaseStatus.SUBMITTED

    # Take the expected step.
    submit(page, next_step(page).locator("form"))
    expect(page.locator(".messages")).to_contain_text("受理")
    expect(status_badge(page)).to_have_text("已登记")

    # Registered: now 转办 is the next step, open, the same large button.
    expect(next_step(page)).to_have_attribute("id", "action-refer")
    expect(next_step(page)).to_have_attribute("open", "")
    refer = next_step(page).locator("form")
    refer.locator("[name=refer-department]").select_option(label=desk.departments[0].name)
    expect(refer.locator("[name=refer-department] option").first).to_have_text("请选择")
    shoot("registered")
    submit(page, refer)
    expect(status_badge(page)).to_have_text("已转办")
    # Referred: the department's reply is awaited.
    expect(next_step(page)).to_have_attribute("id", "action-reply")
    shoot("referred")
    assert Case.objects.get(number=number).status == CaseStatus.REFERRED
    watch.assert_clean()


def issue_names(page: Page) -> list[str]:
    return page.locator("#issues [data-issue-list] .issue-name").all_inner_texts()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_liaison_adds_and_removes_issues_on_the_visit_form(
    page: Page, live_server, desk, watch, shoot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, live_server, desk)
    page.goto(f"{live_server.url}/visits/new/")
    total = page.locator("[name=issues-TOTAL_FORMS]")
    add = page.get_by_role("button", name="添加问题")

    # The page's fixed set, made to grow and shrink by the script.
    expect(total).to_have_value("3")
    expect(add).to_be_visible()
    expect(page.locator("#issues fieldset.issue .remove-issue")).to_have_count(2)
    add.click()
    expect(total).to_have_value("4")
    assert issue_names(page) == ["问题1", "问题2", "问题3", "问题4"]
    expect(page.locator("[name=issues-3-title]")).to_be_focused()
    shoot("visit-issue-added")

    page.locator("[name=visitor_name]").fill("张建华")
    page.locator("[name=issues-0-title]").fill("小区电梯停运三个月无人维修")
    page.locator("[name=issues-0-category]").select_option("property")
    page.locator("[name=issues-1-title]").fill("这一条要删掉")
    page.locator("[name=issues-3-title]").fill("楼道堆放杂物，存在消防隐患")
    page.locator("[name=issues-3-category]").select_option("fire_safety")
    # The answered-on-the-spot rule stands beside its two fields.
    rule = page.locator("#issues-3-on-the-spot-rule")
    expect(rule).to_be_visible()
    expect(page.locator("#id_issues-3-answer")).to_have_attribute(
        "aria-describedby", "issues-3-on-the-spot-rule"
    )

    page.get_by_role("button", name="删除问题2").click()
    expect(total).to_have_value("3")
    assert issue_names(page) == ["问题1", "问题2", "问题3"]
    # The issue that was the fourth is now the third, under the names the server reads.
    expect(page.locator("[name=issues-2-title]")).to_have_value("楼道堆放杂物，存在消防隐患")
    expect(page.locator("label[for=id_issues-2-title]")).to_contain_text("问题概述")
    expect(page.locator("#issues-2-on-the-spot-rule")).to_have_count(1)
    expect(page.locator("[name=issues-3-title]")).to_have_count(0)
    expect(page.locator("text=这一条要删掉")).to_have_count(0)
    shoot("visit-issue-removed")

    # Grow to the most a visit records: the add button goes.
    for _ in range(7):
        add.click()
    expect(total).to_have_value("10")
    expect(add).to_be_hidden()

    submit(page, page.locator("main form.visit-form"))
    expect(page.locator(".error-summary")).to_have_count(0)
    expect(page).to_have_url(re.compile(rf"^{live_server.url}/visits/\d+/$"))
    assert set(Case.objects.values_list("title", flat=True)) == {
        "小区电梯停运三个月无人维修",
        "楼道堆放杂物，存在消防隐患",
    }
    watch.assert_clean()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_refused_visit_opens_with_a_summary_whose_links_lead_to_the_fields(
    page: Page, live_server, desk, watch, shoot, viewport
):
    page.set_viewport_size(VIEWPORTS[viewport])
    sign_in(page, live_server, desk)
    page.goto(f"{live_server.url}/visits/new/")
    page.locator("[name=issues-0-title]").fill("小区电梯停运")

    submit(page, page.locator("main form.visit-form"))

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("尚未保存，请修改以下内容：")
    shoot("visit-refused")
    link = summary.locator("a[href='#id_visitor_name']")
    expect(link).to_have_text("来访人姓名：此项必填。")
    link.click()
    expect(page.locator("#id_visitor_name")).to_be_in_viewport()
    # The issue given stays; the script still works on the page sent back.
    expect(page.locator("[name=issues-0-title]")).to_have_value("小区电梯停运")
    expect(page.get_by_role("button", name="添加问题")).to_be_visible()
    watch.assert_clean()
