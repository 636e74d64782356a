"""The forms through which staff take each lifecycle step on a case page.

Each form knows which lifecycle function it calls; the view stays the same for
all of them. Choices (referrals, departments, target cases) are limited to what
the case and the user allow, so a forged id is a form error.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from audit.denials import audit_denied
from audit.models import AuditAction
from audit.services import audit_record
from base.forms import StaffFormMixin
from workdays.calendar import CalendarGap, DueDateError, calendar_gaps, check_due_date
from workstations.models import Department
from workstations.validators import no_contact_details

from . import lifecycle
from .lifecycle import Action
from .models import Case, CaseStatus, ExtensionState, Referral, ReferralRole, Satisfaction

NOTE_MAX = 4000


def note_field(label=None, required=True):
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _confirm(label) -> forms.BooleanField:
    """The box a destructive step asks to tick: the server refuses the step without it."""
    return forms.BooleanField(
        label=label,
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ActionForm(StaffFormMixin, forms.Form):
    """Base: carries the status the user saw, so a stale page is refused."""

    action: str = ""
    seen_status = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)

    def __init__(self, *args, case: Case, user=None, **kwargs):
        self.case, self.user = case, user
        super().__init__(*args, **kwargs)
        self.initial.setdefault("seen_status", case.status)
        self.prefix = self.action

    label = None  # a form that serves more than one lifecycle action names itself
    # What the user should know of the working-day calendar before taking the step.
    calendar_gaps: tuple = ()

    @property
    def action_label(self) -> str:
        return self.label or Action(self.action).label

    @property
    def destructive(self) -> bool:
        """A step that ends the case unresolved: set apart on the page, confirmed first."""
        return self.action in lifecycle.DESTRUCTIVE

    done_text = None  # a page that names the step in its own words says so

    @property
    def done_label(self) -> str:
        """The step taken, once performed: what the confirmation message names."""
        return self.done_text or Action(self.action).label

    @classmethod
    def is_available(cls, case: Case) -> bool:
        """Whether this step makes sense now (the lifecycle table plus its guards)."""
        return lifecycle.can(case, cls.action)

    @property
    def status_seen(self) -> str:
        """The status the user saw: the lifecycle refuses the step if the case moved since."""
        return self.cleaned_data["seen_status"]

    def perform(self, actor):
        raise NotImplementedError


class AcceptForm(ActionForm):
    action = Action.ACCEPT
    note = note_field(required=False)

    def perform(self, actor):
        return lifecycle.case_accept(
            case=self.case,
            actor=actor,
            note=self.cleaned_data["note"],
            seen_status=self.status_seen,
        )


class ConsultForm(ActionForm):
    action = Action.CONSULT
    METHODS = [
        ("micro", _("Micro-consultation (微协商)")),
        ("please_come", _("“Please come and consult” (请你来协商)")),
        ("mediation", _("Mediation")),
        ("legal", _("Direct channel to the legal authorities (政法直通车)")),
        ("advice", _("Policy or legal advice")),
    ]
    method = forms.ChoiceField(label=_("Form"), choices=METHODS)
    note = note_field(_("Who took part and what was agreed"))

    def perform(self, actor):
        # The timeline is kept in the office's language, whoever wrote the entry.
        with translation.override(settings.LANGUAGE_CODE):
            method = str(dict(self.METHODS)[self.cleaned_data["method"]])
        return lifecycle.case_consult(
            case=self.case,
            actor=actor,
            note=f"{method}：{self.cleaned_data['note']}",
            seen_status=self.status_seen,
        )


class ReferForm(ActionForm):
    action = Action.REFER
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=ReferralRole.choices)
    due_on = forms.DateField(
        label=_("Reply due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for the standard number of working days."),
    )
    note = note_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.initial.setdefault(
            "role",
            ReferralRole.CO
            if lifecycle.lead_among(self.case, self.case.referrals_in_order)
            else ReferralRole.LEAD,
        )

    @cached_property
    def calendar_gaps(self) -> list[CalendarGap]:
        # The reply is counted in working days, up to a year ahead.
        return calendar_gaps()

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        if due_on is not None:
            try:
                check_due_date(due_on)
            except DueDateError as error:
                raise forms.ValidationError(str(error)) from error
        return due_on

    def perform(self, actor):
        data = self.cleaned_data
        return lifecycle.case_refer(
            case=self.case,
            actor=actor,
            department=data["department"],
            role=data["role"],
            due_on=data["due_on"],
            note=data["note"],
            seen_status=self.status_seen,
        )


class _ReferralForm(ActionForm):
    """A step on one of the case's open referrals."""

    referral = forms.ModelChoiceField(label=_("Referral"), queryset=Referral.objects.none())
    open_states: tuple = Referral.State.SENT, Referral.State.ACKNOWLEDGED

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["referral"]
        field.queryset = self.case.referrals.filter(state__in=self.open_states)  # to validate
        # Offered from the referrals the page read once, not a query per form.
        field.choices = [
            ("", field.empty_label),
            *(
                (r.pk, f"{r.department}（{r.get_role_display()}，{r.get_state_display()}）")
                for r in self.open_referrals(self.case)
            ),
        ]

    @classmethod
    def open_referrals(cls, case: Case) -> list[Referral]:
        return [r for r in case.referrals_in_order if r.state in cls.open_states]

    @classmethod
    def is_available(cls, case: Case) -> bool:
        return lifecycle.can(case, cls.action) and bool(cls.open_referrals(case))


class AcknowledgeForm(_ReferralForm):
    action = Action.ACKNOWLEDGE
    open_states = (Referral.State.SENT,)

    def perform(self, actor):
        return lifecycle.referral_acknowledge(
            referral=self.cleaned_data["referral"], actor=actor, seen_status=self.status_seen
        )


class ReplyForm(_ReferralForm):
    """The lead's reply (the case moves to 'replied') or a co-handling department's."""

    action = Action.REPLY
    label = _("Record a department's reply")
    reply = note_field(_("The department's reply"))

    @classmethod
    def is_available(cls, case: Case) -> bool:
        return (lifecycle.can(case, Action.REPLY) or lifecycle.can(case, Action.CO_REPLY)) and bool(
            cls.open_referrals(case)
        )

    def perform(self, actor):
        return lifecycle.referral_reply(
            referral=self.cleaned_data["referral"],
            actor=actor,
            reply=self.cleaned_data["reply"],
            seen_status=self.status_seen,
        )


class ReturnForm(_ReferralForm):
    action = Action.RETURN
    reason = note_field(_("Reason given by the department"))

    def perform(self, actor):
        return lifecycle.referral_return(
            referral=self.cleaned_data["referral"],
            actor=actor,
            reason=self.cleaned_data["reason"],
            seen_status=self.status_seen,
        )


class ExtendForm(_ReferralForm):
    """A department asks for a later reply date (延期), for the office to grant."""

    action = lifecycle.EXTEND
    label = _("Ask for more time (延期)")
    due_on = forms.DateField(
        label=_("New reply date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = note_field(_("Why the department needs more time"))

    @property
    def done_label(self) -> str:
        return _("Asked for more time: the office decides")

    @classmethod
    def is_available(cls, case: Case) -> bool:
        return bool(cls.open_referrals(case))

    @staticmethod
    def waiting(referral: Referral) -> bool:
        """Whether a request for this referral already waits for the office."""
        return referral.extensions.filter(state=ExtensionState.PENDING).exists()

    def clean(self):
        cleaned = super().clean()
        referral, due_on = cleaned.get("referral"), cleaned.get("due_on")
        if referral and due_on:
            try:
                lifecycle.check_extension_date(referral, due_on, today=timezone.localdate())
            except lifecycle.CaseError as refused:
                self.add_error("due_on", str(refused))
        return cleaned

    def perform(self, actor):
        return lifecycle.extension_request(
            referral=self.cleaned_data["referral"],
            actor=actor,
            due_on=self.cleaned_data["due_on"],
            reason=self.cleaned_data["reason"],
        )


class ResolveForm(ActionForm):
    action = Action.RESOLVE
    note = note_field(_("How it was resolved"))
    public_summary = Case._meta.get_field("public_summary").formfield(
        widget=forms.TextInput(attrs={"maxlength": 200}), validators=[no_contact_details]
    )

    def perform(self, actor):
        return lifecycle.case_resolve(
            case=self.case,
            actor=actor,
            note=self.cleaned_data["note"],
            public_summary=self.cleaned_data["public_summary"],
            seen_status=self.status_seen,
        )


class FollowUpForm(ActionForm):
    """Closes the case, or reopens it when the citizen is unsatisfied (重办)."""

    action = Action.CLOSE
    label = _("Follow up with the citizen")
    satisfaction = forms.ChoiceField(
        label=_("Citizen's satisfaction"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Satisfied or basically satisfied closes the case and cancels any referral still "
            "awaiting a reply; unsatisfied reopens it for redoing (重办)."
        ),
    )
    note = note_field(_("What the citizen said"), required=False)

    @property
    def done_label(self) -> str:
        # Unsatisfied is not a closing: the case went back for redoing.
        return Action(lifecycle.follow_up_action(self.cleaned_data["satisfaction"])).label

    def perform(self, actor):
        return lifecycle.case_follow_up(
            case=self.case,
            actor=actor,
            satisfaction=self.cleaned_data["satisfaction"],
            note=self.cleaned_data["note"],
            seen_status=self.status_seen,
        )


class MergeForm(ActionForm):
    action = Action.MERGE
    into = forms.CharField(label=_("Tracking number of the case it duplicates"), max_length=20)
    note = note_field(required=False)
    confirm = _confirm(_("Merge this case into the other one: it ends here as a duplicate."))

    def clean_into(self):
        from .access import cases_for_user

        number = self.cleaned_data["into"].strip().upper()
        target = cases_for_user(self.user).filter(number=number).first()
        if target is None:
            raise forms.ValidationError(_("No case of yours has this tracking number."))
        return target

    def perform(self, actor):
        return lifecycle.case_merge(
            case=self.case,
            actor=actor,
            into=self.cleaned_data["into"],
            note=self.cleaned_data["note"],
            seen_status=self.status_seen,
        )


class RejectForm(ActionForm):
    action = Action.REJECT
    reason = note_field(_("Reason, as told to the citizen"))
    confirm = _confirm(_("Do not accept this case: it ends here."))

    def perform(self, actor):
        return lifecycle.case_reject(
            case=self.case,
            actor=actor,
            reason=self.cleaned_data["reason"],
            seen_status=self.status_seen,
        )


class WithdrawForm(ActionForm):
    action = Action.WITHDRAW
    note = note_field(_("Why the citizen withdraws"), required=False)
    confirm = _confirm(_("The citizen asked to withdraw this case."))

    def perform(self, actor):
        return lifecycle.case_withdraw(
            case=self.case,
            actor=actor,
            note=self.cleaned_data["note"],
            seen_status=self.status_seen,
        )


class NoteForm(ActionForm):
    action = Action.NOTE
    note = note_field()
    for_departments = forms.BooleanField(
        label=_("Show this note to the departments the case is referred to"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("for_departments") and cleaned.get("note"):
            try:
                no_contact_details(cleaned["note"])
            except forms.ValidationError as refused:
                self.add_error("note", refused)
        return cleaned

    def perform(self, actor):
        return lifecycle.case_note(
            case=self.case,
            actor=actor,
            note=self.cleaned_data["note"],
            for_departments=self.cleaned_data["for_departments"],
            seen_status=self.status_seen,
        )


# In the order the case page offers them.
ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AcceptForm,
        ConsultForm,
        ReferForm,
        AcknowledgeForm,
        ReplyForm,
        ReturnForm,
        ResolveForm,
        FollowUpForm,
        MergeForm,
        RejectForm,
        WithdrawForm,
        NoteForm,
    )
}


def take_step(request: HttpRequest, case: Case, form, name: str) -> bool:
    """Take the valid form's step or correction through the lifecycle, then read the case
    again. Done: audited under `name`, a message that says so, True. Refused: the reason
    on the form, False, nothing changed but the refusal's line in the audit log.

    The form passes the status the user saw; the lifecycle compares it with the locked
    row, so a page left open while someone else acted is refused."""
    try:
        form.perform(request.user)
    except lifecycle.CaseError as error:
        # The lifecycle's transaction is rolled back by now: this row stays.
        audit_denied(request, case.number, f"{name}: refused")
        form.add_error(None, str(error))
        case.refresh_from_db()
        return False
    case.refresh_from_db()
    audit_record(request, AuditAction.TRANSITION, case.number, name)
    messages.success(request, gettext_now("Saved: %(action)s") % {"action": form.done_label})
    return True
