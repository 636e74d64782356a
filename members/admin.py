from django.contrib import admin
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin

from .models import (
    ActivityGroup,
    Member,
    Sector,
)
from .services import member_calendar_token_renew


@admin.register(Sector)
class SectorAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "ordering"]
    list_editable = ["ordering"]
    search_fields = ["name"]


@admin.register(ActivityGroup)
class ActivityGroupAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(Member)
class MemberAdmin(AuditedAdminMixin, admin.ModelAdmin):
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

    actions = ["renew_calendar_token"]

    @admin.action(description=_("Renew calendar feed address"), permissions=["change"])
    def renew_calendar_token(self, request, queryset) -> None:
        """Revoke the members' calendar feed addresses: the old ones stop working at once."""
        for member in queryset:
            member_calendar_token_renew(member)
            self.log_change(request, member, gettext("Renewed the calendar feed address."))
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d calendar feed address renewed; the old one no longer works.",
                "%(count)d calendar feed addresses renewed; the old ones no longer work.",
                count,
            )
            % {"count": count},
        )
