"""Staff pages: activities (recorded by whoever organised them) and proposals, and the
step that turns a case into a proposal draft."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.models import AuditAction
from audit.services import audit_record
from visits import access as case_access
from visits.lifecycle import CaseError
from visits.views import _case_page

from . import access, services
from .forms import ActivityForm, AttendanceForm, ProposalDraftForm
from .models import CoSignature


def _add_errors(form, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages_)


@require_safe
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    if not access.may_record_activities(request.user):
        raise Http404
    activities = (
        access.activities_for_user(request.user)
        .select_related("organiser")
        .prefetch_related("workstations")
        .annotate(n_participants=Count("participants", distinct=True))
        .order_by("-date", "-pk")[:200]
    )
    return render(request, "activities/activity_list.html", {"activities": activities})


@require_http_methods(["GET", "POST"])
@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    workstations = access.activity_workstations(request.user)
    if not access.may_record_activities(request.user) or not workstations.exists():
        raise Http404
    form = ActivityForm(request.POST or None, workstations=workstations)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_record(
                activity=form.save(commit=False),
                workstations=form.cleaned_data["workstations"],
                participants=form.cleaned_data["participants"],
                organiser=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Activity recorded."))
            return redirect("activities:activity_detail", pk=activity.pk)
    return render(request, "activities/activity_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.activity_for_user(request.user, pk)
    form = AttendanceForm(
        request.POST or None, initial={"participants": activity.participants.all()}
    )
    if request.method == "POST" and form.is_valid():
        services.activity_attendance(
            activity=activity, participants=form.cleaned_data["participants"]
        )
        messages.success(request, _("Attendance recorded."))
        return redirect("activities:activity_detail", pk=activity.pk)
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "workstations": activity.workstations.all(),
            "participants": activity.participants.select_related("home_workstation"),
            "proposals": activity.proposals.all(),
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@require_safe
@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = access.proposal_for_user(request.user, pk)
    # Only the cases the viewer may see are named; the others are only counted.
    cases = list(
        case_access.cases_for_user(request.user)
        .filter(proposals=proposal)
        .select_related("workstation")
        .order_by("pk")
    )
    return render(
        request,
        "activities/proposal_detail.html",
        {
            "proposal": proposal,
            "cases": cases,
            "hidden_cases": proposal.cases.count() - len(cases),
            "activities": proposal.activities.order_by("-date"),
            "cosigners": CoSignature.objects.filter(proposal=proposal).select_related("member"),
            "lead_department": proposal.lead_department,
            "co_departments": proposal.co_departments.all(),
            "events": proposal.events.select_related("actor"),
        },
    )


@require_POST
@login_required
def case_proposal(request: HttpRequest, number: str) -> HttpResponse:
    case = case_access.case_for_user(request.user, number)
    if not access.may_draft_proposal(request.user, case):
        raise Http404
    form = ProposalDraftForm(request.POST, case=case)
    if form.is_valid():
        try:
            proposal = services.proposal_draft_from_case(
                case=case, actor=request.user, **form.cleaned_data
            )
        except services.DuplicateDraft as duplicate:
            messages.info(request, _("This draft was already made from the case."))
            return redirect(duplicate.proposal)
        except ValidationError as error:
            _add_errors(form, error)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            audit_record(request, AuditAction.TRANSITION, case.number, "proposal")
            messages.success(
                request, _("Draft made from case %(number)s.") % {"number": case.number}
            )
            return redirect(proposal)
    case.refresh_from_db()
    return _case_page(request, case, proposal_form=form, status=400)
