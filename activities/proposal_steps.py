"""The forms through which the committee office takes each step of a proposal's review
in admin. Each knows the lifecycle function it calls and carries the status the user
saw, so a stale page is refused; choices (departments, merge targets) are limited to
what the step allows, so a forged id is a form error."""

from django import forms
from django.utils.translation import gettext_lazy as _

from visits.models import Satisfaction
from workstations.models import Department

from . import lifecycle
from .lifecycle import Step
from .models import Proposal, ProposalStatus, ReplyClass


def _note(label=None, required=False):
    return forms.CharField(
        label=label or _("Note"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StepForm(forms.Form):
    step: str = ""
    seen_status = forms.ChoiceField(choices=ProposalStatus.choices, widget=forms.HiddenInput)

    def __init__(self, *args, proposal: Proposal, **kwargs):
        self.proposal = proposal
        super().__init__(*args, **kwargs)
        self.initial.setdefault("seen_status", proposal.status)

    @property
    def label(self) -> str:
        return str(Step(self.step).label)

    def arguments(self) -> dict:
        """The step's own arguments, from the cleaned form."""
        return {"note": self.cleaned_data["note"]}

    def perform(self, actor) -> Proposal:
        return lifecycle.FUNCTIONS[self.step](
            proposal=self.proposal,
            actor=actor,
            seen_status=self.cleaned_data["seen_status"],
            **self.arguments(),
        )


class SubmitForm(StepForm):
    step = Step.SUBMIT
    note = _note()


class AcceptForm(StepForm):
    step = Step.ACCEPT
    lead_department = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=Department.objects.filter(is_active=True).order_by("name"),
        required=False,
    )
    note = _note()

    def arguments(self) -> dict:
        return {**super().arguments(), "lead_department": self.cleaned_data["lead_department"]}


class DeclineForm(StepForm):
    step = Step.DECLINE
    reason = _note(_("Reason not accepted (the member sees it)"), required=True)

    def arguments(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class MergeForm(StepForm):
    step = Step.MERGE
    into = forms.ModelChoiceField(label=_("Merge into"), queryset=Proposal.objects.none())
    note = _note()

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, proposal=proposal, **kwargs)
        self.fields["into"].queryset = (
            Proposal.objects.filter(status__in=(ProposalStatus.SUBMITTED, ProposalStatus.ACCEPTED))
            .exclude(pk=proposal.pk)
            .order_by("-submitted_on", "-pk")
        )

    def arguments(self) -> dict:
        return {**super().arguments(), "into": self.cleaned_data["into"]}


class ReplyForm(StepForm):
    step = Step.REPLY
    reply_class = forms.ChoiceField(label=_("Implementation class"), choices=ReplyClass.choices)
    reply = _note(_("Reply"), required=True)

    def arguments(self) -> dict:
        return {
            "reply": self.cleaned_data["reply"],
            "reply_class": self.cleaned_data["reply_class"],
        }


class SatisfactionForm(StepForm):
    step = Step.SATISFACTION
    satisfaction = forms.ChoiceField(
        label=_("Proposer's satisfaction"), choices=Satisfaction.choices
    )
    note = _note()

    def arguments(self) -> dict:
        return {**super().arguments(), "satisfaction": self.cleaned_data["satisfaction"]}


class ExcellentForm(StepForm):
    step = Step.EXCELLENT
    note = _note()


class AdoptForm(StepForm):
    step = Step.ADOPT
    note = _note()


STEP_FORMS: dict[str, type[StepForm]] = {
    form.step: form
    for form in (
        SubmitForm,
        AcceptForm,
        DeclineForm,
        MergeForm,
        ReplyForm,
        SatisfactionForm,
        ExcellentForm,
        AdoptForm,
    )
}
