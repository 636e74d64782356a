"""Property: whatever facts happen, are undone and saved again, in whatever order, the
ledger written on commit equals the ledger rebuilt from the facts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity, Proposal
from points import ledger
from points.models import Category, PointEntry, PointRule, ScoringYear
from rosters.models import Attendance, DutyAssignment
from visits.models import Visit

from ..factories import DutyShiftFactory, MemberFactory, UserFactory, WorkstationFactory

MEMBERS = 3
DAYS = (date(2026, 3, 4), date(2026, 3, 11), date(2025, 12, 31))  # one in a year without rules

attendance = st.sampled_from(
    [Attendance.SCHEDULED, Attendance.ATTENDED, Attendance.ABSENT, Attendance.SUBSTITUTED]
)
member = st.integers(0, MEMBERS - 1)
steps = st.one_of(
    st.tuples(st.just("attendance"), st.integers(0, 1), attendance, member),
    st.tuples(st.just("delete_duty"), st.integers(0, 1)),
    st.tuples(st.just("recreate_duty"), st.integers(0, 1), member),
    st.tuples(st.just("move_shift"), st.integers(0, 1), st.integers(0, len(DAYS) - 1)),
    st.tuples(st.just("join_activity"), member),
    st.tuples(st.just("leave_activity"), member),
    st.tuples(st.just("activity_kind"), st.sampled_from(Activity.Kind.values)),
    st.tuples(st.just("receive"), member),
    st.tuples(st.just("unreceive"), member),
    st.tuples(
        st.just("review_proposal"),
        st.sampled_from(Proposal.Status.values),
        st.booleans(),
        st.sampled_from(Proposal.Kind.values),
    ),
    st.tuples(st.just("resave")),
)


class World:
    """One workstation's facts to play with, scored as they are committed."""

    def __init__(self, commit):
        self.commit = commit
        year = ScoringYear.objects.create(year=2026)
        for n, category in enumerate(Category.values):
            PointRule.objects.create(scoring_year=year, category=category, points=n - 2)
        desk = WorkstationFactory()
        self.members = [MemberFactory(home_workstation=desk) for _ in range(MEMBERS)]
        self.shifts = [
            DutyShiftFactory(workstation=desk, date=DAYS[n], holding_group=None) for n in (0, 1)
        ]
        with commit():
            self.duties = [
                DutyAssignment.objects.create(shift=shift, member=self.members[0])
                for shift in self.shifts
            ]
            self.activity = Activity.objects.create(
                kind=Activity.Kind.COMMUNITY_VISIT,
                title="进社区",
                date=DAYS[0],
                organiser=UserFactory(),
            )
            self.visit = Visit.objects.create(workstation=desk, visitor_name="孙桂芳")
            self.proposal = Proposal.objects.create(title="提案", lead=self.members[1])

    def play(self, step) -> None:
        name, *args = step
        with self.commit():
            getattr(self, name)(*args)

    def attendance(self, i, value, k) -> None:
        duty = self.duties[i]
        if duty is None:
            return
        substitute = self.members[k] if value == Attendance.SUBSTITUTED else None
        if substitute is not None and substitute.pk == duty.member_id:
            substitute = self.members[(k + 1) % MEMBERS]
        duty.attendance, duty.substitute = value, substitute
        duty.save()

    def delete_duty(self, i) -> None:
        if self.duties[i] is not None:
            self.duties[i].delete()
            self.duties[i] = None

    def recreate_duty(self, i, k) -> None:
        if self.duties[i] is None:
            self.duties[i] = DutyAssignment.objects.create(
                shift=self.shifts[i], member=self.members[k]
            )

    def move_shift(self, i, day) -> None:
        # The date lives on the shift: the fact moves with it (possibly into a year
        # without rules) although no assignment is saved.
        shift = self.shifts[i]
        if any(other.date == DAYS[day] for other in self.shifts if other is not shift):
            return  # one shift per slot
        shift.date = DAYS[day]
        shift.save()

    def join_activity(self, k) -> None:
        self.activity.participants.add(self.members[k])

    def leave_activity(self, k) -> None:
        self.members[k].activities.remove(self.activity)

    def activity_kind(self, kind) -> None:
        self.activity.kind = kind
        self.activity.save()

    def receive(self, k) -> None:
        self.visit.receiving_members.add(self.members[k])

    def unreceive(self, k) -> None:
        self.visit.receiving_members.remove(self.members[k])

    def review_proposal(self, status, excellent, kind) -> None:
        p = self.proposal
        p.status, p.kind = status, kind
        p.submitted_on = None if status == Proposal.Status.DRAFT else DAYS[0]
        p.is_excellent = excellent and status == Proposal.Status.ACCEPTED
        p.is_adopted = excellent and kind == Proposal.Kind.OPINION
        p.rejection_reason = "重复" if status == Proposal.Status.NOT_ACCEPTED else ""
        p.merged_into = None
        if status == Proposal.Status.MERGED:
            p.merged_into = Proposal.objects.exclude(pk=p.pk).first() or Proposal.objects.create(
                title="并入的提案", lead=self.members[2]
            )
        p.save()

    def resave(self) -> None:
        for row in (*filter(None, self.duties), self.activity, self.visit, self.proposal):
            row.save()


def total() -> Decimal:
    return PointEntry.objects.filter(reversed_at__isnull=True).aggregate(t=Sum("points"))["t"] or 0


@pytest.mark.django_db
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(steps, max_size=12))
def test_any_sequence_of_facts_leaves_the_ledger_equal_to_its_rebuild(
    django_capture_on_commit_callbacks, sequence
):
    with transaction.atomic():
        world = World(lambda: django_capture_on_commit_callbacks(execute=True))
        for step in sequence:
            world.play(step)
            comparison = ledger.compare()
            assert comparison.clean, (step, comparison.differences)
        written = total()
        ledger.rebuild()
        assert total() == written
        transaction.set_rollback(True)
