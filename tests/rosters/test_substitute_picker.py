"""The change page's pickers help rather than list: the substitute picker offers the
members free at the shift's time first (this workstation's before the others) and shows
those on duty then as not to be chosen, by the rule the leave itself keeps
(rosters.duties); the swap picker never offers a shift the member is on already nor one
that has started."""

import re
from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from rosters.duties import DutyError, _check_free
from rosters.models import Attendance, DutyAssignment

from ..factories import DutyShiftFactory, MemberFactory

# Thursday 5 March 2026, 10:00 in Xi'an: the morning shift has started, the afternoon's
# has not.
NOW = timezone.make_aware(datetime(2026, 3, 5, 10, 0))
FRIDAY = date(2026, 3, 6)


@pytest.fixture(autouse=True)
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def change_url(assignment) -> str:
    return reverse("rosters:assignment_change", args=[assignment.pk])


def on(shift, member, **fields) -> DutyAssignment:
    return DutyAssignment.objects.create(shift=shift, member=member, **fields)


@pytest.fixture
def duty(workstation, member):
    """张委员's duty on Friday morning, 09:00–12:00, with a colleague on the same shift."""
    shift = DutyShiftFactory(
        workstation=workstation, date=FRIDAY, starts_at=time(9), ends_at=time(12)
    )
    on(shift, MemberFactory(name="同班委员", home_workstation=workstation))
    return on(shift, member)


@pytest.fixture
def people(workstation, other_workstation, duty):
    """Members busy or free on Friday morning, in every way the rule tells apart."""
    elsewhere = DutyShiftFactory(
        workstation=other_workstation, date=FRIDAY, starts_at=time(10), ends_at=time(11)
    )
    afternoon = DutyShiftFactory(
        workstation=other_workstation, date=FRIDAY, starts_at=time(12), ends_at=time(15)
    )
    busy_elsewhere = MemberFactory(name="丙委员", home_workstation=workstation)
    on(elsewhere, busy_elsewhere)
    standing_in = MemberFactory(name="丁委员", home_workstation=other_workstation)
    on(elsewhere, MemberFactory(name="请假委员"), on_leave=True, substitute=standing_in)
    after_the_shift = MemberFactory(name="戊委员", home_workstation=workstation)
    on(afternoon, after_the_shift)  # starts when the morning shift ends: free
    return {
        "here": MemberFactory(name="甲委员", home_workstation=workstation),
        "elsewhere": MemberFactory(name="乙委员", home_workstation=other_workstation),
        "after_the_shift": after_the_shift,
        "busy_elsewhere": busy_elsewhere,
        "standing_in": standing_in,
        "gone": MemberFactory(name="离任委员", is_active=False),
    }


def offered(response) -> list[tuple[str, list[str]]]:
    """The substitute picker's groups in order: (label, the members' names, sorted)."""
    field = response.context["leave_form"].fields["substitute"]
    return [(str(label), sorted(name for _pk, name in group)) for label, group in field.choices[1:]]


def test_the_substitutes_free_at_that_time_come_first_this_workstations_before_others(
    sign_in, staff, duty, people
):
    response = sign_in(staff).get(change_url(duty))

    # On duty then: on a shift overlapping it elsewhere, standing in on one, on leave from
    # one (the rule of rosters.duties), or on this very shift.
    assert offered(response) == [
        ("Free at that time, of this workstation", sorted(["甲委员", "戊委员"])),
        ("Free at that time, of other workstations", ["乙委员"]),
        ("On duty at that time", sorted(["丙委员", "丁委员", "请假委员", "同班委员"])),
    ]


def test_the_members_on_duty_at_that_time_are_shown_but_cannot_be_chosen(
    sign_in, staff, duty, people
):
    page = sign_in(staff).get(change_url(duty)).content.decode()

    for name in ("丙委员", "丁委员", "同班委员"):
        assert re.search(rf'<option value="\d+" disabled>{name}</option>', page)
    for name in ("甲委员", "乙委员", "戊委员"):
        assert re.search(rf'<option value="\d+">{name}</option>', page)


def test_the_picker_and_the_leave_refuse_the_same_members(sign_in, staff, duty, people):
    response = sign_in(staff).get(change_url(duty))

    busy = {name for label, names in offered(response) if "On duty" in label for name in names}
    candidates = response.context["leave_form"].fields["substitute"].queryset
    for candidate in candidates:
        try:
            _check_free(candidate, duty)
        except DutyError:
            refused = True
        else:
            refused = False
        assert refused == (candidate.name in busy), candidate.name


def test_a_member_on_duty_at_that_time_posted_anyway_is_refused_by_the_form(
    sign_in, staff, duty, people
):
    response = sign_in(staff).post(
        reverse("rosters:assignment_leave", args=[duty.pk]),
        {"substitute": people["busy_elsewhere"].pk, "reason": "出差"},
    )

    assert response.context["leave_form"].errors["substitute"] == [
        "丙委员 is already on duty at that time."
    ]
    duty.refresh_from_db()
    assert not duty.on_leave and duty.substitute is None


def test_a_free_member_takes_the_shift(sign_in, staff, duty, people):
    response = sign_in(staff).post(
        reverse("rosters:assignment_leave", args=[duty.pk]),
        {"substitute": people["elsewhere"].pk, "reason": "出差"},
    )

    assert response.status_code == 302
    duty.refresh_from_db()
    assert duty.on_leave and duty.substitute == people["elsewhere"]


def test_the_substitute_picker_reads_in_chinese(sign_in, staff, duty, people):
    page = sign_in(staff, language="zh-hans").get(change_url(duty)).content.decode()

    assert '<optgroup label="该时段有空 · 本工作室委员">' in page
    assert '<optgroup label="该时段已在值班（不可选）">' in page


# --- the swap picker -------------------------------------------------------------------


def test_a_swap_offers_neither_the_members_own_shifts_nor_a_shift_that_has_started(
    sign_in, staff, workstation, duty, member
):
    def shift(day: date, hour: int):
        return DutyShiftFactory(
            workstation=workstation, date=day, starts_at=time(hour), ends_at=time(hour + 3)
        )

    started = on(shift(NOW.date(), 9), MemberFactory(name="今晨委员"))
    later_today = on(shift(NOW.date(), 14), MemberFactory(name="今午委员"))
    shared = shift(date(2026, 3, 9), 9)
    on(shared, member)
    with_member = on(shared, MemberFactory(name="同去委员"))
    stood_in = shift(date(2026, 3, 10), 9)
    on(stood_in, MemberFactory(name="请假委员"), on_leave=True, substitute=member)
    with_substitute = on(stood_in, MemberFactory(name="一同委员"))
    next_week = on(shift(date(2026, 3, 11), 9), MemberFactory(name="下周委员"))
    on(shift(date(2026, 3, 12), 9), MemberFactory(name="已到岗"), attendance=Attendance.ATTENDED)

    response = sign_in(staff).get(change_url(duty))

    swaps = list(response.context["swap_form"].fields["other"].queryset)
    assert swaps == [later_today, next_week]
    assert started not in swaps and with_member not in swaps and with_substitute not in swaps
    page = response.content.decode()
    assert f"{NOW.date():%Y-%m-%d} 09:00 · 今晨委员" not in page
    assert f"{NOW.date():%Y-%m-%d} 14:00 · 今午委员" in page


def test_a_swap_with_a_started_shift_posted_anyway_is_refused_by_the_form(
    sign_in, staff, workstation, duty
):
    started = on(
        DutyShiftFactory(workstation=workstation, date=NOW.date(), starts_at=time(9)),
        MemberFactory(name="今晨委员"),
    )

    response = sign_in(staff).post(
        reverse("rosters:assignment_swap", args=[duty.pk]), {"other": started.pk}
    )

    assert "other" in response.context["swap_form"].errors
    started.refresh_from_db()
    assert started.member.name == "今晨委员"
