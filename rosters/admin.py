from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from audit.models import AuditAction
from audit.services import audit_record
from base.admin_tool_pages import tool_page
from members.models import Member
from workdays.calendar import calendar_gaps
from workstations.people import PeopleAdminMixin, person_column

from .calendars import week_start
from .conflicts import FLAGS, shift_conflicts, with_conflicts
from .duties import DutyError, assignment_mark_attendance
from .fairness import by_group, member_fairness
from .forms import AttendanceForm, FairnessForm, RotationForm, plan_digest
from .models import Attendance, DutyAssignment, DutyChange, DutyShift
from .roster_io import XLSX_CONTENT_TYPE, RosterUploadForm, roster_export, roster_import
from .rotation import RotationError, apply, plan

# Attendance, leave and the substitute change only through the duty functions
# (rosters/duties.py), which record who did it: admin shows them and links to its form.
DUTY_STATE_FIELDS = ["attendance", "on_leave", "substitute"]


class _AttendanceLink:
    @admin.display(description=_("record attendance"))
    def record_attendance(self, assignment: DutyAssignment) -> str:
        if assignment.pk is None:
            return "—"
        url = reverse("admin:rosters_dutyassignment_attendance", args=[assignment.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Record attendance"))


class AssignmentInlineForm(forms.ModelForm):
    """A duty with attendance or leave recorded keeps its member: handing it to someone
    else is a leave or a swap, not an edit."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance.is_open and "member" in self.fields:
            self.fields["member"].disabled = True


class ShiftAdminForm(forms.ModelForm):
    """A shift whose attendance is recorded has taken place: it may be corrected within
    the past, never moved to a time still to come (its duties would score unhappened)."""

    def clean(self):
        cleaned = super().clean()
        day, starts_at = cleaned.get("date"), cleaned.get("starts_at")
        if self.instance.pk is None or not day or not starts_at:
            return cleaned
        if DutyShift(date=day, starts_at=starts_at).has_started():
            return cleaned
        if self.instance.assignments.exclude(attendance=Attendance.SCHEDULED).exists():
            raise forms.ValidationError(
                _("Attendance is recorded on this shift: it cannot move to a time still to come.")
            )
        return cleaned


class DutyAssignmentInline(_AttendanceLink, admin.TabularInline):
    model = DutyAssignment
    form = AssignmentInlineForm
    fk_name = "shift"
    extra = 1
    autocomplete_fields = ["member"]
    fields = ["member", *DUTY_STATE_FIELDS, "note", "record_attendance"]
    readonly_fields = [*DUTY_STATE_FIELDS, "record_attendance"]


class ConflictFilter(admin.SimpleListFilter):
    title = _("conflicts")
    parameter_name = "conflict"
    ANY = "any"

    def lookups(self, request, model_admin):
        return [(self.ANY, _("Any conflict")), *((kind.value, kind.label) for kind in FLAGS)]

    def queryset(self, request, queryset):
        if self.value() == self.ANY:
            return queryset.filter(Q(has_overlap=True) | Q(has_inactive=True) | Q(has_nobody=True))
        flag = {kind.value: name for kind, name in FLAGS.items()}.get(self.value())
        return queryset.filter(**{flag: True}) if flag else queryset


class WeekFilter(admin.SimpleListFilter):
    """Which week's shifts the list shows: this week's unless another week, or all
    dates, is chosen, so the list opens on the duties at hand. A day, month or year
    chosen in the date hierarchy, or a search, looks at every date unless a week is
    chosen as well."""

    title = _("week")
    parameter_name = "week"
    LAST, THIS, NEXT, ALL = "last", "this", "next", "all"
    OFFSETS = {LAST: -7, THIS: 0, NEXT: 7}

    def __init__(self, request, params, model, model_admin):
        self.monday = week_start(timezone.localdate())
        self.elsewhere = bool(request.GET.get(SEARCH_VAR)) or any(
            key.startswith("date__") for key in request.GET
        )
        super().__init__(request, params, model, model_admin)

    def _week(self, offset: int) -> tuple:
        first = self.monday + timedelta(days=offset)
        return first, first + timedelta(days=6)

    def lookups(self, request, model_admin):
        names = {self.LAST: _("Last week"), self.THIS: _("This week"), self.NEXT: _("Next week")}
        weeks = []
        for key, offset in self.OFFSETS.items():
            first, last = self._week(offset)
            dates = {"week": names[key], "first": f"{first:%m-%d}", "last": f"{last:%m-%d}"}
            weeks.append((key, gettext("%(week)s (%(first)s – %(last)s)") % dates))
        return [*weeks, (self.ALL, _("All dates"))]

    def value(self):
        chosen = super().value()
        if chosen in (*self.OFFSETS, self.ALL):
            return chosen
        return self.ALL if self.elsewhere else self.THIS

    def choices(self, changelist):
        # No "All" of Django's: without a choice the list shows this week.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        offset = self.OFFSETS.get(self.value())
        return queryset if offset is None else queryset.filter(date__range=self._week(offset))


@admin.register(DutyShift)
class DutyShiftAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ShiftAdminForm
    list_display = [
        "date",
        "starts_at",
        "ends_at",
        "workstation",
        "holding_group",
        "members_on_duty",
        "theme",
        "conflicts",
    ]
    list_filter = [WeekFilter, ConflictFilter, "workstation", "holding_group"]
    list_select_related = ["workstation", "holding_group"]
    search_fields = ["theme", "workstation__name", "holding_group__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["workstation", "holding_group"]
    readonly_fields = ["conflicts"]
    inlines = [DutyAssignmentInline]
    actions = ["export_to_excel"]

    def get_queryset(self, request):
        # The members on duty of every listed shift in one more query.
        duties = DutyAssignment.objects.select_related("member", "substitute").order_by(
            "member__name", "pk"
        )
        return with_conflicts(super().get_queryset(request)).prefetch_related(
            Prefetch("assignments", duties)
        )

    @admin.display(description=_("members on duty"))
    def members_on_duty(self, shift: DutyShift) -> str:
        """Each duty's member, or the member and who stands in for them (张委员 → 李委员)."""
        names = [
            f"{duty.member.name} → {duty.substitute.name}" if duty.substitute else duty.member.name
            for duty in shift.assignments.all()
        ]
        return "、".join(names) or "—"

    @admin.display(description=_("conflicts"))
    def conflicts(self, shift: DutyShift) -> str:
        return "、".join(shift_conflicts(shift)) or "—"

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=f"{prefix}_import"),
            path(
                "generate/",
                self.admin_site.admin_view(self.generate_view),
                name=f"{prefix}_generate",
            ),
            path(
                "fairness/",
                self.admin_site.admin_view(self.fairness_view),
                name=f"{prefix}_fairness",
            ),
            *super().get_urls(),
        ]

    def can_import(self, request: HttpRequest) -> bool:
        # An import both adds and changes shifts.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "can_import_roster": self.can_import(request),
            "can_generate_rotation": self.has_add_permission(request),
            "can_view_fairness": self.has_view_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Export selected shifts to Excel"), permissions=["view"])
    def export_to_excel(self, request, queryset) -> HttpResponse:
        response = HttpResponse(roster_export(queryset), content_type=XLSX_CONTENT_TYPE)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="roster-{stamp}.xlsx"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.can_import(request):
            raise PermissionDenied
        form = RosterUploadForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            result = roster_import(form.cleaned_data["file"], actor=request.user)
            if result.ok:
                audit_record(
                    request,
                    AuditAction.ADMIN,
                    "roster import",
                    f"{result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged",
                )
                self.message_user(
                    request,
                    gettext(
                        "Roster imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                    messages.SUCCESS,
                )
                return redirect(
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
                )
        return tool_page(
            self,
            request,
            "admin/rosters/dutyshift/import.html",
            title=gettext("Import roster from Excel"),
            form=form,
            result=result,
        )

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        """The rotation generator: a preview first, then a save of exactly that preview."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RotationForm(request.POST or None)
        preview = digest = None
        if request.method == "POST" and form.is_valid():
            try:
                preview = plan(form.spec())
            except RotationError as error:
                form.add_error(None, str(error))
            else:
                digest = plan_digest(preview)
                if "save" in request.POST:
                    try:
                        if request.POST.get("digest") != digest:
                            raise RotationError(
                                gettext(
                                    "The roster has changed since the preview; preview it again."
                                )
                            )
                        applied = apply(preview, actor=request.user)
                    except RotationError as error:
                        form.add_error(None, str(error))
                    else:
                        audit_record(
                            request,
                            AuditAction.ADMIN,
                            "rotation",
                            f"{applied.shifts} shifts, {applied.assignments} duties created",
                        )
                        self.message_user(
                            request,
                            gettext("%(shifts)d shifts and %(duties)d duties created.")
                            % {"shifts": applied.shifts, "duties": applied.assignments},
                            messages.SUCCESS,
                        )
                        return redirect(
                            reverse(
                                f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
                            )
                        )
        return tool_page(
            self,
            request,
            "admin/rosters/dutyshift/generate.html",
            title=gettext("Generate rotation"),
            form=form,
            preview=preview,
            digest=digest,
            # The previewed range's, else this year's and next: days may be off in them.
            calendar_gaps=(
                calendar_gaps(preview.spec.first, preview.spec.last) if preview else calendar_gaps()
            ),
        )

    def fairness_view(self, request: HttpRequest) -> HttpResponse:
        """Duties assigned, attended and missed per member and group over a period."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        form = FairnessForm(request.GET or {"first": today.replace(month=1, day=1), "last": today})
        members = groups = None
        if form.is_valid():
            members = member_fairness(
                form.cleaned_data["first"],
                form.cleaned_data["last"],
                workstation=form.cleaned_data["workstation"],
                group=form.cleaned_data["group"],
            )
            groups = by_group(members)
        return tool_page(
            self,
            request,
            "admin/rosters/dutyshift/fairness.html",
            title=gettext("Duty fairness"),
            form=form,
            members=members,
            groups=groups,
        )


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(AuditedAdminMixin, _AttendanceLink, admin.ModelAdmin):
    list_display = ["shift", "member", *DUTY_STATE_FIELDS, "record_attendance"]
    list_filter = ["attendance", "on_leave", "shift__workstation"]
    list_select_related = ["shift__workstation", "member", "substitute"]
    search_fields = ["member__name", "shift__workstation__name"]
    date_hierarchy = "shift__date"
    autocomplete_fields = ["shift", "member"]
    fields = ["shift", "member", *DUTY_STATE_FIELDS, "note", "record_attendance"]
    actions = ["mark_attended", "mark_absent"]

    def get_readonly_fields(self, request, obj=None):
        recorded = ["shift", "member"] if obj is not None and not obj.is_open else []
        return [*recorded, *DUTY_STATE_FIELDS, "record_attendance"]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_attendance"
        view = self.admin_site.admin_view(self.attendance_view)
        return [path("<path:object_id>/attendance/", view, name=name), *super().get_urls()]

    def attendance_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The roster pages' attendance form: it calls the duty function, whose refusal
        is shown as a message and changes nothing."""
        assignment = self.get_object(request, object_id)
        if assignment is None:
            raise Http404
        if not self.has_change_permission(request, assignment):
            raise PermissionDenied
        form = AttendanceForm(request.POST or None)
        posted = request.method == "POST" and form.is_valid()
        if posted and self._record(request, assignment, **form.cleaned_data):
            self.message_user(request, gettext("Attendance recorded."), messages.SUCCESS)
            change = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
            return redirect(reverse(change, args=[assignment.pk]))
        return tool_page(
            self,
            request,
            "admin/rosters/dutyassignment/attendance.html",
            title=gettext("Record attendance"),
            form=form,
            assignment=assignment,
        )

    def _record(
        self,
        request: HttpRequest,
        assignment: DutyAssignment,
        attendance: str,
        substitute: Member | None = None,
    ) -> bool:
        try:
            recorded = assignment_mark_attendance(
                assignment=assignment,
                attendance=attendance,
                substitute=substitute,
                actor=request.user,
            )
        except DutyError as error:
            self.message_user(request, f"{assignment}: {error}", messages.ERROR)
            return False
        self.log_change(
            request,
            recorded,
            gettext("Recorded attendance: %(state)s.")
            % {"state": recorded.get_attendance_display()},
        )
        return True

    def _record_all(self, request: HttpRequest, queryset: QuerySet, attendance: str) -> None:
        assignments = queryset.select_related("shift__workstation", "member")
        count = sum(self._record(request, a, attendance) for a in assignments)
        if count:
            self.message_user(
                request,
                ngettext(
                    "Attendance recorded for %(count)d duty.",
                    "Attendance recorded for %(count)d duties.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )

    @admin.action(description=_("Mark the selected duties attended"), permissions=["change"])
    def mark_attended(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._record_all(request, queryset, Attendance.ATTENDED)

    @admin.action(description=_("Mark the selected duties absent"), permissions=["change"])
    def mark_absent(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._record_all(request, queryset, Attendance.ABSENT)


@admin.register(DutyChange)
class DutyChangeAdmin(AuditedAdminMixin, PeopleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of attendance, leave and swaps: readable, never edited."""

    people_fields = ("by",)
    list_display = ["at", "kind", "assignment", person_column("by", _("changed by")), "detail"]
    list_filter = ["kind"]
    list_select_related = ["assignment__shift__workstation", "assignment__member", "by"]
    search_fields = ["assignment__member__name", "detail"]
    date_hierarchy = "at"
