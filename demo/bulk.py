"""Millions of plausible cases in minutes, for performance work (`seed_demo --scale N`).

Rows are built in memory and written chunk by chunk, each chunk in one transaction, with
the database's bulk loader (`base.bulk`: COPY on PostgreSQL). Their
statuses come from playing the demo stories against the lifecycle's transition
table (`lifecycle.case_bulk_play`, the only writer of a bulk case's status), so the
bulk data obeys the same rules as the real services without paying for a
transaction per step.
"""

import bisect
import multiprocessing
import os
import pickle
import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from base.bulk import insert_many
from members.models import Member
from visits import search, tallies
from visits.lifecycle import (
    EVENT_KIND,
    TERMINAL,
    Action,
    allocate_numbers,
    case_bulk_play,
    deadline,
    step_due,
)
from visits.models import (
    Case,
    CaseEvent,
    Referral,
    ReferralRole,
    ReferralState,
    Satisfaction,
    Visit,
    VisitChannel,
)
from visits.time_limits import Step, default_working_days
from workdays.calendar import working_days_between
from workstations.models import Department, Workstation

from . import bulk_worker
from .cases import citizen
from .stories import STORIES, case_on_topic, story_drawn

CHUNK = 5000
DAYS_BACK = 730


class _WorkingDays:
    """add_working_days without a query per row: the working days of the whole span, once."""

    def __init__(self, first: date, last: date):
        self.days = working_days_between(first, last)

    def add(self, start: date, count: int) -> date:
        return self.days[bisect.bisect_right(self.days, start) + count - 1]


def seed_bulk(
    rng: random.Random,
    count: int,
    now: datetime,
    progress: Callable[[str], None],
    workers: int | None = None,
) -> int:
    """Write `count` cases in chunks, each from its own random stream (so that the data
    is the same however many processes write it). On PostgreSQL the chunks are built and
    written by `workers` processes at once (one per core by default): building the rows
    in Python is most of the work, and PostgreSQL takes concurrent COPYs. SQLite has one
    writer at a time, and a load inside a transaction (a test's) must see its rows: one
    process then."""
    world = _World.read(now)
    sizes = [min(CHUNK, count - start) for start in range(0, count, CHUNK)]
    chunks = [(rng.getrandbits(64), size, now) for size in sizes]
    if workers is None:
        workers = os.cpu_count() or 1
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        workers = 1
    counted = tallies.BulkCount()
    made = 0
    for cases, visits, size in _written(chunks, world, min(workers, len(chunks))):
        counted.merge(cases, visits)
        made += size
        if made % (CHUNK * 20) == 0 or made == count:
            progress(f"  {made:,} / {count:,} cases")
    counted.add()  # in one go, not a row at a time like the lifecycle
    return made


@dataclass(frozen=True)
class _World:
    """What every chunk draws from, read once."""

    workstations: list
    staff: dict
    members: dict
    departments: list
    calendar: "_WorkingDays"
    stories: list

    @classmethod
    def read(cls, now: datetime) -> "_World":
        workstations = list(Workstation.objects.filter(is_active=True).order_by("ordering"))
        today = timezone.localdate(now)
        return cls(
            workstations=workstations,
            staff={
                w.pk: w.staff.order_by("pk").values_list("pk", flat=True).first()
                for w in workstations
            },
            members={
                w.pk: list(Member.objects.filter(home_workstation=w).values_list("pk", flat=True))
                for w in workstations
            },
            departments=list(
                Department.objects.filter(is_active=True).values_list("pk", flat=True)
            ),
            calendar=_WorkingDays(
                today - timedelta(days=DAYS_BACK + 1), today + timedelta(days=120)
            ),
            # Bulk cases never merge: a merge needs an open target, which only the
            # services check.
            stories=[(o, [a for a in acts if a != Action.MERGE]) for o, acts in STORIES],
        )


def _written(chunks: list[tuple], world: _World, workers: int):
    """Each chunk written, in its own transaction: its counted cases and visits, and size."""
    if workers == 1:
        yield from (_write_chunk(chunk, world) for chunk in chunks)
        return
    with ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=bulk_worker.start,
        initargs=(connection.settings_dict, pickle.dumps(world)),
    ) as pool:  # fmt: skip
        yield from pool.map(_write_chunk, chunks)


def _write_chunk(chunk: tuple, world: _World | None = None) -> tuple[dict, dict, int]:
    seed, size, now = chunk
    world = world or bulk_worker.world
    rng = random.Random(seed)
    plans = _plans(rng, size, now, world.workstations, world.stories)
    # Numbered first, in a transaction of their own: the other processes' chunks do not
    # wait on the year's counter while this one is written.
    numbers = _numbers(plans)
    with transaction.atomic():
        cases, visits = _chunk(rng, plans, numbers, world)
    counted = tallies.BulkCount()
    counted.count(cases, visits)
    return counted.cases, counted.visits, size


def _chunk(rng, plans, numbers, world: _World) -> tuple[list[Case], list[Visit]]:
    """Write the planned cases with their visits and histories; the cases and visits."""
    staff, members, departments, calendar = (
        world.staff, world.members, world.departments, world.calendar
    )  # fmt: skip
    visits = _write_visits(rng, plans, staff)
    cases, histories = [], []
    for visit, (w, opening, actions, times) in zip(visits, plans, strict=True):
        case, history = _play(rng, w, visit, opening, actions, times, departments, calendar)
        case.number = next(numbers[timezone.localdate(times[0]).year])
        case.created_at = times[0]
        cases.append(case)
        histories.append(history)
    insert_many(Case, cases, batch_size=1000)
    _write_histories(rng, cases, plans, histories, staff, members)
    search.index_many(
        [
            (case.pk, search.text_of(case, (e.note for e in history["events"] if e.note)))
            for case, history in zip(cases, histories, strict=True)
        ]
    )
    return cases, visits


def _plans(rng, size, now, workstations, stories) -> list[tuple]:
    """(workstation, opening, actions, times) of `size` cases opened over DAYS_BACK days,
    in the order they opened; each keeps the actions whose time has come by `now`."""
    plans = []
    for start in sorted(
        now - timedelta(seconds=rng.uniform(0, DAYS_BACK * 86400)) for _ in range(size)
    ):
        workstation = rng.choice(workstations)
        opening, actions = story_drawn(rng, stories)
        times, at = [start], start
        for _action in actions:
            at += timedelta(days=rng.uniform(0.5, 9))
            if at > now:
                break
            times.append(at)
        plans.append((workstation, opening, actions[: len(times) - 1], times))
    return plans


def _numbers(plans) -> dict:
    """The case numbers of each year the plans open cases in, allocated in one go a year."""
    years = {}
    for _w, _o, _a, times in plans:
        year = timezone.localdate(times[0]).year
        years[year] = years.get(year, 0) + 1
    return {year: iter(allocate_numbers(year, n)) for year, n in years.items()}


def _write_visits(rng, plans, staff) -> list[Visit]:
    """The plans' visits, one a case, written in one go."""
    return insert_many(
        Visit,
        [
            Visit(
                workstation=w,
                visited_at=times[0],
                channel=VisitChannel.ONLINE if opening == Action.SUBMIT else VisitChannel.WALK_IN,
                created_by_id=None if opening == Action.SUBMIT else staff[w.pk],
                created_at=times[0],
                **citizen(rng),
            )
            for w, opening, _a, times in plans
        ],
        batch_size=1000,
    )


def _write_histories(rng, cases, plans, histories, staff, members) -> None:
    """Write the saved cases' referrals, events and handling members."""
    referrals, events, handlers = [], [], []
    through = Case.handling_members.through
    for case, (w, _o, _a, _t), history in zip(cases, plans, histories, strict=True):
        handlers.append(through(case_id=case.pk, member_id=rng.choice(members[w.pk])))
        for referral in history["referrals"]:
            referral.case_id = case.pk
            referrals.append(referral)
    insert_many(Referral, referrals, batch_size=1000)
    for case, (w, _o, _a, _t), history in zip(cases, plans, histories, strict=True):
        for event in history["events"]:
            event.case_id = case.pk
            event.actor_id = None if event.kind == CaseEvent.Kind.SUBMITTED else staff[w.pk]
            event.referral_id = event.referral.pk if event.referral else None
            events.append(event)
    insert_many(CaseEvent, events)
    insert_many(through, handlers)


def _play(rng, workstation, visit, opening, actions, times, departments, calendar):
    """Build the case, its referrals and events by walking the transition table."""
    case = case_on_topic(rng, workstation, visit)
    path = case_bulk_play(case, opening, actions)
    events = [CaseEvent(at=times[0], kind=EVENT_KIND[opening], from_status="", to_status=path[0])]
    referrals: list[Referral] = []
    if opening == Action.ANSWER:
        case.answered_on_spot, case.satisfaction = True, Satisfaction.SATISFIED
        case.resolved_at = case.closed_at = times[0]

    # The demo's cases keep the default time limits (the office sets none for them).
    def clock(at: datetime) -> Callable[[str], date]:
        return lambda step: calendar.add(timezone.localdate(at), default_working_days(step))

    case.step_due_on = step_due(
        path[0], "", has_open_referrals=False, running=None, count=clock(times[0])
    )
    for action, before, after, at in zip(actions, path[:-1], path[1:], times[1:], strict=True):
        referral = _referral_step(rng, action, referrals, at, departments, calendar)
        if action == Action.RESOLVE:
            case.resolved_at = at
        elif action == Action.REOPEN:
            case.satisfaction, case.resolved_at = Satisfaction.UNSATISFIED, None
        elif action == Action.CLOSE:
            case.satisfaction, case.closed_at = (
                rng.choice([Satisfaction.SATISFIED, Satisfaction.BASICALLY]),
                at,
            )
        events.append(
            CaseEvent(
                at=at,
                kind=EVENT_KIND[action],
                from_status=before,
                to_status=after,
                referral=referral,
                satisfaction=case.satisfaction if action in (Action.REOPEN, Action.CLOSE) else "",
            )
        )
        case.step_due_on = step_due(
            after,
            before,
            has_open_referrals=any(r.is_open for r in referrals),
            running=case.step_due_on,
            count=clock(at),
        )
    if case.status in TERMINAL:
        for referral in referrals:
            if referral.is_open:
                referral.state, referral.cancelled_at = ReferralState.CANCELLED, times[-1]
    case.next_due_on = deadline(
        case.status, [r.next_due_on for r in referrals if r.is_open], case.step_due_on
    )
    return case, {"events": events, "referrals": referrals}


def _referral_step(rng, action, referrals, at, departments, calendar) -> Referral | None:
    live = [r for r in referrals if r.state != ReferralState.RETURNED]
    lead = next((r for r in live if r.role == ReferralRole.LEAD), None)
    if action == Action.REFER:
        taken = {r.department_id for r in referrals if r.is_open}
        referral = Referral(
            department_id=rng.choice([d for d in departments if d not in taken]),
            role=ReferralRole.CO if lead else ReferralRole.LEAD,
            sent_at=at,
            due_on=calendar.add(timezone.localdate(at), default_working_days(Step.REPLY)),
            acknowledge_due_on=calendar.add(
                timezone.localdate(at), default_working_days(Step.ACKNOWLEDGE)
            ),
        )
        referrals.append(referral)
        return referral
    if action == Action.ACKNOWLEDGE:
        lead.state, lead.acknowledged_at = ReferralState.ACKNOWLEDGED, at
        return lead
    if action in (Action.REPLY, Action.CO_REPLY):
        target = (
            lead
            if action == Action.REPLY
            else next(r for r in live if r.role == ReferralRole.CO and r.is_open)
        )
        target.state, target.replied_at, target.reply = (
            ReferralState.REPLIED,
            at,
            "已安排专人核查并整改。",
        )
        return target
    if action == Action.RETURN:
        lead.state, lead.returned_at, lead.return_reason = (
            ReferralState.RETURNED,
            at,
            "不属于本部门职责。",
        )
        return lead
    return None
