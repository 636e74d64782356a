"""Staff pages: dashboard, logging a visit, the case list and the case page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from audit.denials import audit_denied
from audit.models import AuditAction
from audit.services import audit_record
from members.models import Member
from workstations.models import Department

from . import access, exports
from .forms import CaseFilterForm, IssueFormSet, VisitForm
from .lifecycle import CaseError
from .lookup_codes import case_lookup_code_renew
from .masking import mask_id_number, mask_name, mask_phone
from .receipts import receipt_context, receipt_take, receipts_keep, receipts_pending
from .selectors import case_rows, filter_cases, keyset_page
from .services import DuplicateSubmission, visit_log


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
            audit_denied(request, "", "visit: refused")
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
    visit = access.visit_for_user(request.user, pk)
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
            "visitor_id_number": mask_id_number(visit.visitor_id_number),
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
            **receipt_context(request, case),
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
    if not access.may_list_cases(request.user):
        raise Http404
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
    if not access.may_list_cases(request.user):
        raise Http404
    form, cases = _filter_form(request)
    # Contacts stay masked unless asked for by someone who handles every listed case.
    with_contacts = request.GET.get("contacts") == "1" and access.may_see_all_personal_data(
        request.user
    )
    response = exports.export_cases(cases, fmt, with_contacts=with_contacts, form=form)
    detail = exports.audit_detail(form, with_contacts=with_contacts)
    audit_record(request, AuditAction.EXPORT, f"cases.{fmt}", detail)
    return response
