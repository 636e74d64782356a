"""The staff desk: the pages that join several domains. The dashboard (cases, duties)
and the case page with every step a case may take, its corrections and the proposal
drafted from it. The domain apps never import this app."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from activities import access as proposal_access
from activities import services as proposal_services
from activities.forms import ProposalDraftForm, add_errors
from audit.denials import Refused, audit_denied
from audit.models import AuditAction
from audit.services import audit_record
from rosters import access as roster_access
from rosters.selectors import duty_rows
from visits import access, selectors
from visits.actions import ACTION_FORMS, take_step
from visits.corrections import CORRECTION_FORMS
from visits.lifecycle import TERMINAL, Action, Actor, CaseError, actions_for
from visits.masking import reveal_detail
from visits.models import CaseStatus, SupervisionState
from visits.selectors import case_rows, with_labels
from visits.supervising import ContactShareForm, SupervisionAnswerForm

from .pages import case_page

S = CaseStatus

# What "waiting for your action" lists, by how the user stands to their cases
# (visits.access.actor_on_cases): each status with the step it waits for. The desk
# accepts online submissions, acts on the departments' replies and follows up resolved
# cases; a member handling a case records consultations while it is registered or being
# consulted on. A step the lifecycle does not let that user take is never listed.
WAITING: dict[str, dict[str, str]] = {
    Actor.HANDLER: {
        S.SUBMITTED: Action.ACCEPT,
        S.REPLIED: Action.RESOLVE,
        S.RESOLVED: Action.CLOSE,
    },
    Actor.MEMBER: {S.REGISTERED: Action.CONSULT, S.CONSULTING: Action.CONSULT},
}


def waiting_statuses(actor: str | None) -> list[str]:
    """The statuses of the cases waiting for a step this actor may take."""
    allowed = actions_for(actor)
    return [status for status, step in WAITING.get(actor, {}).items() if step in allowed]


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not access.may_list_cases(request.user):
        return redirect(access.home_instead_of_the_desk(request.user))
    today = timezone.localdate()
    cases = access.cases_for_user(request.user)
    actor = access.actor_on_cases(request.user)
    week_end = today + timedelta(days=6 - today.weekday())
    shifts = duty_rows(
        roster_access.shifts_for_user(request.user).filter(date__range=(today, week_end))
    )
    open_statuses = [status for status in CaseStatus if status not in TERMINAL]
    # A positive list of statuses and COUNT(*) let the (workstation, status) index alone
    # answer the count (an index-only scan on PostgreSQL).
    counts = dict(
        cases.filter(status__in=open_statuses)
        .values_list("status")
        .annotate(n=Count("*"))
        .order_by()
    )
    return render(
        request,
        "desk/dashboard.html",
        {
            "counts": [
                (status, counts.get(status, 0)) for status in CaseStatus if status not in TERMINAL
            ],
            "open_total": sum(counts.values()),
            "overdue": with_labels(
                case_rows(cases.filter(next_due_on__lt=today)).order_by("next_due_on", "pk")[:10]
            ),
            "waiting": with_labels(
                case_rows(cases.filter(status__in=waiting_statuses(actor))).order_by(
                    "created_at", "pk"
                )[:10]
            ),
            "member_waiting": actor == Actor.MEMBER,
            "supervised": selectors.supervisions(SupervisionState.OPEN, 10, cases)
            if actor == Actor.HANDLER
            else (),
            "shifts": shifts,
            "today": today,
            "can_log_visit": access.logs_visits_anywhere(request.user),
        },
    )


@require_safe
@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return case_page(request, access.case_for_user(request.user, number))


@require_POST
@login_required
def case_reveal(request: HttpRequest, number: str) -> HttpResponse:
    case = access.case_for_user(request.user, number)
    if not access.may_see_personal_data(request.user, case):
        raise Refused(case.number, "reveal of the visitor's contact details")
    audit_record(request, AuditAction.REVEAL, case.number, reveal_detail(case.visit))
    return case_page(request, case, revealed=True)


@require_POST
@login_required
def supervision_answer(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The workstation's answer to the office's supervision of the case (or a department's
    answer that came on paper)."""
    case = access.case_for_user(request.user, number)
    supervision = access.supervision_of_case(case, pk)
    if not access.may_answer_supervision(request.user, supervision):
        raise Http404
    form = SupervisionAnswerForm(request.POST, supervision=supervision)
    if form.is_valid() and take_step(request, case, form, "answer_supervision"):
        return redirect("desk:case_detail", number=case.number)
    return case_page(request, case, answer=form, status=400)


@require_POST
@login_required
def share_contact(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """The office shares the citizen's contact details with a department, for a reason."""
    access.check_may_supervise(request.user)
    case = access.case_for_user(request.user, number)
    referral = get_object_or_404(case.referrals.select_related("department"), pk=pk)
    form = ContactShareForm(request.POST, referral=referral)
    if form.is_valid() and take_step(request, case, form, "share_contact"):
        return redirect("desk:case_detail", number=case.number)
    return case_page(request, case, share=form, status=400)


@require_POST
@login_required
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = access.case_for_user(request.user, number)
    form_class = ACTION_FORMS.get(action)
    if form_class is None or action not in access.actions_for_user(request.user, case):
        raise Http404
    form = form_class(request.POST, case=case, user=request.user)
    if form.is_valid() and take_step(request, case, form, action):
        return redirect("desk:case_detail", number=case.number)
    return case_page(request, case, forms={action: form}, status=400)


@require_POST
@login_required
def case_correct(request: HttpRequest, number: str, correction: str) -> HttpResponse:
    """Correct a case's details, handling members or workstation (staff, administrators)."""
    case = access.case_for_user(request.user, number)
    form_class = CORRECTION_FORMS.get(correction)
    if form_class is None or not access.may_correct_case(request.user, case):
        raise Http404
    form = form_class(request.POST, case=case, user=request.user)
    if not (form.is_valid() and take_step(request, case, form, correction)):
        return case_page(request, case, forms={correction: form}, status=400)
    if not access.cases_for_user(request.user).filter(pk=case.pk).exists():
        # Transferred to a workstation this user does not staff: no longer theirs.
        messages.info(
            request,
            _("%(number)s was transferred to %(workstation)s.")
            % {"number": case.number, "workstation": case.workstation},
        )
        return redirect("visits:case_list")
    return redirect("desk:case_detail", number=case.number)


@require_POST
@login_required
def case_proposal(request: HttpRequest, number: str) -> HttpResponse:
    case = access.case_for_user(request.user, number)
    if not proposal_access.may_draft_proposal(request.user, case):
        raise Http404
    form = ProposalDraftForm(request.POST, case=case)
    if form.is_valid():
        try:
            proposal = proposal_services.proposal_draft_from_case(
                case=case, actor=request.user, **form.cleaned_data
            )
        except proposal_services.DuplicateDraft as duplicate:
            messages.info(request, _("This draft was already made from the case."))
            return redirect(duplicate.proposal)
        except ValidationError as error:
            add_errors(form, error)
        except CaseError as error:
            audit_denied(request, case.number, "proposal: refused")
            form.add_error(None, str(error))
        else:
            audit_record(request, AuditAction.TRANSITION, case.number, "proposal")
            messages.success(
                request, _("Draft made from case %(number)s.") % {"number": case.number}
            )
            return redirect(proposal)
    case.refresh_from_db()
    return case_page(request, case, proposal_form=form, status=400)
