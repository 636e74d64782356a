"""Staff pages: activities (recorded by whoever organised them) and proposals. The
step that turns a case into a proposal draft is on the case page (desk)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from visits import access as case_access
from workstations.people import prefetched

from . import access, services
from .forms import ActivityForm, AttendanceForm, add_errors
from .models import CoSignature


@require_safe
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    if not access.may_record_activities(request.user):
        raise Http404
    activities = (
        access.activities_for_user(request.user)
        .select_related("organiser")
        .prefetch_related("workstations", *prefetched("organiser"))
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
            add_errors(form, error)
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
            "events": proposal.events.select_related("actor").prefetch_related(
                *prefetched("actor")
            ),
        },
    )
