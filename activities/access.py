"""Who may see activities and proposals. Role logic for this app lives here only.

Administrators see everything. Workstation staff see the activities of their
workstations and the proposals grown from their workstations' cases. Members see the
proposals they lead or were invited to co-sign. Anything else is a 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from audit.denials import not_found
from members.access import member_for_user
from workstations import roles
from workstations.models import Workstation

from .models import Activity, CoSignature, Proposal


def may_record_activities(user) -> bool:
    return roles.is_administrator(user) or roles.is_workstation_staff(user)


def activity_workstations(user) -> QuerySet[Workstation]:
    """The workstations a user may record activities for."""
    return roles.workstations_worked_for(user)


def activities_for_user(user) -> QuerySet[Activity]:
    if roles.is_administrator(user):
        return Activity.objects.all()
    if roles.is_workstation_staff(user):
        staffed = Activity.workstations.through.objects.filter(
            activity=OuterRef("pk"), workstation__in=roles.staffed_workstation_ids(user)
        )
        return Activity.objects.filter(Exists(staffed))
    return Activity.objects.none()


def activity_for_user(user, pk: int) -> Activity:
    """The activity if the user organises activities at one of its workstations; 404 otherwise."""
    try:
        return activities_for_user(user).select_related("organiser").get(pk=pk)
    except Activity.DoesNotExist:
        raise not_found(Activity.objects.filter(pk=pk), f"activity {pk}") from None


def proposals_for_user(user) -> QuerySet[Proposal]:
    if roles.is_administrator(user):
        return Proposal.objects.all()
    if not user.is_authenticated or not user.is_active:
        return Proposal.objects.none()
    visible = Q(pk__in=[])
    staffed = roles.staffed_workstation_ids(user)
    if staffed:
        cases = Proposal.cases.through.objects.filter(
            proposal=OuterRef("pk"), case__workstation__in=staffed
        )
        visible |= Q(Exists(cases))
    member = member_for_user(user)
    if member is not None:
        cosigned = CoSignature.objects.filter(proposal=OuterRef("pk"), member=member)
        visible |= Q(lead=member) | Q(Exists(cosigned))
    return Proposal.objects.filter(visible)


def proposal_for_user(user, pk: int) -> Proposal:
    """The proposal if the user may see it; 404 otherwise."""
    try:
        return proposals_for_user(user).select_related("lead", "merged_into").get(pk=pk)
    except Proposal.DoesNotExist:
        raise not_found(Proposal.objects.filter(pk=pk), f"proposal {pk}") from None


def may_draft_proposal(user, case) -> bool:
    """Those who handle the case: staff of its workstation and administrators."""
    return roles.handles_workstation(user, case.workstation_id)


def proposals_of_case(user, case) -> QuerySet[Proposal]:
    """The proposals grown from a case, each marked `visible` if the user may open it."""
    return case.proposals.annotate(
        visible=Exists(proposals_for_user(user).filter(pk=OuterRef("pk")))
    ).order_by("created_at", "pk")
