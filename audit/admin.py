from django.contrib import admin

from .models import AuditEntry


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
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Searchable by administrators; nobody can add, change or delete an entry."""

    list_display = ["at", "user", "ip_address", "action", "target", "detail"]
    list_filter = ["action"]
    list_select_related = ["user"]
    search_fields = ["target", "user__username", "ip_address", "detail"]
    date_hierarchy = "at"
