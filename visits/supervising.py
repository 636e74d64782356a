"""The forms of the district office's supervision (督办) and of what it shares with a
department, and the supervised side's answer. Each calls its lifecycle step; the views
take them through `visits.actions.take_step` like the case's own steps."""

from contextlib import suppress

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from base.forms import StaffFormMixin
from workdays.calendar import CalendarMissing, DueDateError, add_working_days, check_due_date
from workstations.validators import no_contact_details

from . import access, lifecycle
from .actions import note_field
from .models import Case, Referral, Supervision, SupervisionLevel

# What the office usually gives the supervised to answer, in working days.
ANSWER_WITHIN_WORKING_DAYS = 3


class SupervisionOpenForm(StaffFormMixin, forms.Form):
    """The office's 督办单: a level, a working day to answer by and what it asks for."""

    level = forms.ChoiceField(label=_("Level"), choices=SupervisionLevel.choices)
    due_on = forms.DateField(
        label=_("Answer by"),
        # The format an <input type=date> reads, whatever the language's date format.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # The department reads it: no citizen's contact details in it.
    note = forms.CharField(
        label=_("What the office asks for"),
        max_length=Supervision._meta.get_field("note").max_length,
        validators=[no_contact_details],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case: Case, referral: Referral | None = None, **kwargs):
        self.case, self.referral = case, referral
        super().__init__(*args, **kwargs)
        # In a year the calendar does not know, the office chooses the day itself.
        with suppress(CalendarMissing):
            self.initial.setdefault(
                "due_on", add_working_days(timezone.localdate(), ANSWER_WITHIN_WORKING_DAYS)
            )

    done_label = _("Supervision opened")

    def clean_due_on(self):
        due_on = self.cleaned_data["due_on"]
        try:
            check_due_date(due_on)
        except DueDateError as refused:
            raise forms.ValidationError(str(refused)) from refused
        return due_on

    def perform(self, actor) -> Supervision:
        return lifecycle.supervision_open(
            case=self.case,
            referral=self.referral,
            actor=actor,
            level=self.cleaned_data["level"],
            due_on=self.cleaned_data["due_on"],
            note=self.cleaned_data["note"],
        )


class SupervisionAnswerForm(StaffFormMixin, forms.Form):
    """The supervised department's or workstation's answer to the office."""

    answer = note_field(_("Our answer to the office"))

    def __init__(self, *args, supervision: Supervision, **kwargs):
        self.supervision = supervision
        super().__init__(*args, **kwargs)
        self.prefix = f"supervision-{supervision.pk}"

    done_label = _("Supervision answered")

    def perform(self, actor) -> Supervision:
        return lifecycle.supervision_answer(
            supervision=self.supervision, actor=actor, answer=self.cleaned_data["answer"]
        )


class ContactShareForm(StaffFormMixin, forms.Form):
    """The office records why a department needs the citizen's contact details."""

    reason = forms.CharField(
        label=_("Why the department needs the citizen's contact details"),
        max_length=Referral._meta.get_field("contact_share_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, referral: Referral, **kwargs):
        self.referral = referral
        super().__init__(*args, **kwargs)
        self.prefix = f"share-{referral.pk}"

    done_label = _("Contact details shared with the department")

    def perform(self, actor) -> Referral:
        return lifecycle.referral_share_contact(
            referral=self.referral, actor=actor, reason=self.cleaned_data["reason"]
        )


def answer_entries(user, supervisions, *, url, bound: SupervisionAnswerForm | None = None):
    """Each supervision with the answer form `user` may send to the office (or None),
    posted to `url(supervision)`; `bound` is the one refused on this request."""
    entries = []
    for supervision in supervisions:
        form = None
        if bound is not None and bound.supervision.pk == supervision.pk:
            form = bound
        elif supervision.is_open and access.may_answer_supervision(user, supervision):
            form = SupervisionAnswerForm(supervision=supervision)
        if form is not None:
            form.url = url(supervision)
        entries.append((supervision, form))
    return entries
