"""Administrators record and review activities and proposals here. The same rules as the
staff pages hold: an activity's organiser is staff of its workstations; a proposal's
co-signers never include its lead."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin

from .forms import ACTIVITY_FIELDS
from .models import Activity, CoSignature, Proposal
from .services import check_organiser


class ActivityAdminForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = [*ACTIVITY_FIELDS[:4], "organiser", *ACTIVITY_FIELDS[4:]]

    def clean(self) -> dict:
        cleaned = super().clean()
        organiser = cleaned.get("organiser")
        workstations = cleaned.get("workstations")
        if organiser is not None and workstations is not None:
            try:
                check_organiser(organiser, workstations)
            except ValidationError as error:
                self.add_error("organiser", error.message_dict["organiser"])
        return cleaned


@admin.register(Activity)
class ActivityAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ActivityAdminForm
    list_display = [
        "date",
        "title",
        "kind",
        "organiser",
        "suggestions_gathered",
        "amount",
        "is_published",
    ]
    list_filter = ["kind", "date", "is_published"]
    list_select_related = ["organiser"]
    search_fields = ["title", "description"]
    date_hierarchy = "date"
    autocomplete_fields = ["workstations", "participants"]
    readonly_fields = ["created_at"]

    def get_changeform_initial_data(self, request) -> dict:
        return {"organiser": request.user.pk, **super().get_changeform_initial_data(request)}


class CoSignatureFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # The model's own check cannot see the lead of a proposal not saved yet; a member
        # listed twice is refused by the formset's unique check above.
        lead_id = self.instance.lead_id
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            member = form.cleaned_data.get("member")
            if member is not None and member.pk == lead_id:
                form.add_error("member", gettext("The lead member cannot also be a co-signer."))


class CoSignatureInline(admin.TabularInline):
    model = CoSignature
    formset = CoSignatureFormSet
    fields = ["member", "invited_at", "signed_at"]
    autocomplete_fields = ["member"]
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "lead", "status", "submitted_on", "is_excellent", "is_adopted"]
    list_filter = ["kind", "status", "is_excellent"]
    list_select_related = ["lead"]
    search_fields = ["title", "lead__name"]
    date_hierarchy = "submitted_on"
    autocomplete_fields = ["lead", "activities", "merged_into", "lead_department", "co_departments"]
    readonly_fields = ["linked_cases", "created_at"]
    exclude = ["cases"]
    inlines = [CoSignatureInline]

    @admin.display(description=_("cases it grew from"))
    def linked_cases(self, proposal: Proposal) -> str:
        if proposal.pk is None:
            return "—"
        cases = proposal.cases.order_by("pk").only("number", "title")
        return (
            format_html_join(
                "、",
                '<a href="{}">{}</a> {}',
                (
                    (reverse("visits:case_detail", args=[c.number]), c.number, c.title)
                    for c in cases
                ),
            )
            or "—"
        )
