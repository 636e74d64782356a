"""Administrators see everything here; statuses, referrals and events change only
through `visits.lifecycle`, so those parts are read-only in admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin import ReadOnlyAdminMixin

from .lifecycle import Action, case_open
from .masking import mask_name, mask_phone
from .models import Case, CaseEvent, CaseNumberSequence, Referral, Visit


class CaseInline(admin.TabularInline):
    model = Case
    fields = ["number", "title", "category", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = [
        "visited_at",
        "workstation",
        "channel",
        "visitor",
        "masked_phone",
        "visitor_count",
    ]
    list_filter = ["channel", "workstation", "consent_to_publish"]
    list_select_related = ["workstation"]
    search_fields = ["summary", "cases__number"]
    date_hierarchy = "visited_at"
    autocomplete_fields = ["workstation", "receiving_members"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [CaseInline]

    @admin.display(description=_("visitor's name"))
    def visitor(self, visit: Visit) -> str:
        return mask_name(visit.visitor_name)

    @admin.display(description=_("visitor's phone"))
    def masked_phone(self, visit: Visit) -> str:
        return mask_phone(visit.visitor_phone)

    def save_model(self, request, obj: Visit, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ReferralInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Referral
    fields = ["department", "role", "state", "due_on", "sent_at", "replied_at", "reply"]
    readonly_fields = fields
    extra = 0


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "workstation",
        "category",
        "status",
        "next_due_on",
        "created_at",
    ]
    list_filter = ["status", "category", "workstation", "answered_on_spot", "satisfaction"]
    list_select_related = ["workstation"]
    search_fields = ["number", "title"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["workstation", "visit", "handling_members"]
    readonly_fields = [
        "number",
        "status",
        "satisfaction",
        "answered_on_spot",
        "merged_into",
        "next_due_on",
        "created_at",
        "resolved_at",
        "closed_at",
    ]
    inlines = [ReferralInline, CaseEventInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Nothing in the closed loop is ever dropped.
        return False

    def save_model(self, request, obj: Case, form, change: bool) -> None:
        if change:
            # Only what the form edits: a full save would write back the status and
            # deadline read when the request began, undoing a transition made meanwhile.
            fields = [f.name for f in obj._meta.concrete_fields if f.name in form.fields]
            obj.save(update_fields=[*fields, "updated_at"])
        else:
            case_open(case=obj, actor=request.user, action=Action.REGISTER)


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "department", "role", "state", "due_on", "sent_at", "replied_at"]
    list_filter = ["state", "role", "department"]
    list_select_related = ["case", "department"]
    search_fields = ["case__number", "department__name"]
    date_hierarchy = "sent_at"


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "case", "kind", "from_status", "to_status", "actor"]
    list_filter = ["kind", "to_status"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__number", "note"]
    date_hierarchy = "at"


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "last"]
