"""Who may see rosters and change duties. Role logic for this app lives here only.

Administrators keep every active workstation's roster, staff their own workstations';
a member sees and changes their own duties. Anything else is a 404.
"""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from audit.denials import Refused, not_found
from members.access import member_for_user
from workstations import roles
from workstations.models import Workstation

from .models import DutyAssignment, DutyShift


def may_keep_rosters(user) -> bool:
    """Whether to offer the duty roster (the pages themselves check the workstations)."""
    return roles.is_administrator(user) or roles.is_workstation_staff(user)


def roster_workstations(user) -> QuerySet[Workstation]:
    """Whose rosters a user keeps: every active one for administrators, their own for staff."""
    return roles.workstations_worked_for(user)


def roster_workstation_for_user(user, slug: str) -> Workstation:
    """The workstation whose roster (and attendance) the user keeps; 404 otherwise."""
    try:
        return roster_workstations(user).get(slug=slug)
    except Workstation.DoesNotExist:
        raise not_found(Workstation.objects.filter(slug=slug), f"workstation {slug}") from None


def is_own_assignment(user, assignment: DutyAssignment) -> bool:
    member = member_for_user(user)
    return member is not None and assignment.member_id == member.pk


def assignment_for_user(user, pk: int) -> DutyAssignment:
    """A duty the user may change: any for administrators, their workstations' for staff,
    their own for a member; everything else is a 404."""
    assignment = get_object_or_404(
        DutyAssignment.objects.select_related("shift__workstation", "member", "substitute"), pk=pk
    )
    if roles.handles_workstation(user, assignment.shift.workstation_id):
        return assignment
    if is_own_assignment(user, assignment):
        return assignment
    raise Refused(f"dutyassignment {pk}", "dutyassignment: out of scope")


def shifts_for_user(user) -> QuerySet[DutyShift]:
    """Duty shifts a user follows: their workstations' for staff, their own for members."""
    if roles.is_administrator(user):
        return DutyShift.objects.all()
    if roles.is_workstation_staff(user):
        return DutyShift.objects.filter(workstation__in=roles.staffed_workstation_ids(user))
    member = member_for_user(user)
    if member is not None:
        return DutyShift.objects.filter(
            Q(assignments__member=member) | Q(assignments__substitute=member)
        ).distinct()
    return DutyShift.objects.none()
