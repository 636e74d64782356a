"""How evenly duties fall: per member and per group over a period, so the office can keep
the rota even. One query whatever the number of members."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from members.models import ActivityGroup, Member
from workstations.models import Workstation

from .models import Attendance


@dataclass
class GroupFairness:
    group: ActivityGroup | None
    members: list[Member] = field(default_factory=list)

    def _total(self, name: str) -> int:
        return sum(getattr(member, name) for member in self.members)

    @property
    def assigned(self) -> int:
        return self._total("assigned")

    @property
    def attended(self) -> int:
        return self._total("attended")

    @property
    def absent(self) -> int:
        return self._total("absent")

    @property
    def on_leave(self) -> int:
        return self._total("on_leave")

    @property
    def stood_in(self) -> int:
        return self._total("stood_in")

    @property
    def fewest(self) -> int:
        return min(member.assigned for member in self.members)

    @property
    def most(self) -> int:
        return max(member.assigned for member in self.members)

    @property
    def average(self) -> float:
        return self.assigned / len(self.members)


def member_fairness(
    first: date,
    last: date,
    *,
    workstation: Workstation | None = None,
    group: ActivityGroup | None = None,
) -> list[Member]:
    """Members annotated with their duties in first..last (at `workstation` if given):
    assigned, attended, absent, on_leave (substituted), stood_in (as someone's
    substitute) and unrecorded (past, attendance not marked). Active members with no
    duty at all are listed too: they are the unevenness the office looks for."""
    in_period = Q(assignments__shift__date__range=(first, last))
    stood_in_period = Q(substitutions__shift__date__range=(first, last))
    if workstation is not None:
        in_period &= Q(assignments__shift__workstation=workstation)
        stood_in_period &= Q(substitutions__shift__workstation=workstation)

    def duties(extra: Q | None = None) -> Count:
        # distinct: the two joins (assignments, substitutions) multiply each other's rows.
        return Count("assignments", filter=in_period & (extra or Q()), distinct=True)

    members = Member.objects.annotate(
        assigned=duties(),
        attended=duties(Q(assignments__attendance=Attendance.ATTENDED)),
        # Absent from their own duty, or from one they promised to take for a member on leave.
        absent=duties(Q(assignments__attendance=Attendance.ABSENT, assignments__on_leave=False))
        + Count(
            "substitutions",
            filter=stood_in_period
            & Q(substitutions__attendance=Attendance.ABSENT, substitutions__on_leave=True),
            distinct=True,
        ),
        on_leave=duties(Q(assignments__substitute__isnull=False)),
        unrecorded=duties(
            Q(assignments__attendance=Attendance.SCHEDULED)
            & Q(assignments__shift__date__lt=timezone.localdate())
        ),
        stood_in=Count("substitutions", filter=stood_in_period, distinct=True),
    )
    usual = Q(is_active=True)
    if workstation is not None:
        usual &= Q(home_workstation=workstation)
    members = members.filter(usual | Q(assigned__gt=0) | Q(stood_in__gt=0))
    if group is not None:
        members = members.filter(activity_group=group)
    return list(
        members.select_related("activity_group", "home_workstation").order_by(
            "activity_group__name", "name", "pk"
        )
    )


def by_group(members: list[Member]) -> list[GroupFairness]:
    """The members' figures summed per activity group (members without one together)."""
    groups: dict[int | None, GroupFairness] = {}
    for member in members:
        key = member.activity_group_id
        groups.setdefault(key, GroupFairness(member.activity_group)).members.append(member)
    return list(groups.values())
