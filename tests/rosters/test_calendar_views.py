"""The printable roster pages, attendance from the week view, and a member's own duties."""

from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rosters.models import Attendance, DutyAssignment, DutyChange
from tests.signing import force_login

from ..factories import DutyShiftFactory, MemberFactory


def week_url(workstation, day=None):
    url = reverse("rosters:roster_week", args=[workstation.slug])
    return f"{url}?date={day:%Y-%m-%d}" if day else url


def month_url(workstation, day=None):
    url = reverse("rosters:roster_month", args=[workstation.slug])
    return f"{url}?date={day:%Y-%m-%d}" if day else url


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def shift(workstation, today):
    shift = DutyShiftFactory(workstation=workstation, date=today, theme="法律咨询轮值日")
    DutyAssignment.objects.create(shift=shift, member=MemberFactory(name="周建平"))
    return shift


def test_staff_see_their_workstations_week_with_its_shifts_and_members(client, staff, shift):
    force_login(client, staff)

    page = client.get(week_url(shift.workstation)).content.decode()

    assert "法律咨询轮值日" in page and "周建平" in page
    assert "no-store" in client.get(week_url(shift.workstation))["Cache-Control"]


def test_the_month_view_lists_every_shift_of_the_month(client, staff, workstation, today):
    first = today.replace(day=1)
    for n in range(3):
        DutyShiftFactory(workstation=workstation, date=first + timedelta(days=n), theme=f"主题{n}")
    force_login(client, staff)

    page = client.get(month_url(workstation, first)).content.decode()

    assert all(f"主题{n}" in page for n in range(3))


def test_staff_of_another_workstation_and_members_get_404_anonymous_goes_to_login(
    client, other_staff, member_user, shift
):
    for user in (other_staff, member_user):
        force_login(client, user)
        assert client.get(week_url(shift.workstation)).status_code == 404
        assert client.get(month_url(shift.workstation)).status_code == 404
    client.logout()
    response = client.get(week_url(shift.workstation))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_administrators_see_any_workstations_roster(client, administrator, shift):
    force_login(client, administrator)
    assert "周建平" in client.get(week_url(shift.workstation)).content.decode()


def test_the_month_view_runs_the_same_queries_for_60_shifts_as_for_3(
    client, staff, workstation, today, django_assert_num_queries
):
    first = today.replace(day=1)
    force_login(client, staff)

    def fill(start, count):
        for n in range(start, start + count):
            day = first + timedelta(days=n % 28)
            shift = DutyShiftFactory(
                workstation=workstation,
                date=day,
                starts_at=time(8 + n // 28),
                ends_at=time(8 + n // 28, 50),
            )
            DutyAssignment.objects.create(shift=shift, member=MemberFactory())

    fill(0, 3)
    client.get(month_url(workstation, first))
    with CaptureQueriesContext(connection) as few:
        client.get(month_url(workstation, first))
    fill(3, 57)
    with django_assert_num_queries(len(few)):
        response = client.get(month_url(workstation, first))
    assert response.content.decode().count('class="shift"') == 60


def test_attendance_is_recorded_from_the_week_view_by_the_workstations_staff(
    client, staff, workstation, today
):
    # Yesterday's shift: it has started whatever the time of day.
    started = DutyShiftFactory(workstation=workstation, date=today - timedelta(days=1))
    assignment = DutyAssignment.objects.create(shift=started, member=MemberFactory())
    force_login(client, staff)

    response = client.post(
        reverse("rosters:assignment_attendance", args=[assignment.pk]), {"attendance": "attended"}
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.attendance == Attendance.ATTENDED
    assert DutyChange.objects.get().by == staff


def test_attendance_for_a_future_shift_is_refused_with_a_message(client, staff, workstation, today):
    future = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=3))
    assignment = DutyAssignment.objects.create(shift=future, member=MemberFactory())
    force_login(client, staff)

    response = client.post(
        reverse("rosters:assignment_attendance", args=[assignment.pk]),
        {"attendance": "absent"},
        follow=True,
    )

    assignment.refresh_from_db()
    assert assignment.attendance == Attendance.SCHEDULED
    assert not DutyChange.objects.exists()
    assert any("started" in str(m) or "开始" in str(m) for m in response.context["messages"])


def test_staff_of_another_workstation_cannot_record_attendance(client, other_staff, shift):
    assignment = shift.assignments.get()
    force_login(client, other_staff)

    response = client.post(
        reverse("rosters:assignment_attendance", args=[assignment.pk]), {"attendance": "absent"}
    )

    assert response.status_code == 404
    assignment.refresh_from_db()
    assert assignment.attendance == Attendance.SCHEDULED


def test_get_on_attendance_is_not_allowed(client, staff, shift):
    force_login(client, staff)
    url = reverse("rosters:assignment_attendance", args=[shift.assignments.get().pk])
    assert client.get(url).status_code == 405


def test_a_member_sees_their_own_duties_and_their_feed_address(client, member_user, shift, today):
    me = member_user.member
    DutyAssignment.objects.create(shift=shift, member=me)
    other = DutyShiftFactory(
        workstation=shift.workstation,
        date=today,
        starts_at=time(14),
        ends_at=time(17),
        theme="别人的班",
    )
    DutyAssignment.objects.create(shift=other, member=MemberFactory())
    force_login(client, member_user)

    page = client.get(reverse("rosters:my_duties")).content.decode()

    assert "法律咨询轮值日" in page and "别人的班" not in page
    assert me.calendar_token in page


def test_my_duties_is_404_for_staff_without_a_member_record(client, staff):
    force_login(client, staff)
    assert client.get(reverse("rosters:my_duties")).status_code == 404


def test_the_roster_link_takes_a_liaison_to_their_workstations_week(client, staff, workstation):
    force_login(client, staff)
    response = client.get(reverse("rosters:rosters"))
    assert response.status_code == 302
    assert response["Location"] == week_url(workstation)


def test_the_roster_link_lists_every_workstation_for_an_administrator(
    client, administrator, workstation, other_workstation
):
    force_login(client, administrator)
    page = client.get(reverse("rosters:rosters")).content.decode()
    assert workstation.name in page and other_workstation.name in page


def test_the_roster_link_is_404_for_a_member(client, member_user):
    force_login(client, member_user)
    assert client.get(reverse("rosters:rosters")).status_code == 404
