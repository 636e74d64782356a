from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse

from . import exports
from .lockouts import record_unlocks
from .models import REVIEWED_BY_SECURITY, AuditAction, AuditEntry
from .services import audit_record


def _change_detail(verb: str, message: list | str) -> str:
    """The audit detail of an admin change: which fields of the record and of its inline
    rows changed (their labels, as Django's change message names them), never a value,
    nor the text of the inline rows that Django's own message repeats."""
    if isinstance(message, str):
        # An admin action's own sentence, written by the code, not typed by a person.
        return f"{verb}: {message}" if message else verb
    parts = []
    for change in message:
        for kind, about in change.items():
            part = f"{about['name']} {kind}" if "name" in about else kind
            if about.get("fields"):
                part += ": " + ", ".join(about["fields"])
            parts.append(part)
    return "; ".join(parts) or f"{verb}: nothing"


class AuditedAdminMixin:
    """Every add, change and delete made in admin is written to the audit log as well:
    who, when, from which address, which record and which fields. Django's own LogEntry
    knows no address and keeps the records' text; the audit log keeps neither values nor
    text. Every project ModelAdmin uses it (tests/test_admin_audit.py walks the site)."""

    def audit_target(self, obj: Model) -> str:
        return f"{obj._meta.model_name} {obj.pk}"

    def log_addition(self, request: HttpRequest, obj: Model, message):
        entry = super().log_addition(request, obj, message)
        detail = _change_detail("added", message)
        audit_record(request, AuditAction.ADMIN, self.audit_target(obj), detail)
        return entry

    def log_change(self, request: HttpRequest, obj: Model, message):
        entry = super().log_change(request, obj, message)
        detail = _change_detail("changed", message)
        audit_record(request, AuditAction.ADMIN, self.audit_target(obj), detail)
        return entry

    def log_deletions(self, request: HttpRequest, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            audit_record(request, AuditAction.ADMIN, self.audit_target(obj), "deleted")
        return entries


class ReadOnlyAdminMixin:
    """Rows written by code, never by hand (timelines, logs): visible in admin, never
    added, changed or deleted there. Works for model admins and inlines alike."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The auditor's (and the security administrator's, for the security lines only):
    filtered by action, user and date, searched, and exported as the list stands (itself
    an audited act); nobody can add, change or delete an entry."""

    list_display = ["at", "user", "ip_address", "action", "target", "detail"]
    list_filter = ["action", "user"]
    list_select_related = ["user"]
    search_fields = ["target", "user__username", "ip_address", "detail"]
    date_hierarchy = "at"

    def get_queryset(self, request: HttpRequest):
        entries = super().get_queryset(request)
        if request.user.has_perm("audit.read_whole_log"):
            return entries
        return entries.filter(action__in=REVIEWED_BY_SECURITY)

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_view)
        return [path("export.csv", export, name="audit_auditentry_export"), *super().get_urls()]

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """The entries of the list with the same filters, search and dates, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            entries = self.get_changelist_instance(request).queryset
        except IncorrectLookupParameters:
            # As the list itself answers a filter it does not know.
            return redirect(reverse("admin:audit_auditentry_changelist") + "?e=1")
        detail = exports.audit_detail(request.GET)
        entry = audit_record(request, AuditAction.EXPORT, "audit log.csv", detail)
        # The rows are read as they stream out: the export's own line is not one of them.
        return exports.export_entries(entries.exclude(pk=entry.pk))


# django-axes registers its own admins: lifting a lockout (deleting an attempt) is a
# change made in admin like any other.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AuditedAdminMixin, axes_admin.AccessAttemptAdmin):
    """Deleting an attempt, on its page or by the list's action, lifts its lockout: a
    security act of its own in the audit log (audit/lockouts.py)."""

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        super().delete_model(request, obj)
        record_unlocks(request, [obj.username])

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        usernames = list(queryset.values_list("username", flat=True))
        super().delete_queryset(request, queryset)
        record_unlocks(request, usernames)


@admin.register(AccessLog)
class AccessLogAdmin(AuditedAdminMixin, axes_admin.AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(AuditedAdminMixin, axes_admin.AccessFailureLogAdmin):
    pass
