"""The follow-up on the staff case page: the message says what really happened (an
unsatisfied citizen reopens the case, it is not closed), and the timeline keeps the
satisfaction given at each follow-up, even once a later one has replaced it on the case."""

import pytest

from visits import lifecycle
from visits.models import Case, CaseStatus, EventKind, Satisfaction

from ..pages import html, section
from ..posts import act

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")


def follow_up(client, case: Case, satisfaction: str, note: str = ""):
    return act(client, case, "close", satisfaction=satisfaction, note=note, follow=True)


def test_an_unsatisfied_follow_up_says_the_case_was_reopened_not_closed(
    sign_in, staff, world, workstation
):
    case = world.resolved(workstation)

    response = follow_up(sign_in(staff), case, Satisfaction.UNSATISFIED, "仍有噪音")

    page = html(response)
    assert "Saved: Follow up: unsatisfied, reopen" in page
    assert "Saved: Follow up and close" not in page
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CONSULTING


def test_an_unsatisfied_follow_up_is_said_as_reopened_in_chinese_too(
    sign_in, staff, world, workstation
):
    case = world.resolved(workstation)

    page = html(follow_up(sign_in(staff, language="zh-hans"), case, Satisfaction.UNSATISFIED))

    assert "已保存：回访不满意，重办" in page and "已保存：回访办结" not in page


def test_a_satisfied_follow_up_says_the_case_was_closed(sign_in, staff, world, workstation):
    case = world.resolved(workstation)

    page = html(follow_up(sign_in(staff), case, Satisfaction.SATISFIED))

    assert "Saved: Follow up and close" in page
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED


def test_the_timeline_keeps_the_satisfaction_of_every_follow_up(sign_in, staff, world, workstation):
    case = world.resolved(workstation)
    reopened = lifecycle.case_follow_up(
        case=case, actor=staff, satisfaction=Satisfaction.UNSATISFIED, note="仍有噪音"
    )
    again = lifecycle.case_resolve(case=reopened, actor=staff, note="二次整改完成")
    lifecycle.case_follow_up(case=again, actor=staff, satisfaction=Satisfaction.BASICALLY)

    timeline = section(sign_in(staff).get(f"/cases/{case.number}/"), "timeline-heading")

    reopen_at = timeline.index("Reopened for redoing")
    close_at = timeline.index("Followed up and closed")
    assert reopen_at < timeline.index("Unsatisfied", reopen_at) < close_at
    assert "Basically satisfied" in timeline[close_at:]
    events = case.events.filter(kind__in=[EventKind.REOPENED, EventKind.CLOSED]).order_by("at")
    assert [e.satisfaction for e in events] == [Satisfaction.UNSATISFIED, Satisfaction.BASICALLY]
