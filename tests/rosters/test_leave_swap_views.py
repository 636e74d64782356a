"""Leave (请假) with a substitute and swaps of coming duties, from the change page."""

from datetime import time, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rosters.models import Attendance, DutyAssignment, DutyChange
from tests.signing import force_login
from workstations import roles

from ..factories import DutyShiftFactory, MemberFactory, UserFactory

ALLOWED = ["administrator", "staff", "member_user"]


def change_url(assignment):
    return reverse("rosters:assignment_change", args=[assignment.pk])


def leave_url(assignment):
    return reverse("rosters:assignment_leave", args=[assignment.pk])


def swap_url(assignment):
    return reverse("rosters:assignment_swap", args=[assignment.pk])


def week_url(assignment):
    week = reverse("rosters:roster_week", args=[assignment.shift.workstation.slug])
    return f"{week}?date={assignment.shift.date:%Y-%m-%d}"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def english(client):
    # The UI is Chinese by default and ignores Accept-Language; the cookie chooses English.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def duty(workstation, member_user, today):
    """李委员's coming duty at the workstation."""
    shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=3))
    return DutyAssignment.objects.create(shift=shift, member=member_user.member)


@pytest.fixture
def others_duty(workstation, today):
    """Another member's coming duty at the same workstation, on another day."""
    shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=5))
    return DutyAssignment.objects.create(shift=shift, member=MemberFactory(name="周建平"))


@pytest.fixture
def substitute(db):
    return MemberFactory(name="王替班")


@pytest.fixture
def another_member_user(workstation):
    user = UserFactory(username="another-member", role=roles.MEMBERS)
    MemberFactory(name="赵委员", home_workstation=workstation, user=user)
    return user


def assert_unchanged(assignment, member):
    assignment.refresh_from_db()
    assert assignment.attendance == Attendance.SCHEDULED
    assert assignment.substitute is None
    assert assignment.member == member
    assert not DutyChange.objects.exists()


# The change page


@pytest.mark.parametrize("persona", ALLOWED)
def test_the_change_page_shows_the_duty_and_both_forms_to_those_allowed(
    client, request, persona, duty, english
):
    force_login(client, request.getfixturevalue(persona))

    response = client.get(change_url(duty))

    page = response.content.decode()
    assert response.status_code == 200
    assert "李委员" in page and duty.shift.workstation.name in page
    assert f"{duty.shift.date:%Y-%m-%d}" in page and "09:00" in page
    assert leave_url(duty) in page and swap_url(duty) in page


def test_the_change_page_is_404_for_staff_of_another_workstation_and_other_members(
    client, other_staff, another_member_user, duty
):
    for user in (other_staff, another_member_user):
        force_login(client, user)
        assert client.get(change_url(duty)).status_code == 404


def test_a_member_gets_404_on_someone_elses_duty(client, member_user, others_duty):
    force_login(client, member_user)
    assert client.get(change_url(others_duty)).status_code == 404


def test_the_change_page_sends_anonymous_visitors_to_login(client, duty):
    response = client.get(change_url(duty))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_change_page_offers_the_substitutes_and_the_duties_to_swap_with(
    client, staff, duty, others_duty, substitute, workstation, other_workstation, today
):
    gone = MemberFactory(name="离任委员", is_active=False)
    same_shift = DutyAssignment.objects.create(shift=duty.shift, member=MemberFactory(name="同班"))
    elsewhere = DutyShiftFactory(workstation=other_workstation, date=today + timedelta(days=4))
    DutyAssignment.objects.create(shift=elsewhere, member=MemberFactory(name="别处委员"))
    too_far = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=91))
    DutyAssignment.objects.create(shift=too_far, member=MemberFactory(name="远期委员"))
    past = DutyShiftFactory(workstation=workstation, date=today - timedelta(days=1))
    DutyAssignment.objects.create(shift=past, member=MemberFactory(name="过去委员"))
    force_login(client, staff)

    response = client.get(change_url(duty))

    substitutes = list(response.context["leave_form"].fields["substitute"].queryset)
    assert substitute in substitutes and same_shift.member in substitutes
    assert duty.member not in substitutes and gone not in substitutes
    assert list(response.context["swap_form"].fields["other"].queryset) == [others_duty]
    label = f"{others_duty.shift.date:%Y-%m-%d} 09:00 · 周建平"
    assert label in response.content.decode()


def test_a_past_duty_can_no_longer_be_changed_and_shows_no_forms(
    client, staff, workstation, today, english
):
    shift = DutyShiftFactory(workstation=workstation, date=today - timedelta(days=1))
    past = DutyAssignment.objects.create(shift=shift, member=MemberFactory())
    force_login(client, staff)

    page = client.get(change_url(past)).content.decode()

    assert "can no longer be changed" in page
    assert leave_url(past) not in page and swap_url(past) not in page


def test_a_duty_no_longer_scheduled_can_no_longer_be_changed(
    client, staff, duty, substitute, english
):
    force_login(client, staff)
    client.post(leave_url(duty), {"substitute": substitute.pk, "reason": "出差"})

    page = client.get(change_url(duty)).content.decode()

    assert "can no longer be changed" in page and "王替班" in page
    assert leave_url(duty) not in page


def test_the_change_page_runs_the_same_queries_for_20_candidates_as_for_3(
    client, staff, duty, workstation, today, django_assert_num_queries
):
    def fill(start, count):
        for n in range(start, start + count):
            shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=4 + n))
            DutyAssignment.objects.create(shift=shift, member=MemberFactory())

    force_login(client, staff)
    fill(0, 3)
    client.get(change_url(duty))
    with CaptureQueriesContext(connection) as few:
        response = client.get(change_url(duty))
    assert len(response.context["swap_form"].fields["other"].queryset) == 3
    fill(3, 17)
    # Session, user, the duty (with its shift, workstation, member and substitute), the
    # user's groups, their workstations, the substitutes, the duties to swap with (with
    # their shifts and members).
    with django_assert_num_queries(len(few)):
        response = client.get(change_url(duty))
    assert response.content.decode().count(" 09:00 · 委员") == 20


def test_get_is_the_only_method_of_the_change_page(client, staff, duty):
    force_login(client, staff)
    assert client.post(change_url(duty)).status_code == 405


# Leave


@pytest.mark.parametrize("persona", ALLOWED)
def test_leave_is_recorded_with_the_substitute_and_a_change_row(
    client, request, persona, duty, substitute
):
    user = request.getfixturevalue(persona)
    force_login(client, user)

    response = client.post(leave_url(duty), {"substitute": substitute.pk, "reason": "出差在外"})

    assert response.status_code == 302
    duty.refresh_from_db()
    assert (duty.on_leave, duty.attendance) == (True, Attendance.SCHEDULED)
    assert duty.substitute == substitute
    change = DutyChange.objects.get()
    assert change.assignment == duty and change.kind == DutyChange.Kind.LEAVE
    assert change.by == user and "出差在外" in change.detail


def test_after_leave_the_member_returns_to_their_duties_and_staff_to_the_week(
    client, member_user, staff, duty, others_duty, substitute
):
    force_login(client, member_user)
    response = client.post(leave_url(duty), {"substitute": substitute.pk, "reason": "出差"})
    assert response["Location"] == reverse("rosters:my_duties")

    force_login(client, staff)
    response = client.post(leave_url(others_duty), {"substitute": substitute.pk, "reason": "病假"})
    assert response["Location"] == week_url(others_duty)


def test_leave_shows_a_success_message(client, staff, duty, substitute, english):
    force_login(client, staff)
    response = client.post(
        leave_url(duty), {"substitute": substitute.pk, "reason": "出差"}, follow=True
    )
    assert any("王替班" in m for m in messages_of(response))


def test_leave_is_404_for_staff_of_another_workstation_and_other_members(
    client, other_staff, another_member_user, member_user, duty, others_duty, substitute
):
    data = {"substitute": substitute.pk, "reason": "出差"}
    for user, assignment in (
        (other_staff, duty),
        (another_member_user, duty),
        (member_user, others_duty),
    ):
        force_login(client, user)
        assert client.post(leave_url(assignment), data).status_code == 404
    assert_unchanged(duty, duty.member)
    assert_unchanged(others_duty, others_duty.member)


def test_leave_sends_anonymous_visitors_to_login(client, duty, substitute):
    response = client.post(leave_url(duty), {"substitute": substitute.pk, "reason": "出差"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert_unchanged(duty, duty.member)


def test_get_on_leave_is_not_allowed(client, staff, duty):
    force_login(client, staff)
    assert client.get(leave_url(duty)).status_code == 405


def test_leave_without_a_reason_is_refused_next_to_the_field(
    client, staff, duty, substitute, english
):
    force_login(client, staff)

    response = client.post(leave_url(duty), {"substitute": substitute.pk, "reason": ""})

    assert response.status_code == 200
    assert response.context["leave_form"].errors["reason"]
    assert "This field is required." in response.content.decode()
    assert_unchanged(duty, duty.member)


def test_the_member_cannot_be_their_own_substitute(client, member_user, duty, english):
    force_login(client, member_user)

    response = client.post(leave_url(duty), {"substitute": duty.member.pk, "reason": "出差"})

    assert response.status_code == 200
    assert response.context["leave_form"].errors["substitute"]
    assert "Select a valid choice" in response.content.decode()
    assert_unchanged(duty, duty.member)


def test_a_substitute_already_on_duty_at_that_time_is_refused(
    client, staff, duty, substitute, other_workstation, english
):
    busy = DutyShiftFactory(
        workstation=other_workstation, date=duty.shift.date, starts_at=time(10), ends_at=time(11)
    )
    DutyAssignment.objects.create(shift=busy, member=substitute)
    force_login(client, staff)

    response = client.post(leave_url(duty), {"substitute": substitute.pk, "reason": "出差"})

    # The picker offers them as on duty then, not to be chosen: the form refuses them.
    assert response.status_code == 200
    assert response.context["leave_form"].errors["substitute"] == [
        "王替班 is already on duty at that time."
    ]
    assert_unchanged(duty, duty.member)


def test_leave_from_a_past_shift_is_refused(client, staff, workstation, substitute, today, english):
    shift = DutyShiftFactory(workstation=workstation, date=today - timedelta(days=1))
    past = DutyAssignment.objects.create(shift=shift, member=MemberFactory())
    force_login(client, staff)

    response = client.post(
        leave_url(past), {"substitute": substitute.pk, "reason": "出差"}, follow=True
    )

    assert response.redirect_chain[-1][0] == change_url(past)
    assert any("before a shift" in m for m in messages_of(response))
    assert_unchanged(past, past.member)


def test_posting_the_same_leave_twice_records_it_once(
    client, member_user, duty, substitute, english
):
    force_login(client, member_user)
    data = {"substitute": substitute.pk, "reason": "出差"}

    client.post(leave_url(duty), data)
    response = client.post(leave_url(duty), data, follow=True)

    assert DutyChange.objects.count() == 1
    assert any("already" in m for m in messages_of(response))
    duty.refresh_from_db()
    assert duty.substitute == substitute


# Swap


@pytest.mark.parametrize("persona", ALLOWED)
def test_a_swap_exchanges_the_members_and_writes_two_change_rows(
    client, request, persona, duty, others_duty
):
    user = request.getfixturevalue(persona)
    mine, theirs = duty.member, others_duty.member
    force_login(client, user)

    response = client.post(swap_url(duty), {"other": others_duty.pk, "reason": "家中有事"})

    assert response.status_code == 302
    duty.refresh_from_db()
    others_duty.refresh_from_db()
    assert duty.member == theirs and others_duty.member == mine
    changes = DutyChange.objects.filter(kind=DutyChange.Kind.SWAP)
    assert {c.assignment_id for c in changes} == {duty.pk, others_duty.pk}
    assert all(c.by == user and "家中有事" in c.detail for c in changes)


def test_after_a_swap_the_member_returns_to_their_duties_and_staff_to_the_week(
    client, member_user, staff, duty, others_duty, workstation, today
):
    force_login(client, member_user)
    response = client.post(swap_url(duty), {"other": others_duty.pk})
    assert response["Location"] == reverse("rosters:my_duties")

    third = DutyAssignment.objects.create(
        shift=DutyShiftFactory(workstation=workstation, date=today + timedelta(days=7)),
        member=MemberFactory(),
    )
    force_login(client, staff)
    response = client.post(swap_url(third), {"other": others_duty.pk})
    assert response["Location"] == week_url(third)


def test_a_swap_shows_a_success_message(client, staff, duty, others_duty, english):
    force_login(client, staff)
    response = client.post(swap_url(duty), {"other": others_duty.pk}, follow=True)
    assert any("周建平" in m for m in messages_of(response))


def test_a_swap_is_404_for_staff_of_another_workstation_and_other_members(
    client, other_staff, another_member_user, member_user, duty, others_duty
):
    mine, theirs = duty.member, others_duty.member
    for user, assignment, other in (
        (other_staff, duty, others_duty),
        (another_member_user, duty, others_duty),
        (member_user, others_duty, duty),
    ):
        force_login(client, user)
        assert client.post(swap_url(assignment), {"other": other.pk}).status_code == 404
    assert_unchanged(duty, mine)
    assert_unchanged(others_duty, theirs)


def test_a_swap_sends_anonymous_visitors_to_login(client, duty, others_duty):
    response = client.post(swap_url(duty), {"other": others_duty.pk})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert_unchanged(duty, duty.member)


def test_get_on_swap_is_not_allowed(client, staff, duty):
    force_login(client, staff)
    assert client.get(swap_url(duty)).status_code == 405


def test_a_swap_with_a_duty_not_offered_is_refused_next_to_the_field(
    client, staff, duty, other_workstation, today, english
):
    elsewhere = DutyAssignment.objects.create(
        shift=DutyShiftFactory(workstation=other_workstation, date=today + timedelta(days=4)),
        member=MemberFactory(),
    )
    force_login(client, staff)

    response = client.post(swap_url(duty), {"other": elsewhere.pk})

    assert response.status_code == 200
    assert response.context["swap_form"].errors["other"]
    assert "Select a valid choice" in response.content.decode()
    assert_unchanged(duty, duty.member)
    assert_unchanged(elsewhere, elsewhere.member)


def test_a_swap_of_a_past_duty_is_refused(client, staff, workstation, others_duty, today, english):
    past = DutyAssignment.objects.create(
        shift=DutyShiftFactory(workstation=workstation, date=today - timedelta(days=1)),
        member=MemberFactory(),
    )
    force_login(client, staff)

    response = client.post(swap_url(past), {"other": others_duty.pk}, follow=True)

    assert response.redirect_chain[-1][0] == change_url(past)
    assert "Only coming shifts can be swapped." in messages_of(response)
    assert_unchanged(past, past.member)
    assert_unchanged(others_duty, others_duty.member)


def test_a_swap_into_a_time_the_member_is_already_on_duty_is_refused(
    client, staff, duty, others_duty, other_workstation, english
):
    busy = DutyShiftFactory(
        workstation=other_workstation, date=others_duty.shift.date, starts_at=time(10)
    )
    DutyAssignment.objects.create(shift=busy, member=duty.member)
    force_login(client, staff)

    response = client.post(swap_url(duty), {"other": others_duty.pk}, follow=True)

    assert response.redirect_chain[-1][0] == change_url(duty)
    assert "李委员 is already on duty at that time." in messages_of(response)
    assert_unchanged(duty, duty.member)
    assert_unchanged(others_duty, others_duty.member)


# The links from the roster cells


def test_the_week_view_links_coming_scheduled_duties_to_their_change_page(
    client, staff, duty, workstation, today
):
    past = DutyAssignment.objects.create(
        shift=DutyShiftFactory(workstation=workstation, date=today - timedelta(days=1)),
        member=MemberFactory(),
    )
    force_login(client, staff)

    coming = client.get(week_url(duty)).content.decode()
    gone = client.get(week_url(past)).content.decode()

    assert change_url(duty) in coming
    assert change_url(past) not in gone


def test_my_duties_links_only_the_members_own_coming_duties(client, member_user, duty, substitute):
    colleague = DutyAssignment.objects.create(shift=duty.shift, member=MemberFactory())
    force_login(client, member_user)

    page = client.get(reverse("rosters:my_duties")).content.decode()

    assert change_url(duty) in page and change_url(colleague) not in page


def test_the_month_view_has_no_change_links(client, staff, duty):
    force_login(client, staff)
    month = reverse("rosters:roster_month", args=[duty.shift.workstation.slug])
    page = client.get(f"{month}?date={duty.shift.date:%Y-%m-%d}").content.decode()
    assert "李委员" in page and change_url(duty) not in page


def test_my_duties_runs_the_same_queries_for_20_coming_duties_as_for_3(
    client, member_user, workstation, today, django_assert_num_queries
):
    me = member_user.member

    def fill(start, count):
        for n in range(start, start + count):
            # From tomorrow: a shift today may have started, and is no longer changeable.
            shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=n + 1))
            DutyAssignment.objects.create(shift=shift, member=me)
            DutyAssignment.objects.create(shift=shift, member=MemberFactory())

    force_login(client, member_user)
    fill(0, 3)
    client.get(reverse("rosters:my_duties"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("rosters:my_duties"))
    fill(3, 17)
    with django_assert_num_queries(len(few)):
        page = client.get(reverse("rosters:my_duties")).content.decode()
    assert page.count("/change/") == 20
