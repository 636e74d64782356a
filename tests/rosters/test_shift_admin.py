"""The shift list in admin as its users expect it: it opens on this week (whatever the day,
31 December and 1 January included), offers last and next week and all dates, and shows
who is on duty; the rotation generator and the fairness view lay their forms out in the
admin's own fieldsets, the generator's members in the admin's two-pane picker."""

import re
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rosters.models import DutyAssignment
from tests.signing import force_login

from ..factories import DutyShiftFactory, MemberFactory

CHANGELIST = reverse("admin:rosters_dutyshift_changelist")
GENERATE = reverse("admin:rosters_dutyshift_generate")
FAIRNESS = reverse("admin:rosters_dutyshift_fairness")


@pytest.fixture
def on_day(time_machine, sign_in, administrator):
    """`on_day(day)`: the clock stopped at 10:00 that day, the administrator signed in then."""

    def on_day(day: date):
        time_machine.move_to(timezone.make_aware(datetime.combine(day, time(10))), tick=False)
        return sign_in(administrator)

    return on_day


def listed(response) -> list[date]:
    return sorted(shift.date for shift in response.context["cl"].result_list)


@pytest.fixture
def year_end(workstation):
    """Shifts around the week from Monday 28 December 2026 to Sunday 3 January 2027."""
    for day in (date(2026, 12, 27), date(2026, 12, 28), date(2027, 1, 3), date(2027, 1, 4)):
        DutyShiftFactory(workstation=workstation, date=day, theme=f"{day:%m%d}")


@pytest.mark.parametrize("today", [date(2026, 12, 31), date(2027, 1, 1)])
def test_the_shift_list_opens_on_this_week_on_any_day(on_day, year_end, today):
    admin_client = on_day(today)

    response = admin_client.get(CHANGELIST)

    assert response.status_code == 200
    assert listed(response) == [date(2026, 12, 28), date(2027, 1, 3)]
    assert "This week (12-28 – 01-03)" in response.content.decode()


@pytest.mark.parametrize(
    ("week", "dates"),
    [
        ("last", [date(2026, 12, 27)]),
        ("next", [date(2027, 1, 4)]),
        ("all", [date(2026, 12, 27), date(2026, 12, 28), date(2027, 1, 3), date(2027, 1, 4)]),
        ("nonsense", [date(2026, 12, 28), date(2027, 1, 3)]),
    ],
)
def test_the_shift_list_shows_last_or_next_week_or_every_date(on_day, year_end, week, dates):
    admin_client = on_day(date(2026, 12, 31))

    assert listed(admin_client.get(CHANGELIST, {"week": week})) == dates


def test_a_day_of_the_date_hierarchy_or_a_search_looks_at_every_date(on_day, year_end):
    admin_client = on_day(date(2026, 12, 31))

    in_2026 = admin_client.get(CHANGELIST, {"date__year": "2026"})
    searched = admin_client.get(CHANGELIST, {"q": "0104"})
    this_week_of_2027 = admin_client.get(CHANGELIST, {"date__year": "2027", "week": "this"})

    assert listed(in_2026) == [date(2026, 12, 27), date(2026, 12, 28)]
    assert listed(searched) == [date(2027, 1, 4)]
    assert listed(this_week_of_2027) == [date(2027, 1, 3)]


def test_the_shift_list_shows_the_members_on_duty_and_who_stands_in(on_day, workstation):
    admin_client = on_day(date(2026, 12, 31))
    shift = DutyShiftFactory(workstation=workstation, date=date(2026, 12, 31))
    DutyAssignment.objects.create(shift=shift, member=MemberFactory(name="王委员"))
    DutyAssignment.objects.create(
        shift=shift,
        member=MemberFactory(name="张委员"),
        on_leave=True,
        substitute=MemberFactory(name="李委员"),
    )
    DutyShiftFactory(workstation=workstation, date=date(2026, 12, 30), theme="无人")

    page = admin_client.get(CHANGELIST).content.decode()

    cells = re.findall(r'<td class="field-members_on_duty">(.*?)</td>', page)
    assert {frozenset(cell.split("、")) for cell in cells} == {
        frozenset({"—"}),
        frozenset({"王委员", "张委员 → 李委员"}),
    }


def test_the_members_on_duty_are_read_in_one_query_for_any_number_of_shifts(on_day, workstation):
    admin_client = on_day(date(2026, 12, 31))

    def shifts(hours):
        for hour in hours:
            shift = DutyShiftFactory(
                workstation=workstation,
                date=date(2026, 12, 29),
                starts_at=time(hour),
                ends_at=time(hour, 30),
            )
            for _ in range(3):
                DutyAssignment.objects.create(shift=shift, member=MemberFactory())

    shifts(range(8, 10))
    admin_client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(CHANGELIST)
    shifts(range(10, 20))
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(CHANGELIST)

    assert len(response.context["cl"].result_list) == 12
    assert len(many) == len(few)


@pytest.mark.parametrize("persona", ["staff", "other_staff", "member_user"])
def test_the_shift_list_sends_anyone_but_administrators_to_the_admin_login(
    client, request, persona
):
    user = request.getfixturevalue(persona)
    user.is_staff = True  # even with staff status
    user.save()
    force_login(client, user)

    response = client.get(CHANGELIST)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_shift_list_sends_the_anonymous_to_the_admin_login(client, db):
    response = client.get(CHANGELIST)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


# --- the rotation generator and the fairness view -----------------------------------------


def fieldset_headings(page: str) -> list[str]:
    return re.findall(r'<h2 id="fieldset-0-\d+-heading" class="fieldset-heading">(.*?)</h2>', page)


def test_the_rotation_form_is_laid_out_in_the_admins_fieldsets(admin_client):
    page = admin_client.get(GENERATE).content.decode()

    assert fieldset_headings(page) == [
        "Where and when", "Which days", "Shifts of each day", "Who takes turns",
    ]  # fmt: skip
    assert page.count('<fieldset class="module aligned "') == 4
    assert '<div class="form-row field-first">' in page
    assert "admin/css/forms.css" in page


def test_the_rotation_form_picks_members_with_the_admins_two_pane_picker(admin_client, db):
    MemberFactory(name="李建国")
    MemberFactory(name="离任委员", is_active=False)

    page = admin_client.get(GENERATE).content.decode()

    assert 'class="selectfilter"' in page and 'data-field-name="members"' in page
    assert 'size="8"' not in page
    for script in ("admin/js/core.js", "admin/js/SelectBox.js", "admin/js/SelectFilter2.js"):
        assert script in page
    assert f'<script src="{reverse("admin:jsi18n")}"></script>' in page
    assert "李建国" in page and "离任委员" not in page


def test_members_chosen_in_the_picker_are_previewed_in_turn(
    admin_client, workstation, calendar_2026
):
    members = [MemberFactory(name=name) for name in ("甲", "乙")]

    response = admin_client.post(
        GENERATE,
        {
            "workstations": [workstation.pk],
            "first": "2026-03-02",
            "last": "2026-03-03",
            "recurrence": "weekdays",
            "weekdays": ["0", "1"],
            "nth": "1",
            "slots": "09:00-11:30",
            "members_per_shift": "1",
            "members": [m.pk for m in members],
            "holidays": "skip",
            "preview": "1",
        },
    )

    shifts = response.context["preview"].new_shifts
    assert sorted(name for shift in shifts for name in (m.name for m in shift.members)) == [
        "乙",
        "甲",
    ]


def test_the_fairness_form_is_laid_out_in_the_admins_fieldsets(admin_client):
    page = admin_client.get(FAIRNESS).content.decode()

    assert fieldset_headings(page) == ["Period", "Whose duties"]
    assert '<div class="form-row field-workstation">' in page
