"""Administrators record and review activities and proposals here. The same rules as the
staff pages hold: an activity's organiser is staff of its workstations; a proposal's
co-signers never include its lead. A proposal's status and the office's decisions change
only through `activities.lifecycle`: read-only on its form, taken as steps (a small
form per step, or an action on the list), each refusal shown as a message."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin, ReadOnlyAdminMixin
from base.admin_tool_pages import tool_page
from workstations.people import PeopleAdminMixin, describe, person_column, prefetched

from . import lifecycle
from .forms import ACTIVITY_FIELDS
from .lifecycle import ProposalError, Step
from .models import Activity, CoSignature, Proposal, ProposalEvent
from .proposal_steps import STEP_FORMS
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
class ActivityAdmin(AuditedAdminMixin, PeopleAdminMixin, admin.ModelAdmin):
    form = ActivityAdminForm
    people_fields = ("organiser",)
    list_display = [
        "date",
        "title",
        "kind",
        person_column("organiser", _("organiser")),
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


# Written by the lifecycle's steps only.
DECISION_FIELDS = [
    "status",
    "submitted_on",
    "decided_on",
    "rejection_reason",
    "merged_into",
    "lead_department",
    "reply",
    "reply_class",
    "proposer_satisfaction",
    "is_excellent",
    "is_adopted",
]


@admin.register(Proposal)
class ProposalAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "lead", "status", "submitted_on", "is_excellent", "is_adopted"]
    list_filter = ["kind", "status", "is_excellent"]
    list_select_related = ["lead"]
    search_fields = ["title", "lead__name"]
    date_hierarchy = "submitted_on"
    autocomplete_fields = ["lead", "activities", "co_departments"]
    readonly_fields = ["linked_cases", "created_at", "review_steps", "timeline", *DECISION_FIELDS]
    exclude = ["cases"]
    inlines = [CoSignatureInline]
    actions = ["submit_drafts", "rate_excellent", "record_adoption"]

    @admin.display(description=_("cases it grew from"))
    def linked_cases(self, proposal: Proposal) -> str:
        if proposal.pk is None:
            return "—"
        cases = proposal.cases.order_by("pk").only("number", "title")
        return (
            format_html_join(
                "、",
                '<a href="{}">{}</a> {}',
                ((reverse("desk:case_detail", args=[c.number]), c.number, c.title) for c in cases),
            )
            or "—"
        )

    @admin.display(description=_("review steps"))
    def review_steps(self, proposal: Proposal) -> str:
        if proposal.pk is None:
            return "—"
        return (
            format_html_join(
                " · ",
                '<a href="{}">{}</a>',
                (
                    (self._step_url(proposal, step), Step(step).label)
                    for step in lifecycle.allowed_steps(proposal)
                ),
            )
            or "—"
        )

    @admin.display(description=_("timeline"))
    def timeline(self, proposal: Proposal) -> str:
        # Shown as text, not as an inline: the events are no form's rows, even read-only.
        events = (
            proposal.events.select_related("actor").prefetch_related(*prefetched("actor"))
            if proposal.pk
            else []
        )
        return (
            format_html_join(
                "",
                "<div>{} · {} · {} {}</div>",
                (
                    (
                        f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}",
                        e.get_step_display(),
                        describe(e.actor) or "—",
                        e.note,
                    )
                    for e in events
                ),
            )
            or "—"
        )

    def save_model(self, request, obj: Proposal, form, change: bool) -> None:
        if change:
            # Only what the form edits: a full save would write back the status read when
            # the request began, undoing a step taken meanwhile.
            fields = [f.name for f in obj._meta.concrete_fields if f.name in form.fields]
            obj.save(update_fields=fields)
        else:
            obj.save()

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_step"
        view = self.admin_site.admin_view(self.step_view)
        return [path("<path:object_id>/step/<str:step>/", view, name=name), *super().get_urls()]

    def _step_url(self, proposal: Proposal, step: str) -> str:
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}_step"
        return reverse(name, args=[proposal.pk, step])

    def step_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        """One step of the review: a form that calls its lifecycle function; a refusal is
        shown as a message and changes nothing."""
        proposal = self.get_object(request, object_id)
        if proposal is None or step not in STEP_FORMS:
            raise Http404
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        form = STEP_FORMS[step](request.POST or None, proposal=proposal)
        if request.method == "POST" and form.is_valid():
            try:
                form.perform(request.user)
            except ProposalError as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                self.log_change(request, proposal, form.label)
                self.message_user(
                    request, gettext("Saved: %(step)s") % {"step": form.label}, messages.SUCCESS
                )
                change = f"admin:{self.opts.app_label}_{self.opts.model_name}_change"
                return redirect(reverse(change, args=[proposal.pk]))
        return tool_page(
            self,
            request,
            "admin/activities/proposal/step.html",
            title=form.label,
            form=form,
            proposal=proposal,
        )

    def _take_step(self, request: HttpRequest, queryset: QuerySet, step: str) -> None:
        """Take a step that needs no input on each chosen proposal, through the lifecycle."""
        taken = 0
        for proposal in queryset.order_by("pk"):
            try:
                lifecycle.FUNCTIONS[step](proposal=proposal, actor=request.user)
            except ProposalError as refused:
                self.message_user(request, f"{proposal}: {refused}", messages.ERROR)
            else:
                self.log_change(request, proposal, str(Step(step).label))
                taken += 1
        if taken:
            self.message_user(
                request,
                gettext("%(step)s: %(count)d proposals.")
                % {"step": Step(step).label, "count": taken},
                messages.SUCCESS,
            )

    @admin.action(description=_("Submit the chosen drafts"), permissions=["change"])
    def submit_drafts(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._take_step(request, queryset, Step.SUBMIT)

    @admin.action(description=_("Rate the chosen proposals excellent"), permissions=["change"])
    def rate_excellent(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._take_step(request, queryset, Step.EXCELLENT)

    @admin.action(description=_("Record the chosen reports as adopted"), permissions=["change"])
    def record_adoption(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._take_step(request, queryset, Step.ADOPT)


@admin.register(ProposalEvent)
class ProposalEventAdmin(AuditedAdminMixin, PeopleAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    people_fields = ("actor",)
    actor_column = person_column("actor", _("actor"))
    list_display = ["at", "proposal", "step", "from_status", "to_status", actor_column]
    list_filter = ["step", "to_status"]
    list_select_related = ["proposal", "actor"]
    search_fields = ["proposal__title", "note"]
    date_hierarchy = "at"
