"""The district office's record of the departments (部门履职情况): a table of every
department over a period, a drill-down to what each figure counted, and the workbook.
Administrators only (departments.access)."""

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from audit.models import AuditAction
from audit.services import audit_record
from base.spreadsheets import title_line, write_sheet
from workstations.models import Department

from . import access, figures
from .forms import PeriodForm


def _period_form(request: HttpRequest) -> PeriodForm:
    access.check_may_see_department_record(request.user)
    return PeriodForm(request.GET or None, today=timezone.localdate())


def _refused(request: HttpRequest, form: PeriodForm) -> HttpResponse:
    """The record's page with the form's errors next to its fields, and nothing counted."""
    context = {"form": form, "rows": None, "labels": figures.LABELS}
    return render(request, "departments/record.html", context, status=400)


@require_safe
@login_required
def record(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        return _refused(request, form)
    return render(
        request,
        "departments/record.html",
        {
            "form": form,
            "period": form.period,
            "query": form.query,
            "rows": figures.records(form.period, role=form.chosen_role),
            "labels": figures.LABELS,
            "definitions": figures.DEFINITIONS,
        },
    )


@require_safe
@login_required
def record_behind(request: HttpRequest, pk: int, figure: str) -> HttpResponse:
    form = _period_form(request)
    if figure not in figures.DRILLS:
        raise Http404
    department = get_object_or_404(Department, pk=pk)
    if form.is_bound and not form.is_valid():
        return _refused(request, form)
    period, role = form.period, form.chosen_role
    return render(
        request,
        "departments/record_behind.html",
        {
            "form": form,
            "department": department,
            "figure": figure,
            "label": figures.LABELS[figure],
            "period": period,
            "query": form.query,
            "rows": figures.behind(department, figure, period, role=role),
            "items": figures.item_kind(figure),
        },
    )


@require_safe
@login_required
def record_workbook(request: HttpRequest) -> HttpResponse:
    form = _period_form(request)
    if form.is_bound and not form.is_valid():
        return _refused(request, form)
    output = io.BytesIO()
    _workbook(form).save(output)
    output.seek(0)
    period = form.period
    filename = f"departments-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    audit_record(request, AuditAction.EXPORT, filename)
    return FileResponse(output, as_attachment=True, filename=filename)


def _filters(form: PeriodForm) -> list[tuple[str, str]]:
    period, role = form.period, form.chosen_role_label
    chosen = [(_("Period"), f"{period.first:%Y-%m-%d} – {period.last:%Y-%m-%d}")]
    return chosen + ([(_("Role"), role)] if role else [])


def _share(value: float | None) -> float | None:
    """A rate as a percentage with one decimal, as the page prints it."""
    return None if value is None else round(value * 100, 1)


def _workbook(form: PeriodForm) -> Workbook:
    labels = figures.LABELS
    book = Workbook(write_only=True)
    subject = _("Departments' record")
    exported_at = timezone.now()
    rates = [f"{labels[key]} (%)" for key in figures.RATES]
    write_sheet(
        book,
        subject,
        title=title_line(subject, _filters(form), exported_at=exported_at),
        header=[_("Handling department"), *(str(labels[key]) for key in figures.COUNTED), *rates],
        rows=(
            [row.department.name, *(row[key] for key in figures.COUNTED),
             *(_share(getattr(row, key)) for key in figures.RATES)]
            for row in figures.records(form.period, role=form.chosen_role)
        ),
    )  # fmt: skip
    sheet = _("Referrals")
    write_sheet(
        book,
        sheet,
        title=title_line(f"{subject} · {sheet}", _filters(form), exported_at=exported_at),
        header=[_("Department"), _("Case"), _("Title"), _("Workstation"), _("Role"),
                _("State"), _("Sent"), _("Acknowledgement due"), _("Acknowledged"),
                _("Reply due"), _("Replied"), _("Returned")],
        rows=(
            [r.department.name, r.case.number, r.case.title, r.case.workstation.name,
             r.get_role_display(), r.get_state_display(), r.sent_at, r.acknowledge_due_on,
             r.acknowledged_at, r.due_on, r.replied_at, r.returned_at]
            for r in figures.received(form.period, form.chosen_role)
            .select_related("department", "case__workstation")
            .order_by("department__name", "sent_at", "pk")
        ),
    )  # fmt: skip
    return book
