"""iCalendar (RFC 5545) feeds of duty shifts: a member's own duties and a workstation's roster.

Each shift is one event whose UID depends only on the shift, so a calendar app that
polls the feed updates or removes the event instead of adding a copy. Times are local
(Asia/Shanghai) with the VTIMEZONE a phone needs to read them. The text is Chinese
whatever the request's language: the reader is a phone polling in the background.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from icalendar import Calendar, Event, vText

from members.models import Member
from workstations.models import Workstation

from .models import DutyAssignment, DutyShift

# Old duties stay visible for a while; the roster is rarely built further ahead than this.
DAYS_BACK = 60
DAYS_AHEAD = 366
PRODID = "-//Xincheng CPPCC//xincheng-workstations duty rosters//ZH"
UID_DOMAIN = "xincheng-workstations"


def _window(today: date | None) -> tuple[date, date]:
    today = today or timezone.localdate()
    return today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)


def _shifts_in_window(first: date, last: date) -> QuerySet[DutyShift]:
    on_duty = DutyAssignment.objects.select_related("member", "substitute").order_by("pk")
    return (
        DutyShift.objects.filter(date__range=(first, last))
        .select_related("workstation", "holding_group")
        .prefetch_related(Prefetch("assignments", queryset=on_duty))
        .order_by("date", "starts_at", "pk")
    )


def _on_duty_names(shift: DutyShift) -> list[str]:
    """Who is on the shift: the substitute instead of the member they stood in for."""
    return [
        a.substitute.name if a.substitute_id else a.member.name for a in shift.assignments.all()
    ]


def shift_uid(shift: DutyShift) -> str:
    return f"shift-{shift.pk}@{UID_DOMAIN}"


def shift_summary(shift: DutyShift) -> str:
    if shift.holding_group:
        return f"{shift.workstation.name} 值班（{shift.holding_group.name}）"
    return f"{shift.workstation.name} 值班"


def _event(shift: DutyShift, stamp: datetime, tz: ZoneInfo, note: str = "") -> Event:
    event = Event()
    event.add("uid", shift_uid(shift))
    event.add("dtstamp", stamp)
    event.add("dtstart", datetime.combine(shift.date, shift.starts_at, tzinfo=tz))
    event.add("dtend", datetime.combine(shift.date, shift.ends_at, tzinfo=tz))
    event.add("summary", shift_summary(shift))
    event.add("location", shift.workstation.address)
    lines = [note] if note else []
    if shift.holding_group:
        lines.append(f"轮值小组：{shift.holding_group.name}")
    if shift.theme:
        lines.append(f"主题：{shift.theme}")
    names = _on_duty_names(shift)
    if names:
        lines.append(f"值班委员：{'、'.join(names)}")
    if lines:
        event.add("description", "\n".join(lines))
    event.add("transp", "OPAQUE")
    return event


def _calendar(name: str, events: list[Event], first: date, last: date) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # As text, escaped like SUMMARY: icalendar writes an X- property's value as it is, and
    # refuses the line break a member's name may hold.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    # How often a client should poll (RFC 7986, and the older Outlook spelling).
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for event in events:
        calendar.add_component(event)
    # Only the rules in force over the window: Shanghai's 1986-91 summer time is history.
    calendar.add_missing_timezones(first_date=first, last_date=last + timedelta(days=1))
    return calendar


def member_duties_calendar(
    member: Member, *, today: date | None = None, now: datetime | None = None
) -> Calendar:
    """The member's own duties: shifts they are assigned to, less those someone else
    took for them, plus those they took for someone else."""
    tz, stamp = ZoneInfo(settings.TIME_ZONE), now or timezone.now()
    mine = DutyAssignment.objects.held_by(member)
    first, last = _window(today)
    shifts = _shifts_in_window(first, last).filter(pk__in=mine.values("shift"))
    events = []
    for shift in shifts:
        covered = [a.member.name for a in shift.assignments.all() if a.substitute_id == member.pk]
        note = f"代{'、'.join(covered)}值班" if covered else ""
        events.append(_event(shift, stamp, tz, note))
    return _calendar(f"{member.name}的值班", events, first, last)


def workstation_shifts_calendar(
    workstation: Workstation, *, today: date | None = None, now: datetime | None = None
) -> Calendar:
    """Every shift at the workstation, with the members on duty: a public roster."""
    tz, stamp = ZoneInfo(settings.TIME_ZONE), now or timezone.now()
    first, last = _window(today)
    shifts = _shifts_in_window(first, last).filter(workstation=workstation)
    events = [_event(shift, stamp, tz) for shift in shifts]
    return _calendar(f"{workstation.name} 值班表", events, first, last)
