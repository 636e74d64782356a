from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ActivityGroup, DutyAssignment, DutyChange, DutyShift, Member, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "ordering"]
    list_editable = ["ordering"]
    search_fields = ["name"]


@admin.register(ActivityGroup)
class ActivityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "sector",
        "activity_group",
        "home_workstation",
        "employer",
        "is_published",
        "is_active",
    ]
    list_filter = ["is_active", "is_published", "sector", "activity_group", "home_workstation"]
    list_select_related = ["sector", "activity_group", "home_workstation"]
    search_fields = ["name", "employer", "job_title"]
    autocomplete_fields = ["sector", "activity_group", "home_workstation", "user"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "sector",
                    "activity_group",
                    "home_workstation",
                    "term",
                    "is_active",
                ]
            },
        ),
        (_("Work"), {"fields": ["employer", "job_title"]}),
        (
            _("Public profile"),
            {"fields": ["is_published", "photo", "bio", "reception_hours", "public_contact"]},
        ),
        (_("Login"), {"fields": ["user"]}),
    ]


class DutyAssignmentInline(admin.TabularInline):
    model = DutyAssignment
    fk_name = "shift"
    extra = 1
    autocomplete_fields = ["member", "substitute"]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["date", "starts_at", "ends_at", "workstation", "holding_group", "theme"]
    list_filter = ["workstation", "holding_group"]
    list_select_related = ["workstation", "holding_group"]
    search_fields = ["theme", "workstation__name", "holding_group__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["workstation", "holding_group"]
    inlines = [DutyAssignmentInline]


@admin.register(DutyAssignment)
class DutyAssignmentAdmin(admin.ModelAdmin):
    list_display = ["shift", "member", "attendance", "substitute"]
    list_filter = ["attendance", "shift__workstation"]
    list_select_related = ["shift__workstation", "member", "substitute"]
    search_fields = ["member__name", "shift__workstation__name"]
    date_hierarchy = "shift__date"
    autocomplete_fields = ["shift", "member", "substitute"]


@admin.register(DutyChange)
class DutyChangeAdmin(admin.ModelAdmin):
    """The record of attendance, leave and swaps: readable, never edited."""

    list_display = ["at", "kind", "assignment", "by", "detail"]
    list_filter = ["kind"]
    list_select_related = ["assignment__shift__workstation", "assignment__member", "by"]
    search_fields = ["assignment__member__name", "detail"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
