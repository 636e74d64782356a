"""The district office's supervision (督办): the list of overdue work and of open and
answered supervisions, and the 督办单 it opens on a late referral or a late case. The
supervised answer on their own pages (departments.views, desk.views)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from visits import access, selectors
from visits.actions import take_step
from visits.models import Case, Referral, SupervisionState
from visits.supervising import SupervisionOpenForm


@require_safe
@login_required
def supervision_list(request: HttpRequest) -> HttpResponse:
    access.check_may_supervise(request.user)
    today = timezone.localdate()
    return render(
        request,
        "departments/supervision_list.html",
        {
            "late_referrals": selectors.late_referrals(today),
            "late_cases": selectors.late_case_steps(today),
            "supervision_tables": [
                (
                    "open-supervisions-heading",
                    _("Supervisions waiting for the answer"),
                    selectors.supervisions(SupervisionState.OPEN),
                ),
                (
                    "answered-supervisions-heading",
                    _("Answered lately"),
                    selectors.supervisions(SupervisionState.ANSWERED, 50),
                ),
            ],
            "today": today,
        },
    )


def _open(request: HttpRequest, case: Case, referral: Referral | None) -> HttpResponse:
    """The 督办单's form on GET; on POST, opened through the lifecycle, or refused with
    the reason next to the field (nothing changed)."""
    posted = request.POST if request.method == "POST" else None
    form = SupervisionOpenForm(posted, case=case, referral=referral)
    if request.method == "POST" and form.is_valid() and take_step(request, case, form, "supervise"):
        return redirect("departments:supervision_list")
    return render(
        request,
        "departments/supervision_form.html",
        {"form": form, "case": case, "referral": referral, "today": timezone.localdate()},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def supervise_referral(request: HttpRequest, pk: int) -> HttpResponse:
    access.check_may_supervise(request.user)
    referral = get_object_or_404(
        Referral.objects.select_related("case__workstation", "department"), pk=pk
    )
    return _open(request, referral.case, referral)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def supervise_case(request: HttpRequest, number: str) -> HttpResponse:
    access.check_may_supervise(request.user)
    return _open(request, access.case_for_user(request.user, number), None)
