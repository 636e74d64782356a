"""The rotation generator: duty shifts for a range of dates, held in turn by groups or members.

`validate` checks a RotationSpec, `plan` previews what it would create without writing
anything (shifts that already exist are skipped, so a rerun adds nothing twice, and
conflicts are listed), and `apply` writes a conflict-free plan in one transaction.
Permission to run a rotation is checked by the callers (the admin view).

Both `plan` and `apply` run a fixed number of queries however long the range is.
"""

import bisect
import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.contrib.admin.models import ADDITION, LogEntry
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import ActivityGroup, Member
from workdays.calendar import CalendarMissing, add_working_days, working_days_between
from workdays.models import CalendarYear
from workstations.models import Workstation

from .models import DutyAssignment, DutyShift

MAX_RANGE_DAYS = 366


class RotationError(Exception):
    """A rotation that cannot be planned or saved; its message is meant for the user."""


class Recurrence(models.TextChoices):
    WORKING_DAYS = "working_days", gettext_lazy("Every working day (make-up working days included)")
    WEEKDAYS = "weekdays", gettext_lazy("Chosen weekdays")
    MONTH_DAYS = "month_days", gettext_lazy("Fixed days of the month")
    NTH_WEEKDAY = "nth_weekday", gettext_lazy("The Nth weekday of the month")


class HolidayPolicy(models.TextChoices):
    SKIP = "skip", gettext_lazy("Skip the day")
    MOVE = "move", gettext_lazy("Move to the next working day")


class ConflictKind(models.TextChoices):
    OVERLAP = "overlap", gettext_lazy("Member on two shifts at once")
    INACTIVE = "inactive", gettext_lazy("Inactive member")
    EMPTY = "empty", gettext_lazy("Shift with nobody")
    UNDERSTAFFED = "understaffed", gettext_lazy("Fewer members than the shift needs")


# How far back past duties count when the generator deals out fair turns.
HISTORY_DAYS = 365


@dataclass(frozen=True)
class RotationSpec:
    """What the administrator asked for.

    `weekdays` are Python's (Monday is 0) and serve both WEEKDAYS and NTH_WEEKDAY;
    `nth` is 1–5, or -1 for the last such weekday of the month. A month day the month
    does not have (the 31st of June) is no duty day that month.
    """

    workstations: tuple[Workstation, ...]
    first: date
    last: date
    recurrence: str
    slots: tuple[tuple[time, time], ...]
    weekdays: tuple[int, ...] = ()
    month_days: tuple[int, ...] = ()
    nth: int = 1
    members_per_shift: int = 1
    groups: tuple[ActivityGroup, ...] = ()
    members: tuple[Member, ...] = ()
    holidays: str = HolidayPolicy.SKIP
    theme: str = ""


@dataclass(frozen=True)
class PlannedShift:
    workstation: Workstation
    date: date
    starts_at: time
    ends_at: time
    group: ActivityGroup | None
    members: tuple[Member, ...]
    exists: bool = False
    # The recurrence day a holiday moved this shift from (顺延), if it was moved.
    moved_from: date | None = None

    @property
    def key(self) -> tuple[int, date, time]:
        return (self.workstation.pk, self.date, self.starts_at)


@dataclass(frozen=True)
class Conflict:
    kind: str
    message: str
    shift: PlannedShift
    member: Member | None = None


@dataclass
class Plan:
    spec: RotationSpec
    shifts: list[PlannedShift] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    # Worth knowing but no reason to refuse the save: shifts short of members.
    warnings: list[Conflict] = field(default_factory=list)

    @property
    def new_shifts(self) -> list[PlannedShift]:
        return [shift for shift in self.shifts if not shift.exists]

    @property
    def existing_shifts(self) -> list[PlannedShift]:
        return [shift for shift in self.shifts if shift.exists]


@dataclass(frozen=True)
class Applied:
    shifts: int
    assignments: int


def validate(spec: RotationSpec) -> None:
    """Refuse a spec that cannot be planned; the one query checks the calendar years."""
    if not spec.workstations:
        raise RotationError(_("Choose at least one workstation."))
    if spec.first > spec.last:
        raise RotationError(_("The range is empty: the last date is before the first."))
    if (spec.last - spec.first).days + 1 > MAX_RANGE_DAYS:
        raise RotationError(
            _("A rotation covers at most %(days)s days.") % {"days": MAX_RANGE_DAYS}
        )
    if spec.groups and spec.members:
        raise RotationError(_("Rotate through groups or through members, not both."))
    if not spec.groups and not spec.members:
        raise RotationError(_("Choose the activity groups or the members to rotate through."))
    if spec.recurrence == Recurrence.WEEKDAYS or spec.recurrence == Recurrence.NTH_WEEKDAY:
        if not spec.weekdays:
            raise RotationError(_("Choose at least one weekday."))
        if any(day not in range(7) for day in spec.weekdays):
            raise RotationError(_("A weekday is a number from 0 (Monday) to 6 (Sunday)."))
        if spec.recurrence == Recurrence.NTH_WEEKDAY and spec.nth not in (1, 2, 3, 4, 5, -1):
            raise RotationError(_("Choose the 1st to 5th or the last weekday of the month."))
    elif spec.recurrence == Recurrence.MONTH_DAYS:
        if not spec.month_days:
            raise RotationError(_("Choose at least one day of the month."))
        if any(day not in range(1, 32) for day in spec.month_days):
            raise RotationError(_("A day of the month is a number from 1 to 31."))
    elif spec.recurrence != Recurrence.WORKING_DAYS:  # the calendar names those days
        raise RotationError(_("Choose how the duty days recur."))
    if not spec.slots:
        raise RotationError(_("Add at least one time slot."))
    if any(end <= start for start, end in spec.slots):
        raise RotationError(_("A time slot must end after it starts."))
    if spec.members_per_shift < 1:
        raise RotationError(_("A shift needs at least one member."))
    if spec.holidays not in HolidayPolicy.values:
        raise RotationError(_("Choose whether holidays are skipped or moved."))
    known = set(
        CalendarYear.objects.filter(year__range=(spec.first.year, spec.last.year)).values_list(
            "year", flat=True
        )
    )
    for year in range(spec.first.year, spec.last.year + 1):
        if year not in known:
            raise RotationError(str(CalendarMissing(year)))


def _recurring_days(spec: RotationSpec) -> list[date]:
    """The days in the range the recurrence names, before holidays are looked at."""
    days = (spec.first + timedelta(days=n) for n in range((spec.last - spec.first).days + 1))
    if spec.recurrence == Recurrence.WEEKDAYS:
        return [day for day in days if day.weekday() in spec.weekdays]
    if spec.recurrence == Recurrence.MONTH_DAYS:
        return [day for day in days if day.day in spec.month_days]
    chosen = []
    for day in days:
        if day.weekday() not in spec.weekdays:
            continue
        if spec.nth == -1:
            if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
                chosen.append(day)
        elif (day.day - 1) // 7 + 1 == spec.nth:
            chosen.append(day)
    return chosen


def _duty_days(spec: RotationSpec) -> list[tuple[date, date | None]]:
    """(duty day, the day it was moved from or None), in order, each day once."""
    try:
        working = working_days_between(spec.first, spec.last)
        if spec.recurrence == Recurrence.WORKING_DAYS:
            return [(day, None) for day in working]
        working_set = set(working)
        after_last: date | None = None
        duty: dict[date, date | None] = {}
        for day in _recurring_days(spec):
            if day in working_set:
                duty.setdefault(day, None)
            elif spec.holidays == HolidayPolicy.MOVE:
                index = bisect.bisect_right(working, day)
                if index < len(working):
                    moved = working[index]
                else:
                    # Every day from here to the end of the range is off, so all such
                    # days move to the same first working day after the range.
                    after_last = after_last or add_working_days(spec.last, 1)
                    moved = after_last
                duty.setdefault(moved, day)
    except CalendarMissing as missing:
        raise RotationError(str(missing)) from missing
    return sorted(duty.items())


class _FairTurn:
    """Members in a stable order; each pick takes the least-assigned first, counting the
    duties each already has (`history`), so a new rotation evens out the old ones."""

    def __init__(self, members: list[Member], history: Counter[int]):
        self.members = members
        self.counts: Counter[int] = Counter({m.pk: history[m.pk] for m in members})

    def pick(self, how_many: int) -> tuple[Member, ...]:
        order = sorted(range(len(self.members)), key=lambda i: (self.counts[self.members[i].pk], i))
        chosen = [self.members[i] for i in order[:how_many]]
        self.counts.update(member.pk for member in chosen)
        return tuple(chosen)


def _overlaps(a: tuple[time, time], b: tuple[time, time]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def plan(spec: RotationSpec) -> Plan:
    """Preview the rotation: every shift it names, which exist already, and the conflicts.

    Groups hold (day, workstation) pairs in turn, in date order then workstation order;
    a group's active members fill its slots in fair turn over the whole range. Without
    groups, the chosen members fill every slot in fair turn. Nothing is written.
    """
    validate(spec)
    duty_days = _duty_days(spec)
    result = Plan(spec=spec)
    if not duty_days:
        return result
    slots = sorted(spec.slots)
    first_day, last_day = duty_days[0][0], duty_days[-1][0]

    existing = _existing_keys(spec, first_day, last_day)
    busy = _busy(first_day, last_day)
    turns = _fair_turns(spec, first_day, last_day)

    turn = _next_group_turn(spec, first_day)
    for day, moved_from in duty_days:
        for workstation in spec.workstations:
            group = spec.groups[turn % len(spec.groups)] if spec.groups else None
            turn += 1
            fair = turns[group.pk if group else None]
            for starts_at, ends_at in slots:
                exists = (workstation.pk, day, starts_at) in existing
                shift = PlannedShift(
                    workstation=workstation,
                    date=day,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    group=group,
                    # An existing shift keeps its people; they are counted in the history.
                    members=() if exists else fair.pick(spec.members_per_shift),
                    exists=exists,
                    moved_from=moved_from,
                )
                result.shifts.append(shift)
                if not exists:
                    result.conflicts.extend(_conflicts(shift, busy))
                    if 0 < len(shift.members) < spec.members_per_shift:
                        result.warnings.append(_understaffed(shift, spec.members_per_shift))
    return result


def _existing_keys(spec: RotationSpec, first_day: date, last_day: date) -> set[tuple]:
    """(workstation id, date, start) of the shifts already there at the spec's workstations."""
    return set(
        DutyShift.objects.filter(
            workstation__in=spec.workstations, date__range=(first_day, last_day)
        ).values_list("workstation_id", "date", "starts_at")
    )


def _busy(first_day: date, last_day: date) -> dict[tuple[int, date], list[tuple[time, time]]]:
    """Who is already on duty when, anywhere: members and the substitutes standing in."""
    busy: dict[tuple[int, date], list[tuple[time, time]]] = defaultdict(list)
    for member_id, substitute_id, day, starts_at, ends_at in DutyAssignment.objects.filter(
        shift__date__range=(first_day, last_day)
    ).values_list(
        "member_id", "substitute_id", "shift__date", "shift__starts_at", "shift__ends_at"
    ):
        for person in (member_id, substitute_id):
            if person is not None:
                busy[(person, day)].append((starts_at, ends_at))
    return busy


def _fair_turns(spec: RotationSpec, first_day: date, last_day: date) -> dict[int | None, _FairTurn]:
    """The fair turn of each group's active members, by group id; without groups, one
    turn of the chosen members under None."""
    if not spec.groups:
        return {
            None: _FairTurn(list(spec.members), _duty_counts(spec.members, first_day, last_day))
        }
    by_group: dict[int, list[Member]] = defaultdict(list)
    for member in Member.objects.filter(activity_group__in=spec.groups, is_active=True):
        by_group[member.activity_group_id].append(member)
    history = _duty_counts([m for ms in by_group.values() for m in ms], first_day, last_day)
    return {group.pk: _FairTurn(by_group[group.pk], history) for group in spec.groups}


def _duty_counts(members, first_day: date, last_day: date) -> Counter[int]:
    """How many duties each member has had in the past year or holds in the range already."""
    rows = (
        DutyAssignment.objects.filter(
            member__in=[m.pk for m in members],
            shift__date__range=(first_day - timedelta(days=HISTORY_DAYS), last_day),
        )
        .values("member_id")
        .annotate(n=models.Count("pk"))
        .values_list("member_id", "n")
    )
    return Counter(dict(rows))


def _next_group_turn(spec: RotationSpec, first_day: date) -> int:
    """Where the group turn starts: after the group that held the last shift before the
    range at these workstations, so January's rotation and February's read as one."""
    if not spec.groups:
        return 0
    group_ids = [group.pk for group in spec.groups]
    position = {workstation.pk: n for n, workstation in enumerate(spec.workstations)}
    latest = list(
        DutyShift.objects.filter(
            workstation__in=spec.workstations, holding_group__in=group_ids, date__lt=first_day
        )
        .order_by("-date")
        .values_list("date", "workstation_id", "holding_group_id")[: len(position) * 8]
    )
    if not latest:
        return 0
    last_date = latest[0][0]
    _, _, group_id = max(
        (row for row in latest if row[0] == last_date), key=lambda row: position[row[1]]
    )
    return group_ids.index(group_id) + 1


def _understaffed(shift: PlannedShift, needed: int) -> Conflict:
    place = f"{shift.workstation} {shift.date:%Y-%m-%d} {shift.starts_at:%H:%M}"
    return Conflict(
        ConflictKind.UNDERSTAFFED,
        _("%(shift)s: %(count)s of the %(needed)s members it needs (the group is too small).")
        % {"shift": place, "count": len(shift.members), "needed": needed},
        shift,
    )


def _conflicts(
    shift: PlannedShift, busy: dict[tuple[int, date], list[tuple[time, time]]]
) -> list[Conflict]:
    """What is wrong with a new shift; records its members as busy for the shifts after it."""
    found = []
    place = f"{shift.workstation} {shift.date:%Y-%m-%d} {shift.starts_at:%H:%M}"
    if not shift.members:
        found.append(
            Conflict(
                ConflictKind.EMPTY,
                _("%(shift)s: nobody is on duty (the group has no active members).")
                % {"shift": place},
                shift,
            )
        )
    span = (shift.starts_at, shift.ends_at)
    for member in shift.members:
        if not member.is_active:
            found.append(
                Conflict(
                    ConflictKind.INACTIVE,
                    _("%(shift)s: %(name)s is not an active member.")
                    % {"shift": place, "name": member.name},
                    shift,
                    member,
                )
            )
        taken = busy[(member.pk, shift.date)]
        if any(_overlaps(span, other) for other in taken):
            found.append(
                Conflict(
                    ConflictKind.OVERLAP,
                    _("%(shift)s: %(name)s is already on duty at that time.")
                    % {"shift": place, "name": member.name},
                    shift,
                    member,
                )
            )
        taken.append(span)
    return found


def _signature(shifts: list[PlannedShift]) -> list[tuple]:
    return [(s.key, s.ends_at, s.group and s.group.pk, [m.pk for m in s.members]) for s in shifts]


@transaction.atomic
def apply(preview: Plan, *, actor) -> Applied:
    """Create the plan's new shifts and their assignments; existing shifts are untouched.

    The plan is made again inside the transaction, so a preview that has gone stale
    (someone added a shift or a duty since) is refused rather than half applied.
    """
    if preview.conflicts:
        raise RotationError(
            _("The rotation has %(count)s conflicts; resolve them before saving.")
            % {"count": len(preview.conflicts)}
        )
    fresh = plan(preview.spec)
    if fresh.conflicts or _signature(fresh.new_shifts) != _signature(preview.new_shifts):
        raise RotationError(_("The roster has changed since the preview; preview it again."))
    new = preview.new_shifts
    shifts = DutyShift.objects.bulk_create(
        DutyShift(
            workstation=planned.workstation,
            date=planned.date,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            holding_group=planned.group,
            theme=preview.spec.theme,
        )
        for planned in new
    )
    assignments = DutyAssignment.objects.bulk_create(
        DutyAssignment(shift=shift, member=member)
        for shift, planned in zip(shifts, new, strict=True)
        for member in planned.members
    )
    if shifts and actor is not None:
        LogEntry.objects.log_actions(
            actor.pk, shifts, ADDITION, change_message=_("Created by the rotation generator.")
        )
    return Applied(shifts=len(shifts), assignments=len(assignments))
