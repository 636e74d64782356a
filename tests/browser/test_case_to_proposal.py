"""From a case to a proposal in a real browser: a liaison opens a case a citizen raised,
turns it into a proposal draft, lands on the proposal page which links back to the case,
goes back to the case and finds the proposal linked there, and the step on its timeline."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from activities.models import Proposal

from ..factories import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CASE_TITLE = "老旧小区电梯频繁停运"
PROPOSAL_TITLE = "关于加快老旧小区电梯更新改造的提案"


def field(scope: Page | Locator, name: str) -> Locator:
    """A form control by its name; it must have a label, or nobody can tell what it is."""
    control = scope.locator(f"[name='{name}']")
    expect(control).to_have_accessible_name(re.compile(r"\S"))
    return control


def test_staff_turn_a_case_into_a_proposal_draft_and_see_the_link_from_both_sides(
    page: Page, live_server, desk, watch, screenshot
):
    case = open_case(workstation=desk.workstation, actor=desk.staff, title=CASE_TITLE)
    lead = desk.members[0]

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(desk.staff.username)
    page.get_by_label("密码").fill(desk.password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    # The case page: no proposal yet, and the step to make one, the case's title prefilled.
    page.goto(f"{live_server.url}/cases/{case.number}/")
    proposals = page.locator("section:has(#proposals-heading)")
    expect(proposals.locator("a")).to_have_count(0)
    details = page.locator("details#proposal-draft")
    details.locator("summary").click()
    expect(details).to_have_attribute("open", "")
    form = details.locator("form")
    expect(field(form, "proposal-title")).to_have_value(CASE_TITLE)
    screenshot(page, "case-to-proposal-01-case-page")

    field(form, "proposal-kind").select_option("proposal")
    field(form, "proposal-title").fill(PROPOSAL_TITLE)
    field(form, "proposal-lead").select_option(str(lead.pk))
    screenshot(page, "case-to-proposal-02-form-filled")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # The proposal page: a draft, led by the member chosen, linking back to the case.
    proposal = Proposal.objects.get()
    expect(page).to_have_url(f"{live_server.url}/proposals/{proposal.pk}/")
    expect(page.locator("h1")).to_have_text(PROPOSAL_TITLE)
    expect(page.locator(".messages")).to_contain_text(case.number)
    with translation.override("zh-hans"):  # the page's language, whatever the test's is
        draft = proposal.get_status_display()
    expect(page.locator("#proposal-status")).to_have_text(draft)
    expect(page.locator("main")).to_contain_text(lead.name)
    back = page.locator(f"#proposal-cases a[href='/cases/{case.number}/']")
    expect(back).to_have_text(case.number)
    screenshot(page, "case-to-proposal-03-proposal-page")

    # Back on the case page: the proposal is linked, and the step is on the timeline.
    with page.expect_navigation():
        back.click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.number}/")
    link = page.locator(f"#case-proposals a[href='/proposals/{proposal.pk}/']")
    expect(link).to_have_text(PROPOSAL_TITLE)
    expect(page.locator("ol.timeline > li").last).to_contain_text(PROPOSAL_TITLE)
    screenshot(page, "case-to-proposal-04-case-linked")

    # Sent again (a double click, a reload): still one proposal.
    details = page.locator("details#proposal-draft")
    details.locator("summary").click()
    form = details.locator("form")
    field(form, "proposal-title").fill(PROPOSAL_TITLE)
    field(form, "proposal-lead").select_option(str(lead.pk))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/proposals/{proposal.pk}/")
    assert Proposal.objects.count() == 1

    watch.assert_clean()
