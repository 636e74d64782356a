"""Staff pages: dashboard, logging a visit, the case list and the case page."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from activities import access as proposal_access
from activities.forms import ProposalDraftForm
from audit.models import AuditAction
from audit.services import audit_record
from members.models import DutyAssignment, Member
from workstations.models import Department

from . import access, exports
from .actions import ACTION_FORMS
from .corrections import CORRECTION_FORMS
from .forms import CaseFilterForm, IssueFormSet, VisitForm
from .lifecycle import TERMINAL, CaseError
from .lookup_codes import case_lookup_code_renew
from .masking import mask_address, mask_name, mask_phone
from .models import Case, CaseEvent, CaseStatus, Referral
from .receipts import receipt_take, receipts_keep, receipts_pending
from .selectors import case_rows, filter_cases, keyset_page, with_labels
from .services import DuplicateSubmission, visit_log

WAITING = (CaseStatus.SUBMITTED, CaseStatus.REPLIED, CaseStatus.RESOLVED)


@require_safe
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cases = access.cases_for_user(request.user)
    workstations = access.workstations_for_user(request.user)
    week_end = today + timedelta(days=6 - today.weekday())
    shifts = (
        access.shifts_for_user(request.user)
        .filter(date__range=(today, week_end))
        .select_related("workstation", "holding_group")
        .prefetch_related(Prefetch("assignments", DutyAssignment.objects.select_related("member")))
        .order_by("date", "starts_at", "workstation__ordering")
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
        "visits/dashboard.html",
        {
            "counts": [
                (status, counts.get(status, 0)) for status in CaseStatus if status not in TERMINAL
            ],
            "open_total": sum(counts.values()),
            "overdue": with_labels(
                case_rows(cases.filter(next_due_on__lt=today)).order_by("next_due_on", "pk")[:10]
            ),
            "waiting": with_labels(
                case_rows(cases.filter(status__in=WAITING)).order_by("created_at", "pk")[:10]
            ),
            "shifts": shifts,
            "today": today,
            "can_log_visit": workstations.exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    workstations = access.workstations_for_user(request.user)
    if not workstations.exists():
        raise Http404
    form = VisitForm(request.POST or None, workstations=workstations)
    issues = IssueFormSet(request.POST or None, prefix="issues")
    if request.method == "POST" and form.is_valid() and issues.is_valid():
        visit = form.save(commit=False)
        visit.submission_id = form.cleaned_data["submission_id"]
        members = form.cleaned_data["receiving_members"]
        try:
            logged = visit_log(
                visit=visit,
                receiving_members=members,
                issues=[f.issue(members) for f in issues if f.has_changed()],
                actor=request.user,
            )
        except DuplicateSubmission as duplicate:
            messages.info(request, _("This visit was already logged."))
            return redirect("visits:visit_detail", pk=duplicate.visit.pk)
        except CaseError as error:
            messages.error(request, str(error))
        else:
            numbers = [c.number for c in logged.cases]
            receipts_keep(request.session, logged.lookup_codes)
            audit_record(request, AuditAction.VISIT, f"visit {logged.visit.pk}", ", ".join(numbers))
            messages.success(
                request, _("Visit logged: %(numbers)s") % {"numbers": "、".join(numbers)}
            )
            return redirect("visits:visit_detail", pk=logged.visit.pk)
    return render(request, "visits/visit_form.html", {"form": form, "issues": issues})


@require_safe
@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(
        access.visits_for_user(request.user).select_related("workstation"), pk=pk
    )
    cases = list(access.cases_for_user(request.user).filter(visit=visit).order_by("pk"))
    return render(
        request,
        "visits/visit_detail.html",
        {
            "visit": visit,
            # A case transferred to another workstation is that workstation's now.
            "cases": cases,
            "transferred_cases": visit.cases.count() - len(cases),
            "members": visit.receiving_members.all(),
            "visitor_name": mask_name(visit.visitor_name),
            "visitor_phone": mask_phone(visit.visitor_phone),
            "pending_receipts": receipts_pending(request.session),
        },
    )


@require_GET
@login_required
def case_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """The receipt slip the liaison hands the citizen: the lookup code, this once (GET
    only: a HEAD would use up the showing)."""
    case = access.case_for_user(request.user, number)
    if not access.may_hand_out_lookup_code(request.user, case):
        raise Http404
    return render(
        request,
        "visits/case_receipt.html",
        {
            "case": case,
            "lookup_code": receipt_take(request.session, case.number),
            "track_url": request.build_absolute_uri(reverse("public:track")),
        },
    )


@require_POST
@login_required
def case_receipt_renew(request: HttpRequest, number: str) -> HttpResponse:
    """A new lookup code for a citizen who lost the slip; the old code stops working."""
    case = access.case_for_user(request.user, number)
    if not access.may_hand_out_lookup_code(request.user, case):
        raise Http404
    receipts_keep(request.session, {case.number: case_lookup_code_renew(case=case)})
    audit_record(request, AuditAction.TRANSITION, case.number, "new lookup code")
    return redirect("visits:case_receipt", number=case.number)


def _filter_form(request: HttpRequest) -> tuple[CaseFilterForm, object]:
    cases = access.cases_for_user(request.user)
    workstations = access.workstations_for_user(request.user)
    form = CaseFilterForm(
        request.GET,
        workstations=workstations,
        departments=Department.objects.all(),
        members=Member.objects.filter(home_workstation__in=workstations),
    )
    return form, filter_cases(cases, form)


@require_safe
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    form, cases = _filter_form(request)
    sort_field = CaseFilterForm.SORTS[form.sort_key][0]
    page = keyset_page(
        case_rows(cases),
        sort_field,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(
        request,
        "visits/case_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@require_safe
@login_required
def case_export(request: HttpRequest, fmt: str) -> HttpResponse:
    form, cases = _filter_form(request)
    # Contacts stay masked unless asked for by someone who handles every listed case.
    with_contacts = request.GET.get("contacts") == "1" and access.may_see_all_personal_data(
        request.user
    )
    response = exports.export_cases(cases, fmt, with_contacts=with_contacts)
    detail = exports.audit_detail(form, with_contacts=with_contacts)
    audit_record(request, AuditAction.EXPORT, f"cases.{fmt}", detail)
    return response


def _case_page(
    request, case: Case, *, forms=None, revealed=False, status=200, proposal_form=None
) -> HttpResponse:
    allowed = access.actions_for_user(request.user, case)
    forms = forms or {}
    action_forms = [
        forms.get(action) or form_class(case=case, user=request.user)
        for action, form_class in ACTION_FORMS.items()
        # A refused form stays on the page to say why, even when its step no longer fits.
        if action in forms or (action in allowed and form_class.is_available(case))
    ]
    may_correct = access.may_correct_case(request.user, case)
    correction_forms = [
        forms.get(correction) or form_class(case=case, user=request.user)
        for correction, form_class in CORRECTION_FORMS.items()
        if correction in forms or (may_correct and form_class.is_available(case))
    ]
    visit = case.visit
    may_reveal = access.may_see_personal_data(request.user, case)
    return render(
        request,
        "visits/case_detail.html",
        {
            "case": case,
            "visit": visit,
            "visitor_name": visit.visitor_name if revealed else mask_name(visit.visitor_name),
            "visitor_phone": visit.visitor_phone if revealed else mask_phone(visit.visitor_phone),
            "visitor_address": visit.visitor_address
            if revealed
            else mask_address(visit.visitor_address),
            "revealed": revealed,
            "may_reveal": may_reveal and not revealed,
            "may_hand_out_lookup_code": access.may_hand_out_lookup_code(request.user, case),
            "events": CaseEvent.objects.filter(case=case)
            .select_related("actor", "referral__department")
            .order_by("at", "pk"),
            "referrals": Referral.objects.filter(case=case)
            .select_related("department")
            .order_by("sent_at", "pk"),
            "members": case.handling_members.all(),
            "action_forms": action_forms,
            "correction_forms": correction_forms,
            "proposals": proposal_access.proposals_of_case(request.user, case),
            "proposal_form": proposal_form
            or (
                ProposalDraftForm(case=case)
                if proposal_access.may_draft_proposal(request.user, case)
                else None
            ),
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_safe
@login_required
def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _case_page(request, access.case_for_user(request.user, number))


@require_POST
@login_required
def case_reveal(request: HttpRequest, number: str) -> HttpResponse:
    case = access.case_for_user(request.user, number)
    if not access.may_see_personal_data(request.user, case):
        raise Http404
    audit_record(request, AuditAction.REVEAL, case.number, _("visitor's contact details"))
    return _case_page(request, case, revealed=True)


@require_POST
@login_required
def case_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    case = access.case_for_user(request.user, number)
    form_class = ACTION_FORMS.get(action)
    if form_class is None or action not in access.actions_for_user(request.user, case):
        raise Http404
    form = form_class(request.POST, case=case, user=request.user)
    if form.is_valid():
        # The form passes the status the user saw; the lifecycle compares it with the
        # locked row: a page left open while someone else acted is refused, nothing changes.
        try:
            form.perform(request.user)
        except CaseError as error:
            form.add_error(None, str(error))
            case.refresh_from_db()
        else:
            case.refresh_from_db()
            audit_record(request, AuditAction.TRANSITION, case.number, action)
            messages.success(request, _("Saved: %(action)s") % {"action": form.done_label})
            return redirect("visits:case_detail", number=case.number)
    return _case_page(request, case, forms={action: form}, status=400)


@require_POST
@login_required
def case_correct(request: HttpRequest, number: str, correction: str) -> HttpResponse:
    """Correct a case's details, handling members or workstation (staff, administrators)."""
    case = access.case_for_user(request.user, number)
    form_class = CORRECTION_FORMS.get(correction)
    if form_class is None or not access.may_correct_case(request.user, case):
        raise Http404
    form = form_class(request.POST, case=case, user=request.user)
    if form.is_valid():
        try:
            form.perform(request.user)
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            audit_record(request, AuditAction.TRANSITION, case.number, correction)
            messages.success(request, _("Saved: %(action)s") % {"action": form.done_label})
            case.refresh_from_db()
            if not access.cases_for_user(request.user).filter(pk=case.pk).exists():
                # Transferred to a workstation this user does not staff: no longer theirs.
                messages.info(
                    request,
                    _("%(number)s was transferred to %(workstation)s.")
                    % {"number": case.number, "workstation": case.workstation},
                )
                return redirect("visits:case_list")
            return redirect("visits:case_detail", number=case.number)
        case.refresh_from_db()
    return _case_page(request, case, forms={correction: form}, status=400)
