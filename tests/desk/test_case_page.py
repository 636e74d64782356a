"""The case page (`desk.views.case_detail`, `case_reveal`): the facts, the referrals and
the whole timeline, the visitor's contact details masked until revealed (and every
revealing audited), text shown as text, and exactly the steps the status allows.

The steps posted from the page are tested in test_case_steps.py and
test_step_refusals.py; who may see which case in tests/visits/test_access.py."""

import re

import pytest

from audit.models import AuditEntry
from visits import lifecycle

from ..pages import html, offered_actions, section
from ..posts import act
from ..stories import ADDRESS, MASKED_NAME, MASKED_PHONE, NAME, PHONE

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")


def test_the_case_page_shows_the_facts_the_referrals_and_the_whole_timeline(
    client, world, workstation, member
):
    case = world.replied(workstation, members=[member], description="电梯停运三个月")

    response = client.get(f"/cases/{case.number}/")

    page = html(response)
    assert response.status_code == 200
    assert case.title in page
    assert "电梯停运三个月" in page
    assert member.name in section(response, "facts-heading", "visitor-heading")
    referrals = section(response, "referrals-heading", "timeline-heading")
    assert "区住建局" in referrals and "区消防救援大队" in referrals
    assert "Lead" in referrals and "Co-handling" in referrals
    assert "已约谈物业公司，限期整改" in referrals
    timeline = section(response, "timeline-heading", "actions-heading")
    kinds = re.findall(r"<strong>([^<]+)</strong>", timeline)
    assert kinds == ["Registered", "Referred", "Referred", "Department replied"]
    assert "转住建局" in timeline
    assert timeline.count("liaison") == 4


def test_the_case_page_masks_the_visitors_contact_details(client, world, workstation):
    case = world.registered(workstation)

    page = html(client.get(f"/cases/{case.number}/"))

    assert MASKED_PHONE in page
    assert MASKED_NAME in page
    assert PHONE not in page
    assert NAME not in page
    assert ADDRESS not in page
    assert f'action="/cases/{case.number}/reveal/"' in page


def test_revealing_shows_the_contact_details_and_records_who_looked_from_where(
    sign_in, staff, world, workstation
):
    case = world.registered(workstation)
    client = sign_in(staff, REMOTE_ADDR="10.20.30.40")

    response = client.post(f"/cases/{case.number}/reveal/")

    page = html(response)
    assert response.status_code == 200
    assert PHONE in page and NAME in page and ADDRESS in page
    assert MASKED_PHONE not in page
    assert f'action="/cases/{case.number}/reveal/"' not in page
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.ip_address) == (
        staff,
        AuditEntry.Action.REVEAL,
        case.number,
        "10.20.30.40",
    )
    assert PHONE not in entry.detail
    assert "no-store" in response["Cache-Control"]


def test_revealing_twice_is_recorded_twice(client, world, workstation):
    case = world.registered(workstation)

    client.post(f"/cases/{case.number}/reveal/")
    client.post(f"/cases/{case.number}/reveal/")

    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).count() == 2


def test_the_contact_details_are_masked_again_on_the_next_visit_to_the_page(
    client, world, workstation
):
    case = world.registered(workstation)
    client.post(f"/cases/{case.number}/reveal/")

    assert PHONE not in html(client.get(f"/cases/{case.number}/"))


def test_a_note_with_markup_is_shown_as_text_on_the_timeline(client, world, staff, workstation):
    case = world.registered(workstation)
    lifecycle.case_note(case=case, actor=staff, note="<img src=x onerror=alert(1)>")

    page = html(client.get(f"/cases/{case.number}/"))

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    ("make", "offered"),
    [
        ("submitted", {"accept", "merge", "reject", "withdraw", "note"}),
        (
            "registered",
            {"consult", "refer", "resolve", "merge", "reject", "withdraw", "note"},
        ),
        (
            "referred",
            {"consult", "refer", "acknowledge", "reply", "return", "withdraw", "note"},
        ),
        (
            "replied",
            {"consult", "refer", "acknowledge", "reply", "return", "resolve", "withdraw", "note"},
        ),
        ("closed", {"note"}),
    ],
)
def test_the_case_page_offers_exactly_the_steps_the_status_allows(
    client, world, workstation, make, offered
):
    case = getattr(world, make)(workstation)

    assert offered_actions(client.get(f"/cases/{case.number}/")) == offered


def test_a_member_is_offered_only_to_consult_and_to_add_a_note(sign_in, member, world, workstation):
    case = world.registered(workstation, members=[member])

    response = sign_in(member.user).get(f"/cases/{case.number}/")

    assert offered_actions(response) == {"consult", "note"}


def test_the_case_page_shows_the_summary_to_be_published(client, staff, world, workstation):
    case = world.replied(workstation)
    act(client, case, "resolve", note="已修复", public_summary="小区电梯已修复")

    html = client.get(f"/cases/{case.number}/").content.decode()

    assert '<dd id="public-summary">小区电梯已修复' in html
