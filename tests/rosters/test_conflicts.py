"""Conflicts in the saved roster, flagged and filtered in the shift admin."""

from datetime import date, time

import pytest
from django.urls import reverse

from rosters.conflicts import with_conflicts
from rosters.models import Attendance, DutyAssignment, DutyShift

from ..factories import DutyShiftFactory, MemberFactory, WorkstationFactory

DAY = date(2026, 12, 2)
CHANGELIST = "admin:rosters_dutyshift_changelist"


def on_duty(shift, member, **fields):
    return DutyAssignment.objects.create(shift=shift, member=member, **fields)


def flags(shift) -> tuple[bool, bool, bool]:
    annotated = with_conflicts(DutyShift.objects.filter(pk=shift.pk)).get()
    return annotated.has_overlap, annotated.has_inactive, annotated.has_nobody


@pytest.fixture
def here(db):
    return WorkstationFactory(name="西一路")


@pytest.fixture
def there(db):
    return WorkstationFactory(name="胡家庙")


def test_a_member_on_two_workstations_at_once_flags_both_shifts(here, there):
    member = MemberFactory()
    morning = DutyShiftFactory(workstation=here, date=DAY, starts_at=time(9), ends_at=time(12))
    overlapping = DutyShiftFactory(
        workstation=there, date=DAY, starts_at=time(11), ends_at=time(13)
    )
    on_duty(morning, member)
    on_duty(overlapping, member)

    assert flags(morning) == (True, False, False)
    assert flags(overlapping) == (True, False, False)


def test_shifts_that_only_touch_or_fall_on_other_days_are_no_overlap(here, there):
    member = MemberFactory()
    morning = DutyShiftFactory(workstation=here, date=DAY, starts_at=time(9), ends_at=time(12))
    afternoon = DutyShiftFactory(workstation=there, date=DAY, starts_at=time(12), ends_at=time(15))
    next_day = DutyShiftFactory(workstation=there, date=date(2026, 12, 3))
    for shift in (morning, afternoon, next_day):
        on_duty(shift, member)

    assert [flags(s)[0] for s in (morning, afternoon, next_day)] == [False, False, False]


def test_a_substitute_standing_in_while_on_their_own_shift_is_an_overlap(here, there):
    substitute = MemberFactory()
    own = DutyShiftFactory(workstation=here, date=DAY)
    covered = DutyShiftFactory(workstation=there, date=DAY)
    on_duty(own, substitute)
    on_duty(covered, MemberFactory(), attendance=Attendance.SUBSTITUTED, substitute=substitute)

    assert flags(own)[0] and flags(covered)[0]


def test_a_member_replaced_by_a_substitute_is_free_for_another_shift(here, there):
    member = MemberFactory()
    covered = DutyShiftFactory(workstation=here, date=DAY)
    elsewhere = DutyShiftFactory(workstation=there, date=DAY)
    on_duty(covered, member, attendance=Attendance.SUBSTITUTED, substitute=MemberFactory())
    on_duty(elsewhere, member)

    assert not flags(covered)[0] and not flags(elsewhere)[0]


def test_an_inactive_member_still_scheduled_is_flagged_but_not_once_substituted(here):
    gone = MemberFactory(is_active=False)
    scheduled = DutyShiftFactory(workstation=here, date=DAY)
    covered = DutyShiftFactory(workstation=here, date=date(2026, 12, 9))
    on_duty(scheduled, gone)
    on_duty(covered, gone, attendance=Attendance.SUBSTITUTED, substitute=MemberFactory())

    assert flags(scheduled) == (False, True, False)
    assert flags(covered) == (False, False, False)


def test_a_shift_with_nobody_is_flagged(here):
    assert flags(DutyShiftFactory(workstation=here, date=DAY)) == (False, False, True)


@pytest.fixture
def roster(here, there):
    """One shift of each kind, and a clean one, each with its own theme."""
    busy = MemberFactory()
    overlap = DutyShiftFactory(workstation=here, date=DAY, theme="两处同时")
    DutyShiftFactory(workstation=there, date=DAY, theme="另一处")
    for shift in DutyShift.objects.all():
        on_duty(shift, busy)
    inactive = DutyShiftFactory(workstation=here, date=date(2026, 12, 9), theme="已离任")
    on_duty(inactive, MemberFactory(is_active=False))
    DutyShiftFactory(workstation=here, date=date(2026, 12, 16), theme="无人值守")
    clean = DutyShiftFactory(workstation=here, date=date(2026, 12, 23), theme="一切正常")
    on_duty(clean, MemberFactory())
    return overlap


@pytest.mark.parametrize(
    ("conflict", "themes"),
    [
        ("overlap", {"两处同时", "另一处"}),
        ("inactive", {"已离任"}),
        ("empty", {"无人值守"}),
        ("any", {"两处同时", "另一处", "已离任", "无人值守"}),
        ("", {"两处同时", "另一处", "已离任", "无人值守", "一切正常"}),
    ],
)
def test_the_changelist_filters_shifts_by_conflict(admin_client, roster, conflict, themes):
    # Every date: the list opens on this week.
    query = {"week": "all", **({"conflict": conflict} if conflict else {})}
    response = admin_client.get(reverse(CHANGELIST), query)

    listed = {shift.theme for shift in response.context["cl"].result_list}
    assert listed == themes


def test_the_changelist_and_the_change_page_name_each_shifts_conflicts(admin_client, roster):
    listing = admin_client.get(reverse(CHANGELIST), {"week": "all"}).content.decode()
    change = admin_client.get(reverse("admin:rosters_dutyshift_change", args=[roster.pk]))

    assert "Member on two shifts at once" in listing
    assert "Inactive member" in listing and "Shift with nobody" in listing
    assert "Member on two shifts at once" in change.content.decode()
