"""The rotation generator: recurrences, holidays, turns, conflicts, refusals, queries."""

from dataclasses import replace
from datetime import date, time

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from members.models import Member
from rosters.models import DutyAssignment, DutyShift
from rosters.rotation import (
    ConflictKind,
    HolidayPolicy,
    Recurrence,
    RotationError,
    RotationSpec,
    apply,
    plan,
    validate,
)

from ..factories import (
    ActivityGroupFactory,
    DutyShiftFactory,
    MemberFactory,
    UserFactory,
    WorkstationFactory,
)

MORNING = (time(9), time(12))
AFTERNOON = (time(14), time(17))
MON, TUE, WED, THU, FRI, SAT = range(6)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def desk(db):
    return WorkstationFactory()


@pytest.fixture
def actor(db):
    return UserFactory(username="office")


def spec(desk, group, **fields) -> RotationSpec:
    values = {
        "workstations": (desk,),
        "first": date(2026, 3, 1),
        "last": date(2026, 3, 31),
        "recurrence": Recurrence.WEEKDAYS,
        "weekdays": (WED,),
        "slots": (MORNING,),
        "groups": (group,),
    }
    values.update(fields)
    return RotationSpec(**values)


def planned_for(desk, group, **fields):
    """The plan of the rotation `spec(desk, group, **fields)` asks for."""
    return plan(spec(desk, group, **fields))


def moves(result) -> list[tuple[date, date | None]]:
    """Each duty day planned and the day it was moved from (None: not moved)."""
    return [(s.date, s.moved_from) for s in result.shifts]


def days(result) -> list[date]:
    return sorted({shift.date for shift in result.shifts})


def snapshot():
    return (
        sorted(DutyShift.objects.values_list("pk", "workstation", "date", "starts_at")),
        sorted(DutyAssignment.objects.values_list("pk", "shift", "member")),
        LogEntry.objects.count(),
    )


# Recurrences


def test_chosen_weekdays_give_every_such_day_in_the_range(calendar_2026, desk, legal):
    result = planned_for(desk, legal)

    assert days(result) == [date(2026, 3, d) for d in (4, 11, 18, 25)]


def test_fixed_days_of_the_month_give_those_days_in_every_month(calendar_2026, desk, legal):
    result = planned_for(
        desk,
        legal,
        last=date(2026, 4, 30),
        recurrence=Recurrence.MONTH_DAYS,
        month_days=(10, 20),
    )

    assert days(result) == [
        date(2026, 3, 10),
        date(2026, 3, 20),
        date(2026, 4, 10),
        date(2026, 4, 20),
    ]


def test_a_month_day_the_month_lacks_is_no_duty_day(calendar_2026, desk, legal):
    result = planned_for(
        desk,
        legal,
        first=date(2026, 3, 1),
        last=date(2026, 6, 30),
        recurrence=Recurrence.MONTH_DAYS,
        month_days=(31,),
        holidays=HolidayPolicy.MOVE,
    )

    # May 31st is a Sunday and moves to June 1st; April and June have no 31st.
    assert days(result) == [date(2026, 3, 31), date(2026, 6, 1)]


def test_the_second_tuesday_of_the_month(calendar_2026, desk, legal):
    result = planned_for(
        desk,
        legal,
        last=date(2026, 5, 31),
        recurrence=Recurrence.NTH_WEEKDAY,
        weekdays=(TUE,),
        nth=2,
    )

    assert days(result) == [date(2026, 3, 10), date(2026, 4, 14), date(2026, 5, 12)]


def test_the_last_friday_of_the_month(calendar_2026, desk, legal):
    result = planned_for(
        desk,
        legal,
        last=date(2026, 5, 31),
        recurrence=Recurrence.NTH_WEEKDAY,
        weekdays=(FRI,),
        nth=-1,
    )

    assert days(result) == [date(2026, 3, 27), date(2026, 4, 24), date(2026, 5, 29)]


def test_every_slot_of_every_workstation_is_planned_with_the_theme(calendar_2026, desk, legal):
    other = WorkstationFactory()
    result = planned_for(
        desk, legal, workstations=(desk, other), slots=(AFTERNOON, MORNING), theme="普法"
    )

    assert len(result.shifts) == 4 * 2 * 2
    first_day = [
        (s.workstation, s.starts_at, s.ends_at) for s in result.shifts if s.date == date(2026, 3, 4)
    ]
    assert first_day == [
        (desk, time(9), time(12)),
        (desk, time(14), time(17)),
        (other, time(9), time(12)),
        (other, time(14), time(17)),
    ]

    apply(result, actor=None)
    assert set(DutyShift.objects.values_list("theme", flat=True)) == {"普法"}


# Holidays


def test_a_holiday_is_skipped(calendar_2026, desk, legal):
    result = planned_for(
        desk, legal, first=date(2026, 9, 28), last=date(2026, 10, 16), weekdays=(THU,)
    )

    assert days(result) == [date(2026, 10, 8), date(2026, 10, 15)]


def test_a_holiday_is_moved_to_the_next_working_day(calendar_2026, desk, legal):
    result = planned_for(
        desk,
        legal,
        first=date(2026, 9, 28),
        last=date(2026, 10, 16),
        weekdays=(FRI,),
        holidays=HolidayPolicy.MOVE,
    )

    # Friday October 2nd falls in the National Day week; Thursday the 8th is the next working day.
    assert moves(result) == [
        (date(2026, 10, 8), date(2026, 10, 2)),
        (date(2026, 10, 9), None),
        (date(2026, 10, 16), None),
    ]


def test_a_holiday_at_the_end_of_the_range_moves_past_it(calendar_2026, desk, legal):
    result = planned_for(
        desk,
        legal,
        first=date(2026, 9, 28),
        last=date(2026, 10, 7),
        weekdays=(THU,),
        holidays=HolidayPolicy.MOVE,
    )

    assert days(result) == [date(2026, 10, 8)]


def test_a_make_up_working_saturday_is_kept_and_other_saturdays_are_skipped(
    calendar_2026, desk, legal
):
    result = planned_for(
        desk, legal, first=date(2026, 10, 1), last=date(2026, 10, 17), weekdays=(SAT,)
    )

    assert days(result) == [date(2026, 10, 10)]


def test_moved_saturdays_go_to_the_next_working_day_and_the_make_up_saturday_stays(
    calendar_2026, desk, legal
):
    result = planned_for(
        desk,
        legal,
        first=date(2026, 10, 1),
        last=date(2026, 10, 17),
        weekdays=(SAT,),
        holidays=HolidayPolicy.MOVE,
    )

    assert moves(result) == [
        (date(2026, 10, 8), date(2026, 10, 3)),
        (date(2026, 10, 10), None),
        (date(2026, 10, 19), date(2026, 10, 17)),
    ]


def test_two_days_moved_onto_the_same_working_day_make_one_duty_day(calendar_2026, desk, legal):
    result = planned_for(
        desk,
        legal,
        first=date(2026, 9, 28),
        last=date(2026, 10, 9),
        weekdays=(MON, THU),
        holidays=HolidayPolicy.MOVE,
    )

    # Oct 1 (Thu) and Oct 5 (Mon) are off and both move to Oct 8, itself a Thursday.
    assert days(result) == [date(2026, 9, 28), date(2026, 10, 8)]
    assert result.shifts[1].moved_from == date(2026, 10, 1)


def test_the_working_days_rule_takes_the_make_up_days_and_leaves_out_the_holidays(
    calendar_2026, desk, legal
):
    result = planned_for(
        desk,
        legal,
        recurrence=Recurrence.WORKING_DAYS,
        weekdays=(),
        first=date(2026, 9, 18),
        last=date(2026, 10, 12),
    )

    # Mid-Autumn (Sep 25) and National Day week (Oct 1-7) off; Sunday Sep 20 and
    # Saturday Oct 10 are make-up working days; ordinary weekends stay off.
    assert days(result) == [
        date(2026, 9, 18),
        date(2026, 9, 20),
        date(2026, 9, 21),
        date(2026, 9, 22),
        date(2026, 9, 23),
        date(2026, 9, 24),
        date(2026, 9, 28),
        date(2026, 9, 29),
        date(2026, 9, 30),
        date(2026, 10, 8),
        date(2026, 10, 9),
        date(2026, 10, 10),
        date(2026, 10, 12),
    ]
    assert all(shift.moved_from is None for shift in result.shifts)


def test_the_working_days_rule_moves_nothing_when_holidays_are_moved(calendar_2026, desk, legal):
    every = spec(desk, legal, recurrence=Recurrence.WORKING_DAYS, weekdays=())

    moved = plan(replace(every, holidays=HolidayPolicy.MOVE))

    assert days(moved) == days(plan(every))
    assert all(shift.moved_from is None for shift in moved.shifts)


# Rotation order and fair turns


def test_groups_take_duty_days_in_turn_across_weeks_and_months(calendar_2026, desk, legal):
    economy = ActivityGroupFactory(name="经济组")
    education = ActivityGroupFactory(name="教育组")
    MemberFactory(activity_group=economy)
    MemberFactory(activity_group=education)

    result = planned_for(
        desk,
        legal,
        first=date(2026, 1, 26),
        last=date(2026, 3, 6),
        groups=(legal, economy, education),
    )

    # Wednesday February 18th is in the Spring Festival holiday and is skipped.
    assert [(s.date, s.group.name) for s in result.shifts] == [
        (date(2026, 1, 28), "法制组"),
        (date(2026, 2, 4), "经济组"),
        (date(2026, 2, 11), "教育组"),
        (date(2026, 2, 25), "法制组"),
        (date(2026, 3, 4), "经济组"),
    ]
    assert all(s.members[0].activity_group_id == s.group.pk for s in result.shifts)


def test_groups_take_turns_over_workstations_within_a_day(calendar_2026, desk, legal):
    other = WorkstationFactory()
    economy = ActivityGroupFactory(name="经济组")
    education = ActivityGroupFactory(name="教育组")

    result = planned_for(
        desk,
        legal,
        workstations=(desk, other),
        last=date(2026, 3, 11),
        groups=(legal, economy, education),
    )

    assert [(s.date.day, s.workstation, s.group.name) for s in result.shifts] == [
        (4, desk, "法制组"),
        (4, other, "经济组"),
        (11, desk, "教育组"),
        (11, other, "法制组"),
    ]


def test_members_of_a_group_take_slots_in_fair_turn_over_the_whole_range(
    calendar_2026, desk, legal
):
    MemberFactory(name="丁", activity_group=legal, is_active=False)

    result = planned_for(
        desk, legal, last=date(2026, 5, 31), slots=(MORNING, AFTERNOON), members_per_shift=2
    )

    picks = [m.name for s in result.shifts for m in s.members]
    # Least-assigned first, ties in the group's stable order (by name): 丙, 乙, 甲.
    assert picks[:8] == ["丙", "乙", "甲", "丙", "乙", "甲", "丙", "乙"]
    counts = {name: picks.count(name) for name in set(picks)}
    assert set(counts) == {"甲", "乙", "丙"}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert all(len(set(s.members)) == 2 for s in result.shifts)
    assert not result.conflicts


def test_fair_turns_count_the_duties_members_already_had(calendar_2026, desk, legal):
    busy = Member.objects.get(name="丙")
    for day in (date(2026, 2, 4), date(2026, 2, 11)):
        DutyAssignment.objects.create(
            shift=DutyShiftFactory(workstation=desk, date=day), member=busy
        )

    result = planned_for(desk, legal, last=date(2026, 3, 25))

    # 丙 already held two duties in February: 乙 and 甲 catch up first.
    assert [s.members[0].name for s in result.shifts] == ["乙", "甲", "乙", "甲"]


def test_a_new_rotation_continues_the_group_turn_where_the_last_one_stopped(
    calendar_2026, desk, legal, actor
):
    economy = ActivityGroupFactory(name="经济组")
    education = ActivityGroupFactory(name="教育组")
    MemberFactory(activity_group=economy)
    MemberFactory(activity_group=education)
    groups = (legal, economy, education)
    march = spec(desk, legal, groups=groups, last=date(2026, 3, 11))
    apply(plan(march), actor=actor)  # 4th 法制组, 11th 经济组

    april = plan(replace(march, first=date(2026, 4, 1), last=date(2026, 4, 15)))

    assert [s.group.name for s in april.shifts] == ["教育组", "法制组", "经济组"]


def test_a_group_too_small_for_the_shift_is_a_warning_that_does_not_block_saving(
    calendar_2026, desk, legal, actor
):
    result = planned_for(desk, legal, last=date(2026, 3, 4), members_per_shift=4)

    assert not result.conflicts
    assert [(w.kind, w.shift.date, len(w.shift.members)) for w in result.warnings] == [
        (ConflictKind.UNDERSTAFFED, date(2026, 3, 4), 3)
    ]
    assert "3 of the 4 members" in result.warnings[0].message
    assert apply(result, actor=actor).assignments == 3


def test_chosen_members_take_turns_without_groups(calendar_2026, desk):
    chosen = tuple(MemberFactory(name=name) for name in ("赵", "钱"))

    result = planned_for(desk, None, groups=(), members=chosen)

    assert [(s.group, s.members[0].name) for s in result.shifts] == [
        (None, "赵"),
        (None, "钱"),
        (None, "赵"),
        (None, "钱"),
    ]


# Saving and reruns


def test_apply_creates_the_shifts_and_assignments_and_logs_who(calendar_2026, desk, legal, actor):
    result = planned_for(desk, legal, slots=(MORNING, AFTERNOON))

    applied = apply(result, actor=actor)

    assert (applied.shifts, applied.assignments) == (8, 8)
    assert DutyShift.objects.filter(workstation=desk, holding_group=legal).count() == 8
    planned = {(s.date, s.starts_at, s.members[0].pk) for s in result.shifts}
    saved = set(DutyAssignment.objects.values_list("shift__date", "shift__starts_at", "member"))
    assert saved == planned
    assert set(LogEntry.objects.values_list("user", flat=True)) == {actor.pk}
    assert LogEntry.objects.count() == 8


def test_a_rerun_over_the_same_range_adds_nothing(calendar_2026, desk, legal, actor):
    apply(planned_for(desk, legal), actor=actor)
    before = snapshot()

    again = planned_for(desk, legal)
    applied = apply(again, actor=actor)

    assert len(again.existing_shifts) == 4
    assert again.new_shifts == []
    assert (applied.shifts, applied.assignments) == (0, 0)
    assert snapshot() == before


def test_a_longer_rerun_adds_only_the_new_days_and_leaves_existing_shifts_alone(
    calendar_2026, desk, legal, actor
):
    kept = DutyShiftFactory(
        workstation=desk, date=date(2026, 3, 4), starts_at=time(9), ends_at=time(11), theme="旧"
    )
    someone = MemberFactory(name="外人")
    DutyAssignment.objects.create(shift=kept, member=someone)

    result = planned_for(desk, legal)
    applied = apply(result, actor=actor)

    assert [s.date.day for s in result.existing_shifts] == [4]
    assert applied.shifts == 3
    kept.refresh_from_db()
    assert (kept.ends_at, kept.theme) == (time(11), "旧")
    assert list(kept.assignments.values_list("member", flat=True)) == [someone.pk]


# Conflicts


def test_a_member_already_on_duty_elsewhere_at_that_time_is_a_conflict(calendar_2026, desk):
    busy = MemberFactory(name="忙")
    elsewhere = DutyShiftFactory(date=date(2026, 3, 4), starts_at=time(10), ends_at=time(11))
    DutyAssignment.objects.create(shift=elsewhere, member=busy)

    result = planned_for(desk, None, groups=(), members=(busy,), last=date(2026, 3, 11))

    assert [(c.kind, c.shift.date, c.member) for c in result.conflicts] == [
        (ConflictKind.OVERLAP, date(2026, 3, 4), busy)
    ]
    assert "忙" in result.conflicts[0].message


def test_a_substitute_standing_in_elsewhere_is_busy_too(calendar_2026, desk):
    busy = MemberFactory(name="忙")
    elsewhere = DutyShiftFactory(date=date(2026, 3, 4), starts_at=time(8), ends_at=time(10))
    DutyAssignment.objects.create(
        shift=elsewhere,
        member=MemberFactory(),
        attendance=DutyAssignment.Attendance.SUBSTITUTED,
        substitute=busy,
    )

    result = planned_for(desk, None, groups=(), members=(busy,), last=date(2026, 3, 4))

    assert [c.kind for c in result.conflicts] == [ConflictKind.OVERLAP]


def test_a_shift_that_only_touches_another_is_no_conflict(calendar_2026, desk):
    member = MemberFactory()
    earlier = DutyShiftFactory(date=date(2026, 3, 4), starts_at=time(7), ends_at=time(9))
    DutyAssignment.objects.create(shift=earlier, member=member)

    result = planned_for(desk, None, groups=(), members=(member,), last=date(2026, 3, 4))

    assert result.conflicts == []


def test_one_member_on_two_workstations_at_once_is_a_conflict(calendar_2026, desk):
    alone = MemberFactory(name="独")
    other = WorkstationFactory()

    result = planned_for(
        desk,
        None,
        groups=(),
        members=(alone,),
        workstations=(desk, other),
        last=date(2026, 3, 4),
    )

    assert [(c.kind, c.shift.workstation) for c in result.conflicts] == [
        (ConflictKind.OVERLAP, other)
    ]


def test_an_inactive_member_chosen_is_a_conflict(calendar_2026, desk):
    gone = MemberFactory(name="退", is_active=False)
    here = MemberFactory(name="在")

    result = planned_for(desk, None, groups=(), members=(here, gone), last=date(2026, 3, 11))

    assert [(c.kind, c.shift.date, c.member) for c in result.conflicts] == [
        (ConflictKind.INACTIVE, date(2026, 3, 11), gone)
    ]


def test_a_group_with_no_active_members_leaves_a_shift_with_nobody(calendar_2026, desk, legal):
    empty = ActivityGroupFactory(name="空组")
    MemberFactory(activity_group=empty, is_active=False)

    result = planned_for(desk, legal, groups=(legal, empty), last=date(2026, 3, 11))

    assert [(s.date.day, s.members) for s in result.shifts if s.group == empty] == [(11, ())]
    assert [(c.kind, c.shift.date) for c in result.conflicts] == [
        (ConflictKind.EMPTY, date(2026, 3, 11))
    ]


def test_conflicts_on_shifts_that_already_exist_are_not_reported(calendar_2026, desk, legal):
    existing = DutyShiftFactory(workstation=desk, date=date(2026, 3, 4), starts_at=time(9))
    empty = ActivityGroupFactory(name="空组")

    result = planned_for(desk, legal, groups=(empty,), last=date(2026, 3, 4))

    assert [s.exists for s in result.shifts] == [True]
    assert result.conflicts == []
    assert existing.pk


# Refusals


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"workstations": ()}, "workstation"),
        ({"first": date(2026, 3, 2), "last": date(2026, 3, 1)}, "empty"),
        ({"first": date(2026, 1, 1), "last": date(2027, 1, 2)}, "366"),
        ({"groups": ()}, "groups or the members"),
        ({"members": ("someone",)}, "not both"),
        ({"weekdays": ()}, "weekday"),
        ({"recurrence": Recurrence.NTH_WEEKDAY, "weekdays": ()}, "weekday"),
        ({"recurrence": Recurrence.NTH_WEEKDAY, "nth": 0}, "1st to 5th"),
        ({"recurrence": Recurrence.MONTH_DAYS}, "day of the month"),
        ({"recurrence": Recurrence.MONTH_DAYS, "month_days": (32,)}, "1 to 31"),
        ({"recurrence": "fortnightly"}, "recur"),
        ({"slots": ()}, "time slot"),
        ({"slots": ((time(12), time(9)),)}, "end after"),
        ({"slots": ((time(9), time(9)),)}, "end after"),
        ({"members_per_shift": 0}, "at least one member"),
        ({"holidays": "ignore"}, "holidays"),
    ],
)
def test_a_bad_spec_is_refused_and_nothing_is_written(calendar_2026, desk, legal, fields, message):
    before = snapshot()
    bad = spec(desk, legal, **fields)

    with pytest.raises(RotationError, match=message):
        validate(bad)
    with pytest.raises(RotationError, match=message):
        plan(bad)
    assert snapshot() == before


def test_a_whole_year_is_allowed(calendar_2026, desk, legal):
    validate(spec(desk, legal, first=date(2026, 1, 1), last=date(2026, 12, 31)))


def test_a_year_without_a_calendar_is_refused_with_the_calendar_message(calendar_2026, desk, legal):
    with pytest.raises(RotationError, match="2027"):
        planned_for(desk, legal, first=date(2026, 12, 1), last=date(2027, 1, 31))


def test_a_plan_with_conflicts_is_refused_and_nothing_is_written(calendar_2026, desk, legal, actor):
    empty = ActivityGroupFactory(name="空组")
    result = planned_for(desk, legal, groups=(legal, empty))
    assert result.conflicts
    before = snapshot()

    with pytest.raises(RotationError, match="conflicts"):
        apply(result, actor=actor)
    assert snapshot() == before


def test_a_stale_preview_is_refused_and_nothing_is_written(calendar_2026, desk, legal, actor):
    result = planned_for(desk, legal)
    DutyShiftFactory(workstation=desk, date=date(2026, 3, 11), starts_at=time(9))
    before = snapshot()

    with pytest.raises(RotationError, match="preview it again"):
        apply(result, actor=actor)
    assert snapshot() == before


def test_a_preview_gone_stale_by_a_new_duty_is_refused(calendar_2026, desk, legal, actor):
    result = planned_for(desk, legal)
    first_member = result.shifts[0].members[0]
    elsewhere = DutyShiftFactory(date=date(2026, 3, 4), starts_at=time(9))
    DutyAssignment.objects.create(shift=elsewhere, member=first_member)
    before = snapshot()

    with pytest.raises(RotationError):
        apply(result, actor=actor)
    assert snapshot() == before


def test_spec_is_frozen(desk, legal):
    with pytest.raises(AttributeError):
        spec(desk, legal).theme = "x"  # type: ignore[misc]
    assert replace(spec(desk, legal), theme="x").theme == "x"


# Queries


def test_planning_and_saving_run_the_same_queries_for_a_month_or_half_a_year(
    calendar_2026, desk, legal, actor, django_assert_num_queries
):
    other = WorkstationFactory()
    ContentType.objects.get_for_model(DutyShift)  # the log's content type, cached
    short = spec(desk, legal, workstations=(desk, other), slots=(MORNING, AFTERNOON))
    long = replace(short, first=date(2026, 4, 1), last=date(2026, 9, 30))

    for rotation in (short, long):
        # calendar years, special days, calendar years again (working days), existing
        # shifts, existing assignments, group members, their past duties, the last group
        with django_assert_num_queries(8):
            result = plan(rotation)
        # savepoint, the plan again (8), shifts, assignments, log entries, release
        with django_assert_num_queries(13):
            apply(result, actor=actor)

    # March has 4 Wednesdays; April to September 27, none of them a holiday.
    assert DutyShift.objects.count() == (4 + 27) * 2 * 2
