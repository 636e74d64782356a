"""The fairness view: duties assigned, attended and missed per member and group."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from rosters.fairness import by_group, member_fairness
from rosters.models import Attendance, DutyAssignment
from tests.signing import force_login

from ..admin_pages import administrator_without
from ..factories import (
    ActivityGroupFactory,
    DutyShiftFactory,
    MemberFactory,
    WorkstationFactory,
)

FIRST, LAST = date(2026, 1, 1), date(2026, 6, 30)
URL = "admin:rosters_dutyshift_fairness"


@pytest.fixture
def here(db):
    return WorkstationFactory(name="西一路")


@pytest.fixture
def legal(db):
    return ActivityGroupFactory(name="法制组")


def duty(member, day, workstation, attendance=Attendance.SCHEDULED, substitute=None):
    shift = DutyShiftFactory(workstation=workstation, date=day)
    return DutyAssignment.objects.create(
        shift=shift, member=member, attendance=attendance, substitute=substitute
    )


@pytest.fixture
def roster(here, legal):
    """甲: 3 duties (attended, absent, on leave with 乙 standing in); 乙: 1 attended and
    the stand-in; 丙: none; 丁 (inactive, no duty) is left out; one duty of 甲 falls
    outside the period and one at another workstation."""
    jia = MemberFactory(name="甲", activity_group=legal, home_workstation=here)
    yi = MemberFactory(name="乙", activity_group=legal, home_workstation=here)
    MemberFactory(name="丙", activity_group=legal, home_workstation=here)
    MemberFactory(name="丁", activity_group=legal, home_workstation=here, is_active=False)
    duty(jia, date(2026, 2, 4), here, Attendance.ATTENDED)
    duty(jia, date(2026, 3, 4), here, Attendance.ABSENT)
    duty(jia, date(2026, 4, 1), here, Attendance.SUBSTITUTED, substitute=yi)
    duty(jia, date(2026, 8, 5), here, Attendance.ATTENDED)  # after the period
    duty(jia, date(2026, 5, 6), WorkstationFactory(), Attendance.ATTENDED)  # elsewhere
    duty(yi, date(2026, 2, 11), here, Attendance.ATTENDED)
    return here


def figures(members):
    return {
        m.name: (m.assigned, m.attended, m.absent, m.on_leave, m.stood_in, m.unrecorded)
        for m in members
    }


def test_each_member_gets_assigned_attended_absent_leave_and_stand_ins(roster):
    members = member_fairness(FIRST, LAST, workstation=roster)

    assert figures(members) == {
        "甲": (3, 1, 1, 1, 0, 0),
        "乙": (1, 1, 0, 0, 1, 0),
        "丙": (0, 0, 0, 0, 0, 0),
    }


def test_without_a_workstation_every_workstations_duties_count(roster):
    assert figures(member_fairness(FIRST, LAST))["甲"] == (4, 2, 1, 1, 0, 0)


def test_a_past_duty_never_marked_counts_as_not_recorded(here, legal):
    member = MemberFactory(name="戊", activity_group=legal, home_workstation=here)
    duty(member, date(2026, 3, 4), here)

    assert figures(member_fairness(FIRST, LAST))["戊"] == (1, 0, 0, 0, 0, 1)


def test_an_inactive_member_with_duties_in_the_period_is_still_listed(here, legal):
    gone = MemberFactory(name="己", activity_group=legal, is_active=False)
    duty(gone, date(2026, 3, 4), here, Attendance.ABSENT)

    assert figures(member_fairness(FIRST, LAST))["己"] == (1, 0, 1, 0, 0, 0)


def test_groups_sum_their_members_and_show_the_spread(roster):
    economy = ActivityGroupFactory(name="经济组")
    MemberFactory(name="庚", activity_group=economy, home_workstation=roster)

    rows = {
        str(row.group): row for row in by_group(member_fairness(FIRST, LAST, workstation=roster))
    }

    legal = rows["法制组"]
    assert (legal.assigned, legal.attended, legal.absent, legal.on_leave, legal.stood_in) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert (len(legal.members), legal.fewest, legal.most) == (3, 0, 3)
    assert legal.average == pytest.approx(4 / 3)
    assert rows["经济组"].assigned == 0


def test_the_admin_view_shows_the_period_per_group_and_member(admin_client, roster):
    response = admin_client.get(
        reverse(URL), {"first": "2026-01-01", "last": "2026-06-30", "workstation": roster.pk}
    )

    html = response.content.decode()
    assert 'id="fairness-groups"' in html and 'id="fairness-members"' in html
    assert figures(response.context["members"])["甲"] == (3, 1, 1, 1, 0, 0)
    assert "丙" in html and "丁" not in html


def test_a_reversed_period_is_a_field_error(admin_client, roster):
    response = admin_client.get(reverse(URL), {"first": "2026-06-30", "last": "2026-01-01"})

    assert response.context["members"] is None
    assert "The last date is before the first." in response.content.decode()


def test_the_changelist_links_to_the_fairness_view(admin_client):
    html = admin_client.get(reverse("admin:rosters_dutyshift_changelist")).content.decode()
    assert reverse(URL) in html


def test_an_administrator_without_the_shift_permission_gets_403_and_anonymous_the_login(
    client, staff
):
    force_login(client, administrator_without("view_dutyshift", "change_dutyshift"))
    assert client.get(reverse(URL)).status_code == 403
    client.logout()
    assert client.get(reverse(URL))["Location"].startswith(reverse("admin:login"))


def test_the_view_runs_the_same_queries_for_30_members_as_for_3(
    admin_client, here, legal, django_assert_num_queries
):
    def add(count):
        for _ in range(count):
            member = MemberFactory(activity_group=legal, home_workstation=here)
            day = FIRST + timedelta(days=member.pk)  # one shift per day: one slot per day
            duty(member, day, here, Attendance.ATTENDED)

    params = {"first": "2026-01-01", "last": "2026-06-30"}
    add(3)
    admin_client.get(reverse(URL), params)  # warm the session and content types
    # session, user, role, user and group permissions, the members with their figures,
    # the form's workstations and groups (the session not written within its minute)
    with django_assert_num_queries(8):
        admin_client.get(reverse(URL), params)
    add(27)
    with django_assert_num_queries(8):
        response = admin_client.get(reverse(URL), params)
    assert len(response.context["members"]) == 30
