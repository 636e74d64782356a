"""Administrators see everything here; statuses, referrals and events change only
through `visits.lifecycle`, so those parts are read-only in admin."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from audit.denials import audit_denied
from audit.models import AuditAction
from audit.services import audit_record
from base.admin_tool_pages import tool_page
from workstations.people import PeopleAdminMixin, person_column

from . import access, lifecycle
from .lifecycle import Action, case_open
from .masking import mask_address, mask_id_number, mask_name, mask_phone, reveal_detail
from .models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Extension,
    Referral,
    Supervision,
    TimeLimit,
    Visit,
)
from .services import visit_save

# A visit's personal data, and the masks shown in its place once the visit is saved.
PERSONAL_FIELDS = ("visitor_name", "visitor_phone", "visitor_address", "visitor_id_number")
MASKS = ("visitor", "masked_phone", "masked_address", "masked_id_number")


class VisitContactForm(forms.ModelForm):
    class Meta:
        model = Visit
        fields = PERSONAL_FIELDS


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
class VisitAdmin(AuditedAdminMixin, admin.ModelAdmin):
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

    @admin.display(description=_("visitor's address"))
    def masked_address(self, visit: Visit) -> str:
        return mask_address(visit.visitor_address)

    @admin.display(description=_("visitor's ID number"))
    def masked_id_number(self, visit: Visit) -> str:
        return mask_id_number(visit.visitor_id_number)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(MASKS if obj else ())]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            # Adding a visit: the administrator types the contact details in.
            return fields
        # A saved visit's form leaves its personal data out: their masks stand in their
        # place, and the contact page shows and corrects them after an audited reveal.
        masks = dict(zip(PERSONAL_FIELDS, MASKS, strict=True))
        return [masks.get(name, name) for name in fields if name not in MASKS]

    def get_urls(self):
        contact = self.admin_site.admin_view(self.contact_view)
        return [
            path("<path:object_id>/contact/", contact, name="visits_visit_contact"),
            *super().get_urls(),
        ]

    def contact_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The visitor's contact details in full: shown on a POST that the audit log
        records, as the staff case page's reveal is, and corrected on that form."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        visit = self.get_object(request, unquote(object_id))
        if visit is None:
            raise Http404
        if not access.may_see_visit_personal_data(request.user, visit):
            audit_denied(request, f"visit {visit.pk}", "reveal of the visitor's contact details")
            raise PermissionDenied
        if "_save" in request.POST:
            if not self.has_change_permission(request, visit):
                raise PermissionDenied
            form = VisitContactForm(request.POST, instance=visit)
            if form.is_valid():
                with transaction.atomic():
                    form.save(commit=False).save(update_fields=PERSONAL_FIELDS)
                    self.log_change(
                        request, visit, self.construct_change_message(request, form, None)
                    )
                self.message_user(request, gettext("The visitor's contact details were saved."))
                return redirect(reverse("admin:visits_visit_change", args=[visit.pk]))
        else:
            audit_record(
                request,
                AuditAction.REVEAL,
                f"visit {visit.pk}",
                reveal_detail(visit),
            )
            form = VisitContactForm(instance=visit)
        return tool_page(
            self,
            request,
            "admin/visits/visit/contact.html",
            title=gettext("Visitor's contact details"),
            original=visit,
            form=form,
        )

    def save_model(self, request, obj: Visit, form, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        visit_save(obj)  # counted in the figures, or moved if its month or place changed


class ReferralInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Referral
    fields = ["department", "role", "state", "due_on", "sent_at", "replied_at", "reply"]
    readonly_fields = fields
    extra = 0


class CaseEventInline(PeopleAdminMixin, ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    people_fields = ("actor",)
    # A read-only field named here is looked up on the inline: static, so not bound to it.
    actor_column = staticmethod(person_column("actor", _("actor")))
    fields = ["at", "kind", "from_status", "to_status", "actor_column", "note"]
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(AuditedAdminMixin, admin.ModelAdmin):
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
    # A saved case is corrected, given members or transferred on its case page, through
    # the lifecycle (each change an event in its timeline); admin edits only the summary
    # the office may reword for publication.
    readonly_once_saved = [
        "corrections",
        "number",
        "title",
        "category",
        "description",
        "workstation",
        "visit",
        "handling_members",
        *readonly_fields[1:],
    ]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return self.readonly_fields if obj is None else self.readonly_once_saved

    def get_fields(self, request, obj=None) -> list[str]:
        if obj is None:
            return super().get_fields(request, obj)
        return [*self.readonly_once_saved, "public_summary"]

    @admin.display(description=_("corrections"))
    def corrections(self, obj: Case) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("desk:case_detail", args=[obj.number]),
            gettext("Correct, assign members or transfer on the case page"),
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        # Nothing in the closed loop is ever dropped.
        return False

    def audit_target(self, obj: Case) -> str:
        # As the staff pages' entries name a case: by its tracking number.
        return obj.number

    def save_model(self, request, obj: Case, form, change: bool) -> None:
        if change:
            # Only what the form edits: a full save would write back the status and
            # deadline read when the request began, undoing a transition made meanwhile.
            fields = [f.name for f in obj._meta.concrete_fields if f.name in form.fields]
            obj.save(update_fields=[*fields, "updated_at"])
        else:
            case_open(case=obj, actor=request.user, action=Action.REGISTER)


@admin.register(Referral)
class ReferralAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "department", "role", "state", "due_on", "sent_at", "replied_at"]
    list_filter = ["state", "role", "department"]
    list_select_related = ["case", "department"]
    search_fields = ["case__number", "department__name"]
    date_hierarchy = "sent_at"


@admin.register(CaseEvent)
class CaseEventAdmin(AuditedAdminMixin, PeopleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    people_fields = ("actor",)
    actor_column = person_column("actor", _("actor"))
    list_display = ["at", "case", "kind", "from_status", "to_status", actor_column]
    list_filter = ["kind", "to_status"]
    list_select_related = ["case", "actor"]
    search_fields = ["case__number", "note"]
    date_hierarchy = "at"


@admin.register(Extension)
class ExtensionAdmin(AuditedAdminMixin, PeopleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The departments' requests for more time: the office grants or refuses the waiting
    ones (the lifecycle writes the decision, the new reply date and the timeline)."""

    list_display = [
        "referral",
        "previous_due_on",
        "due_on",
        "reason",
        "state",
        person_column("requested_by", _("requested by")),
        "requested_at",
    ]
    list_filter = ["state"]
    list_select_related = ["referral__case", "referral__department", "requested_by"]
    people_fields = ("requested_by",)
    actions = ["grant", "refuse"]

    @admin.action(description=_("Grant the selected requests"), permissions=["view"])
    def grant(self, request, queryset) -> None:
        self._decide(request, queryset, grant=True)

    @admin.action(description=_("Refuse the selected requests"), permissions=["view"])
    def refuse(self, request, queryset) -> None:
        self._decide(request, queryset, grant=False)

    def _decide(self, request, queryset, *, grant: bool) -> None:
        decided = 0
        for extension in queryset:
            try:
                lifecycle.extension_decide(extension=extension, actor=request.user, grant=grant)
            except lifecycle.CaseError as refused:
                audit_denied(request, f"extension {extension.pk}", "decide: refused")
                self.message_user(request, f"{extension}: {refused}", messages.ERROR)
            else:
                decided += 1
        if decided:
            self.message_user(
                request,
                ngettext("%(count)d request decided.", "%(count)d requests decided.", decided)
                % {"count": decided},
                messages.SUCCESS,
            )


@admin.register(Supervision)
class SupervisionAdmin(AuditedAdminMixin, PeopleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The office's supervisions (督办单), for searching and filtering: they are opened on
    the office's supervision page and answered by the supervised (the lifecycle writes
    both), never edited here."""

    list_display = [
        "case",
        "referral",
        "level",
        "state",
        "due_on",
        person_column("opened_by", _("opened by")),
        "opened_at",
        "answered_at",
    ]
    list_filter = ["state", "level"]
    search_fields = ["case__number"]
    list_select_related = ["case", "referral__case", "referral__department", "opened_by"]
    people_fields = ("opened_by",)


@admin.register(TimeLimit)
class TimeLimitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The office's time limits per year. Changing one counts new due dates from then on;
    the dates already set stay as promised (the version says which limit counted them)."""

    list_display = ["year", "step", "category", "working_days", "version", "changed_at"]
    list_filter = ["year", "step", "category"]
    fields = ["year", "step", "category", "working_days", "version", "changed_at"]
    readonly_fields = ["version", "changed_at"]


@admin.register(CaseNumberSequence)
class CaseNumberSequenceAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["year", "last"]
