"""A merged opinion on /track/: its citizen holds the code of their own case only, and
follows the case it was merged into through it: that case's number, status, dates and
steps, but nothing of the other citizen (name, phone, title, what they added or said at
a follow-up) and nothing anyone wrote on it (staff notes, replies)."""

import pytest
from django.urls import reverse

from visits import lifecycle
from visits.models import Case, Referral
from visits.online import citizen_add

from ..factories import DepartmentFactory
from ..pages import html, section
from .tracking import submit_online, tracking

OTHER_NAME_TEXT = "我是钱多多，住3号楼，电话13700001111，楼道堆满杂物。"
OTHER_ADDITION = "补充：我家门口也堆了纸箱"
STAFF_NOTE = "内部：联系钱女士核实"
REPLY = "已约谈物业公司，限期三日整改"


pytestmark = pytest.mark.usefixtures("working_calendar")


@pytest.fixture
def mine(workstation):
    return submit_online(workstation, "小区楼道堆满杂物，存在消防隐患，物业一直不管。")


@pytest.fixture
def theirs(workstation, staff):
    """Another citizen's opinion about the same problem, accepted, referred and replied."""
    number, _code = submit_online(workstation, OTHER_NAME_TEXT)
    case = lifecycle.case_accept(case=Case.objects.get(number=number), actor=staff)
    lifecycle.case_note(case=case, actor=staff, note=STAFF_NOTE)
    citizen_add(Case.objects.get(pk=case.pk), OTHER_ADDITION)
    lifecycle.case_refer(
        case=Case.objects.get(pk=case.pk), actor=staff, department=DepartmentFactory()
    )
    lifecycle.referral_reply(referral=Referral.objects.get(case=case), actor=staff, reply=REPLY)
    return Case.objects.get(pk=case.pk)


def merge(number: str, into: Case, staff) -> None:
    lifecycle.case_merge(case=Case.objects.get(number=number), actor=staff, into=into)


def test_a_merged_opinion_shows_the_number_status_and_steps_of_the_case_it_joined(
    mine, theirs, staff
):
    number, code = mine
    merge(number, theirs, staff)

    merged = section(tracking(number, code).get(reverse("public:track")), "merged-into")

    assert theirs.number in merged
    assert 'id="merged-status">Department replied<' in merged
    steps = merged[merged.index('id="merged-timeline"') :]
    for step in ("Submitted online", "Accepted", "Referred", "Department replied"):
        assert step in steps


def test_the_case_it_joined_shows_nothing_of_the_other_citizen_nor_what_anyone_wrote(
    mine, theirs, staff
):
    number, code = mine
    merge(number, theirs, staff)

    page = html(tracking(number, code).get(reverse("public:track")))

    for secret in ("钱多多", "13700001111", "3号楼", OTHER_ADDITION, STAFF_NOTE, REPLY):
        assert secret not in page
    assert theirs.title not in page
    assert "added by you" not in page


def test_a_case_merged_in_turn_leads_the_citizen_to_the_case_still_followed(
    mine, staff, workstation
):
    number, code = mine
    middle, last = (
        lifecycle.case_accept(
            case=Case.objects.get(number=submit_online(workstation)[0]), actor=staff
        )
        for _ in range(2)
    )
    merge(number, middle, staff)
    lifecycle.case_merge(case=middle, actor=staff, into=last)

    merged = section(tracking(number, code).get(reverse("public:track")), "merged-into")

    assert last.number in merged and 'id="merged-status">Registered<' in merged
    assert middle.number not in merged


def test_the_citizen_of_a_merged_opinion_cannot_follow_up_or_add_to_the_case_it_joined(
    mine, theirs, staff
):
    number, code = mine
    merge(number, theirs, staff)
    client = tracking(number, code)
    page = html(client.get(reverse("public:track")))
    assert 'id="follow-up-form"' not in page and 'id="add-form"' not in page

    client.post(reverse("public:track_add"), {"text": "我也补充一句"})

    assert not theirs.events.filter(note="我也补充一句").exists()
    assert not Case.objects.get(number=number).events.filter(note="我也补充一句").exists()


def test_an_opinion_not_merged_shows_no_other_case(mine):
    number, code = mine

    page = html(tracking(number, code).get(reverse("public:track")))

    assert 'id="merged-into"' not in page
