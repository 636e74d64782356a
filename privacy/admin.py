"""Citizens' personal information requests, recorded and handled by the district office.
A request is added here; its steps go through `privacy.lifecycle` on pages of their own
(confirm, then act), never by editing the row. The phone is masked on every page; an
access request's file is downloaded on a POST that the audit log records."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin
from audit.models import AuditAction
from audit.services import audit_record
from base.admin_tool_pages import tool_page
from visits.masking import mask_phone

from . import access, lifecycle
from .holdings import counts_of, holdings_of, holdings_zip
from .lifecycle import Action, DataRequestError
from .models import DataRequest, RequestKind

ADDED_FIELDS = ["kind", "phone", "asked", "received_on"]
SHOWN_FIELDS = [
    "kind", "masked_phone", "asked", "received_on", "records_held", "status", "outcome",
    "handled_by", "closed_on", "next_steps",
]  # fmt: skip


class StepForm(forms.Form):
    action: str = ""

    def __init__(self, *args, data_request: DataRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_request = data_request

    @property
    def label(self) -> str:
        return str(Action(self.action).label)

    def perform(self, user, request: HttpRequest) -> DataRequest:
        return lifecycle.request_start(data_request=self.data_request, actor=user, request=request)


class CompleteForm(StepForm):
    action = Action.COMPLETE
    outcome = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_(
            "A correction: what was corrected (required). A deletion anonymises the "
            "number's closed cases."
        ),
    )

    def perform(self, user, request: HttpRequest) -> DataRequest:
        return lifecycle.request_complete(
            data_request=self.data_request,
            actor=user,
            outcome=self.cleaned_data["outcome"],
            request=request,
        )


class RefuseForm(StepForm):
    action = Action.REFUSE
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )

    def perform(self, user, request: HttpRequest) -> DataRequest:
        return lifecycle.request_refuse(
            data_request=self.data_request,
            actor=user,
            reason=self.cleaned_data["reason"],
            request=request,
        )


class StartForm(StepForm):
    action = Action.START


STEP_FORMS: dict[str, type[StepForm]] = {
    form.action: form for form in (StartForm, CompleteForm, RefuseForm)
}


@admin.register(DataRequest)
class DataRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["received_on", "kind", "masked_phone", "status", "handled_by", "closed_on"]
    list_filter = ["kind", "status"]
    list_select_related = ["handled_by"]
    date_hierarchy = "received_on"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return access.may_handle_requests(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return access.may_handle_requests(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.may_handle_requests(request.user)

    # Its steps go through the lifecycle (step_view); nothing is edited or deleted.
    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        return SHOWN_FIELDS if obj else ADDED_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return SHOWN_FIELDS if obj else []

    @admin.display(description=_("phone number"))
    def masked_phone(self, data_request: DataRequest) -> str:
        return mask_phone(data_request.phone)

    @admin.display(description=_("records held about the number"))
    def records_held(self, data_request: DataRequest) -> str:
        counts = counts_of(data_request.phone)
        if not any(counts.values()):
            return gettext("No records are held about this number.")
        text = gettext("%(visits)d visits, %(cases)d cases, %(messages)d messages") % counts
        url = reverse("admin:privacy_datarequest_holdings", args=[data_request.pk])
        return format_html('{} · <a href="{}">{}</a>', text, url, gettext("Download the file"))

    @admin.display(description=_("next steps"))
    def next_steps(self, data_request: DataRequest) -> str:
        steps = [s for s, moves in lifecycle.TRANSITIONS.items() if data_request.status in moves]
        links = (
            (reverse("admin:privacy_datarequest_step", args=[data_request.pk, s]), Action(s).label)
            for s in steps
        )
        return format_html_join(" · ", '<a href="{}">{}</a>', links) or "—"

    def save_model(self, request, obj: DataRequest, form, change: bool) -> None:
        lifecycle.request_record(data_request=obj)

    def get_urls(self):
        step = self.admin_site.admin_view(self.step_view)
        holdings = self.admin_site.admin_view(self.holdings_view)
        return [
            path("<int:object_id>/step/<str:step>/", step, name="privacy_datarequest_step"),
            path("<int:object_id>/holdings/", holdings, name="privacy_datarequest_holdings"),
            *super().get_urls(),
        ]

    def _request_or_404(self, request: HttpRequest, object_id: int) -> DataRequest:
        if not access.may_handle_requests(request.user):
            raise PermissionDenied
        data_request = DataRequest.objects.filter(pk=object_id).first()
        if data_request is None:
            raise Http404
        return data_request

    def step_view(self, request: HttpRequest, object_id: int, step: str) -> HttpResponse:
        """One step: its form on GET, the lifecycle on POST; a refusal is shown beside the
        form and changes nothing."""
        data_request = self._request_or_404(request, object_id)
        if step not in STEP_FORMS:
            raise Http404
        # A step without fields posts nothing but its token: bound all the same.
        data = request.POST if request.method == "POST" else None
        form = STEP_FORMS[step](data, data_request=data_request)
        if request.method == "POST" and form.is_valid():
            try:
                form.perform(request.user, request)
            except DataRequestError as refused:
                field = "outcome" if data_request.kind == RequestKind.CORRECTION else None
                form.add_error(field if step == Action.COMPLETE else None, refused.message)
            else:
                self.message_user(request, gettext("Saved: %(step)s") % {"step": form.label})
                return redirect(reverse("admin:privacy_datarequest_change", args=[object_id]))
        return tool_page(
            self,
            request,
            "admin/privacy/datarequest/step.html",
            title=form.label,
            form=form,
            data_request=data_request,
            masked_phone=mask_phone(data_request.phone),
        )

    def holdings_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Everything held about the request's number: a page that says what there is
        (or that there is nothing) on GET, the file on POST, audited."""
        data_request = self._request_or_404(request, object_id)
        counts = counts_of(data_request.phone)
        if request.method == "POST" and any(counts.values()):
            audit_record(
                request, AuditAction.EXPORT, f"datarequest {data_request.pk}",
                "holdings of the request's number: {visits} visits, {cases} cases, "
                "{messages} messages".format(**counts),
            )  # fmt: skip
            name = f"personal-data-{data_request.pk}-{timezone.localdate():%Y%m%d}.zip"
            response = HttpResponse(
                holdings_zip(holdings_of(data_request.phone)), content_type="application/zip"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        if request.method == "POST":
            messages.info(request, gettext("No records are held about this number."))
        return tool_page(
            self,
            request,
            "admin/privacy/datarequest/holdings.html",
            title=gettext("Records held about the number"),
            data_request=data_request,
            masked_phone=mask_phone(data_request.phone),
            counts=counts,
            empty=not any(counts.values()),
        )
