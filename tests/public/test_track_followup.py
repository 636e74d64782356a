"""The follow-up as the citizen sees it on /track/: the satisfaction they gave is in the
timeline, their own comment is shown back to them, and an unsatisfied answer is told
as what it is (the case goes back to the workstation), not as a closing."""

import pytest
from django.urls import reverse

from visits import lifecycle
from visits.models import Case, Satisfaction

from ..pages import section
from .tracking import resolved, submit_online, tracking

COMMENT = "楼道杂物只清了一半，5号楼仍然堆满。"


pytestmark = pytest.mark.usefixtures("working_calendar")


def timeline(client) -> str:
    return section(client.get(reverse("public:track")), "public-timeline")


def test_the_satisfaction_the_citizen_gave_is_shown_in_their_timeline(workstation, staff):
    number, code = submit_online(workstation)
    resolved(number, staff)
    client = tracking(number, code)

    client.post(reverse("public:track_follow_up"), {"satisfaction": "basically", "comment": ""})

    shown = timeline(client)
    assert "Followed up and closed" in shown and "Basically satisfied" in shown


def test_the_citizens_unsatisfied_comment_is_shown_back_to_them(workstation, staff):
    number, code = submit_online(workstation)
    resolved(number, staff)
    client = tracking(number, code)

    client.post(
        reverse("public:track_follow_up"), {"satisfaction": "unsatisfied", "comment": COMMENT}
    )

    shown = timeline(client)
    assert "Reopened for redoing" in shown and "Unsatisfied" in shown
    assert COMMENT in shown


def test_an_unsatisfied_follow_up_tells_the_citizen_the_case_is_taken_up_again(workstation, staff):
    number, code = submit_online(workstation)
    resolved(number, staff)
    client = tracking(number, code)

    response = client.post(
        reverse("public:track_follow_up"),
        {"satisfaction": "unsatisfied", "comment": COMMENT},
        follow=True,
    )

    page = response.content.decode()
    assert "the workstation takes your case up again" in page
    assert "Thank you for your feedback." not in page
    assert Case.objects.get(number=number).status == Case.Status.CONSULTING
    assert 'id="case-status">Consulting<' in page


def test_a_satisfied_follow_up_thanks_the_citizen_and_closes_the_case(workstation, staff):
    number, code = submit_online(workstation)
    resolved(number, staff)
    client = tracking(number, code)

    response = client.post(
        reverse("public:track_follow_up"), {"satisfaction": "satisfied"}, follow=True
    )

    assert "Thank you for your feedback." in response.content.decode()
    assert Case.objects.get(number=number).status == Case.Status.CLOSED


def test_a_follow_up_staff_recorded_shows_the_satisfaction_but_not_the_staff_note(
    workstation, staff
):
    number, code = submit_online(workstation)
    case = resolved(number, staff)
    lifecycle.case_follow_up(
        case=case, actor=staff, satisfaction=Satisfaction.SATISFIED, note="内部：电话回访，态度一般"
    )

    shown = timeline(tracking(number, code))

    assert "Followed up and closed" in shown and "Satisfied" in shown
    assert "内部" not in shown
