"""Who may see and do what with visits and cases. Role logic lives here only.

Administrators see everything. Workstation staff see and act on their own
workstations' visits and cases. Members see the cases they handle. A department's
liaison sees no case: only the referrals sent to their department. Anything outside a
user's scope is a 404, never a 403: its existence is not revealed.
"""

from django.db.models import QuerySet
from django.http import Http404

from audit.denials import not_found
from members.access import member_for_user
from workstations import roles
from workstations.models import Workstation

from .lifecycle import EXTEND, Actor, actions_for
from .models import (
    Case,
    CaseEvent,
    EventKind,
    Referral,
    ReferralState,
    Supervision,
    Visit,
)


def workstations_for_user(user) -> QuerySet[Workstation]:
    """The workstations a user logs visits for."""
    return roles.workstations_worked_for(user)


def logs_visits_anywhere(user) -> bool:
    """Whether `workstations_for_user` holds any (for staff, without a query)."""
    return roles.works_for_a_workstation(user)


def may_log_visits(user) -> bool:
    """Whether to offer "log a visit" (the page itself checks the workstations)."""
    return roles.is_administrator(user) or roles.is_workstation_staff(user)


def cases_for_user(user) -> QuerySet[Case]:
    if roles.is_administrator(user):
        return Case.objects.all()
    if roles.is_workstation_staff(user):
        return Case.objects.filter(workstation__in=roles.staffed_workstation_ids(user))
    member = member_for_user(user)
    if member is not None:
        return Case.objects.filter(handling_members=member)
    return Case.objects.none()


def case_for_user(user, number: str) -> Case:
    """The case with this tracking number if the user may see it; 404 otherwise."""
    if "\x00" in number:  # in no tracking number, and PostgreSQL refuses to compare it
        raise Http404
    try:
        return (
            cases_for_user(user)
            .select_related("workstation", "visit", "merged_into")
            .get(number=number)
        )
    except Case.DoesNotExist:
        raise not_found(Case.objects.filter(number=number), number) from None


def visits_for_user(user) -> QuerySet[Visit]:
    if roles.is_administrator(user):
        return Visit.objects.all()
    return Visit.objects.filter(workstation__in=roles.staffed_workstation_ids(user))


def visit_for_user(user, pk: int) -> Visit:
    """The visit if the user logs visits for its workstation; 404 otherwise."""
    try:
        return visits_for_user(user).select_related("workstation").get(pk=pk)
    except Visit.DoesNotExist:
        raise not_found(Visit.objects.filter(pk=pk), f"visit {pk}") from None


def actor_on_cases(user) -> str | None:
    """How the user stands to the cases `cases_for_user` gives them: their handler
    (administrators, staff of their workstations), a member handling them, or nobody."""
    if roles.is_administrator(user) or roles.is_workstation_staff(user):
        return Actor.HANDLER
    if member_for_user(user) is not None:
        return Actor.MEMBER
    return None


def actions_for_user(user, case: Case) -> frozenset[str]:
    """The lifecycle actions this user may take on a case they can see."""
    if roles.handles_workstation(user, case.workstation_id):
        return actions_for(Actor.HANDLER)
    if member_for_user(user) is not None:
        return actions_for(Actor.MEMBER)
    return frozenset()


def may_hand_out_lookup_code(user, case: Case) -> bool:
    """Whether the user prints a case's receipt slip and issues it a new lookup code: the
    desk of its workstation and administrators, not the members handling it."""
    return roles.handles_workstation(user, case.workstation_id)


def may_correct_case(user, case: Case) -> bool:
    """Whether the user corrects a case's details, handling members or workstation: staff
    of its workstation and administrators, not the members handling it."""
    return roles.handles_workstation(user, case.workstation_id)


def may_see_personal_data(user, case: Case) -> bool:
    """Those who handle the case: its workstation's staff, its members, administrators."""
    if roles.handles_workstation(user, case.workstation_id):
        return True
    member = member_for_user(user)
    return member is not None and case.handling_members.filter(pk=member.pk).exists()


def may_see_id_number(user, case: Case) -> bool:
    """The ID number is sensitive personal information (GB/T 35273): in full, after a
    reveal, to those who handle the case's workstation only, not to its members, who
    reach the citizen by name and phone."""
    return roles.handles_workstation(user, case.workstation_id)


def may_see_visit_personal_data(user, visit: Visit) -> bool:
    """Those who handle the visit: its workstation's staff and administrators."""
    return roles.handles_workstation(user, visit.workstation_id)


def may_see_all_personal_data(user) -> bool:
    """Whether the user handles every case `cases_for_user` gives them: administrators,
    staff (their own workstations only), members (their own cases only)."""
    return (
        roles.is_administrator(user)
        or roles.is_workstation_staff(user)
        or member_for_user(user) is not None
    )


# --- the departments' side ------------------------------------------------------------


def may_list_cases(user) -> bool:
    """Whether the case list and the dashboard are for this user: not for a department's
    liaison (who is nothing else), who sees only their department's referrals, nor for
    the security administrator or the auditor, whose work is in admin."""
    if roles.oversees_only(user):
        return False
    return not roles.is_department_liaison(user) or may_see_all_personal_data(user)


def home_instead_of_the_desk(user) -> str:
    """Where the dashboard sends someone `may_list_cases` refuses: a department's liaison
    to the department's referrals, the security administrator and the auditor to admin."""
    return "admin:index" if roles.oversees_only(user) else "departments:referral_list"


def referrals_for_liaison(user) -> QuerySet[Referral]:
    """The referrals sent to the user's departments, cancelled ones aside (the case ended
    before the department answered: nothing is asked of it any more)."""
    return Referral.objects.filter(department__in=roles.liaison_department_ids(user)).exclude(
        state=ReferralState.CANCELLED
    )


def referral_for_liaison(user, pk: int) -> Referral:
    """The referral if it was sent to one of the user's departments; 404 otherwise."""
    try:
        return (
            referrals_for_liaison(user)
            .select_related("case__workstation", "case__visit", "department")
            .get(pk=pk)
        )
    except Referral.DoesNotExist:
        raise not_found(Referral.objects.filter(pk=pk), f"referral {pk}") from None


def department_actions(user, referral: Referral) -> frozenset[str]:
    """The steps a liaison may take on their department's referral while it is open: those
    the lifecycle lets a department take, and asking for more time."""
    if not referral.is_open or referral.department_id not in roles.liaison_department_ids(user):
        return frozenset()
    return actions_for(Actor.DEPARTMENT) | {EXTEND}


def may_see_shared_contact(user, referral: Referral) -> bool:
    """A liaison of the referral's department sees the citizen's contact details only once
    the district office recorded why the department needs them (petition confidentiality),
    and only while the department still works on it (not once it replied or sent it
    back)."""
    return (
        referral.is_open
        and referral.shares_contact_details
        and referral.department_id in roles.liaison_department_ids(user)
    )


def notes_for_departments(referral: Referral) -> QuerySet[CaseEvent]:
    """The handling notes the workstation marked for the departments the case is referred
    to, oldest first."""
    return CaseEvent.objects.filter(
        case_id=referral.case_id, kind=EventKind.NOTE, for_departments=True
    ).order_by("at", "pk")


# --- supervision (督办) ----------------------------------------------------------------


def may_supervise(user) -> bool:
    """The district office opens supervisions and shares contact details with departments."""
    return roles.is_administrator(user)


def check_may_supervise(user) -> None:
    if not may_supervise(user):
        raise Http404


def may_answer_supervision(user, supervision: Supervision) -> bool:
    """Who answers the office: a liaison of the supervised referral's department, and the
    staff of the case's workstation (their own step, or a department's answer on paper).
    Not the office itself, who opened it. (Whether it still waits for an answer is the
    lifecycle's to say: a second answer is refused with its reason.)"""
    if supervision.referral_id and roles.is_department_liaison(user):
        return supervision.referral.department_id in roles.liaison_department_ids(user)
    return roles.is_workstation_staff(user) and (
        supervision.case.workstation_id in roles.staffed_workstation_ids(user)
    )


def supervision_for_liaison(user, pk: int) -> Supervision:
    """A supervision of a referral sent to one of the user's departments; 404 otherwise."""
    try:
        return Supervision.objects.select_related("case", "referral").get(
            pk=pk, referral__in=referrals_for_liaison(user)
        )
    except Supervision.DoesNotExist:
        raise not_found(Supervision.objects.filter(pk=pk), f"supervision {pk}") from None


def supervision_of_case(case: Case, pk: int) -> Supervision:
    """A supervision of this case (whose page the user may see); 404 otherwise."""
    try:
        return Supervision.objects.select_related("case", "referral").get(pk=pk, case=case)
    except Supervision.DoesNotExist:
        raise Http404 from None
