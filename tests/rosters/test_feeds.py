"""iCal feeds of duty shifts: parsed back with icalendar and checked for local times,
stable UIDs, Chinese summaries, substitutions, revocation and a constant query count."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from members.models import Member
from members.services import member_calendar_token_renew
from rosters.duties import assignment_take_leave
from rosters.feeds import DAYS_AHEAD, DAYS_BACK
from tests.signing import force_login

from ..factories import (
    ActivityGroupFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    UserFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def member(workstation):
    return MemberFactory(name="李委员", home_workstation=workstation)


@pytest.fixture
def shift(workstation, today):
    return DutyShiftFactory(
        workstation=workstation,
        date=today + timedelta(days=3),
        starts_at=time(9),
        ends_at=time(11, 30),
        holding_group=ActivityGroupFactory(name="法制组"),
        theme="法律咨询",
    )


def member_url(member: Member) -> str:
    return reverse("rosters:member_calendar", args=[member.calendar_token])


def workstation_url(workstation) -> str:
    return reverse("rosters:workstation_calendar", args=[workstation.slug])


def events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


def uids(response) -> list[str]:
    return [str(event["UID"]) for event in events(response)]


# --- the member's feed -------------------------------------------------------------------


def test_a_members_feed_has_their_duty_in_shanghai_time(client, member, shift, workstation):
    DutyAssignmentFactory(shift=shift, member=member)

    response = client.get(member_url(member))

    assert response.status_code == 200
    [event] = events(response)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == datetime.combine(shift.date, time(9), tzinfo=SHANGHAI)
    assert end == datetime.combine(shift.date, time(11, 30), tzinfo=SHANGHAI)
    assert (start.hour, start.utcoffset()) == (9, timedelta(hours=8))
    assert start.astimezone(ZoneInfo("UTC")).hour == 1
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert str(event["SUMMARY"]) == "西一路街道委员工作室 值班（法制组）"
    assert str(event["LOCATION"]) == workstation.address
    assert "主题：法律咨询" in str(event["DESCRIPTION"])
    assert "李委员" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTAMP").tzinfo is not None


def test_the_feed_carries_the_shanghai_timezone_and_a_name(client, member, shift):
    DutyAssignmentFactory(shift=shift, member=member)

    calendar = Calendar.from_ical(client.get(member_url(member)).content)

    [vtimezone] = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Asia/Shanghai"
    # Only the rules of the feed's window: UTC+8 with no summer time.
    assert [rule.name for rule in vtimezone.subcomponents] == ["STANDARD"]
    assert vtimezone.subcomponents[0]["TZOFFSETTO"].td == timedelta(hours=8)
    assert str(calendar["X-WR-CALNAME"]) == "李委员的值班"
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]


def test_uids_are_stable_across_fetches_and_unique_per_shift(client, member, workstation, today):
    for days in range(3):
        shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=days))
        DutyAssignmentFactory(shift=shift, member=member)

    first, second = uids(client.get(member_url(member))), uids(client.get(member_url(member)))

    assert first == second
    assert len(set(first)) == 3
    assert all(uid.startswith("shift-") and uid.endswith("@xincheng-workstations") for uid in first)


def test_a_shift_has_the_same_uid_in_the_member_and_workstation_feeds(
    client, member, shift, workstation
):
    DutyAssignmentFactory(shift=shift, member=member)

    in_member_feed = uids(client.get(member_url(member)))
    in_workstation_feed = uids(client.get(workstation_url(workstation)))

    assert in_member_feed == in_workstation_feed == [f"shift-{shift.pk}@xincheng-workstations"]


def test_only_the_members_own_duties_are_in_their_feed(client, member, shift, workstation, today):
    DutyAssignmentFactory(shift=shift, member=member)
    someone_elses = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=4))
    DutyAssignmentFactory(shift=someone_elses)

    assert uids(client.get(member_url(member))) == [f"shift-{shift.pk}@xincheng-workstations"]


def test_a_member_on_leave_loses_the_shift_and_the_substitute_gains_it(
    client, member, shift, workstation
):
    assignment = DutyAssignmentFactory(shift=shift, member=member)
    substitute = MemberFactory(name="王委员", home_workstation=workstation)
    assignment_take_leave(
        assignment=assignment,
        substitute=substitute,
        reason="出差",
        actor=UserFactory(username="office"),
    )

    assert events(client.get(member_url(member))) == []
    [event] = events(client.get(member_url(substitute)))
    assert str(event["UID"]) == f"shift-{shift.pk}@xincheng-workstations"
    description = str(event["DESCRIPTION"])
    assert "代李委员值班" in description
    assert "值班委员：王委员" in description


def test_the_feed_covers_sixty_days_back_to_a_year_ahead(client, member, workstation, today):
    inside = [today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)]
    outside = [today - timedelta(days=DAYS_BACK + 1), today + timedelta(days=DAYS_AHEAD + 1)]
    shifts = {}
    for day in inside + outside:
        shifts[day] = DutyShiftFactory(workstation=workstation, date=day)
        DutyAssignmentFactory(shift=shifts[day], member=member)

    found = set(uids(client.get(member_url(member))))

    assert found == {f"shift-{shifts[day].pk}@xincheng-workstations" for day in inside}
    assert DAYS_AHEAD >= 365


def test_an_unknown_token_is_a_plain_404(client, member):
    response = client.get(reverse("rosters:member_calendar", args=["not-a-token"]))

    assert response.status_code == 404
    assert b"VCALENDAR" not in response.content


def test_renewing_the_token_revokes_the_old_address(client, member, shift):
    DutyAssignmentFactory(shift=shift, member=member)
    old_url = member_url(member)

    member_calendar_token_renew(member)

    assert client.get(old_url).status_code == 404
    member.refresh_from_db()
    assert member_url(member) != old_url
    assert client.get(member_url(member)).status_code == 200


def test_the_admin_action_renews_the_chosen_members_addresses(client, administrator, member):
    other = MemberFactory()
    old_token, others_token = member.calendar_token, other.calendar_token
    force_login(client, administrator)

    response = client.post(
        reverse("admin:members_member_changelist"),
        {"action": "renew_calendar_token", "_selected_action": [member.pk]},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.calendar_token != old_token
    assert other.calendar_token == others_token
    assert client.get(reverse("rosters:member_calendar", args=[old_token])).status_code == 404


def test_the_member_feed_is_private_utf8_icalendar(client, member, shift):
    DutyAssignmentFactory(shift=shift, member=member)

    response = client.get(member_url(member))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"private", "max-age=300"}
    assert "西一路街道委员工作室".encode() in response.content


# --- the workstation's feed --------------------------------------------------------------


def test_the_workstation_feed_lists_its_shifts_with_who_is_on_duty(
    client, workstation, other_workstation, shift, today
):
    DutyAssignmentFactory(shift=shift, member=MemberFactory(name="张委员"))
    DutyAssignmentFactory(shift=shift, member=MemberFactory(name="赵委员"))
    DutyShiftFactory(workstation=other_workstation, date=shift.date)

    response = client.get(workstation_url(workstation))

    [event] = events(response)
    assert str(event["SUMMARY"]) == "西一路街道委员工作室 值班（法制组）"
    description = str(event["DESCRIPTION"])
    assert "轮值小组：法制组" in description
    assert "值班委员：张委员、赵委员" in description
    assert event.decoded("DTSTART") == datetime.combine(shift.date, time(9), tzinfo=SHANGHAI)
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "西一路街道委员工作室 值班表"


def test_a_shift_without_a_holding_group_is_just_duty(client, workstation, today):
    DutyShiftFactory(workstation=workstation, date=today, holding_group=None)

    [event] = events(client.get(workstation_url(workstation)))

    assert str(event["SUMMARY"]) == "西一路街道委员工作室 值班"


def test_the_workstation_feed_names_the_substitute_not_the_member_on_leave(
    client, workstation, shift, member
):
    assignment = DutyAssignmentFactory(shift=shift, member=member)
    assignment_take_leave(
        assignment=assignment,
        substitute=MemberFactory(name="王委员"),
        reason="出差",
        actor=UserFactory(username="office"),
    )

    [event] = events(client.get(workstation_url(workstation)))

    assert "值班委员：王委员" in str(event["DESCRIPTION"])
    assert "李委员" not in str(event["DESCRIPTION"])


def test_the_workstation_feed_is_public_and_cached_briefly(client, workstation, shift):
    response = client.get(workstation_url(workstation))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert cache_control == {"public", "max-age=300"}


def test_an_unknown_workstation_is_404(client, db):
    response = client.get(reverse("rosters:workstation_calendar", args=["nowhere"]))

    assert response.status_code == 404


def test_an_inactive_workstation_has_no_feed(client, workstation, shift):
    workstation.is_active = False
    workstation.save(update_fields=["is_active"])

    assert client.get(workstation_url(workstation)).status_code == 404


# --- methods and query counts ------------------------------------------------------------


def test_head_is_allowed_and_post_is_405(client, member, workstation):
    for url in (member_url(member), workstation_url(workstation)):
        assert client.head(url).status_code == 200
        assert client.post(url).status_code == 405


def _seed(workstation, member, count: int, today) -> None:
    for n in range(count):
        shift = DutyShiftFactory(
            workstation=workstation,
            # From tomorrow: leave is taken only from a shift that has not started.
            date=today + timedelta(days=1 + n // 2),
            starts_at=time(9 + 5 * (n % 2)),
            ends_at=time(12 + 5 * (n % 2)),
            holding_group=ActivityGroupFactory(name=f"第{n % 4}组"),
        )
        DutyAssignmentFactory(shift=shift, member=member)
        assignment_take_leave(
            assignment=DutyAssignmentFactory(shift=shift),
            substitute=MemberFactory(),
            reason="出差",
            actor=None,
        )


@pytest.mark.parametrize("count", [3, 30])
def test_the_member_feed_runs_three_queries_however_many_shifts(
    client, member, workstation, today, count, django_assert_num_queries
):
    _seed(workstation, member, count, today)

    # 1. the member by token, 2. the shifts with workstation and group,
    # 3. their assignments with members and substitutes.
    with django_assert_num_queries(3):
        response = client.get(member_url(member))

    assert len(events(response)) == count


@pytest.mark.parametrize("count", [3, 30])
def test_the_workstation_feed_runs_three_queries_however_many_shifts(
    client, member, workstation, today, count, django_assert_num_queries
):
    _seed(workstation, member, count, today)

    # 1. the workstation by slug, 2. the shifts with workstation and group,
    # 3. their assignments with members and substitutes.
    with django_assert_num_queries(3):
        response = client.get(workstation_url(workstation))

    assert len(events(response)) == count


@pytest.mark.parametrize("name", ["张\n三", "张\r\n三", "张\r三"])
def test_a_member_whose_name_holds_a_line_break_still_gets_a_readable_feed(
    client, workstation, shift, name
):
    # The calendar's name was written unescaped: icalendar refused it, a 500.
    member = MemberFactory(name=name, home_workstation=workstation)
    DutyAssignmentFactory(shift=shift, member=member)

    response = client.get(member_url(member))

    assert response.status_code == 200
    # Lines end in CRLF only; a line break of the name is escaped as \n.
    assert b"\n" not in response.content.replace(b"\r\n", b"")
    assert "X-WR-CALNAME:张\\n三的值班".encode() in response.content
    assert len(events(response)) == 1
    assert client.get(workstation_url(workstation)).status_code == 200
