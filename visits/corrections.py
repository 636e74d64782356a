"""The forms through which staff correct a case from its page: its details, its handling
members, its workstation. Like the step forms (`actions.py`) each carries the status the
user saw and calls one lifecycle function; the choices are limited to what may be picked,
so a forged id is an error next to the field."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from members.models import Member
from workstations.formfields import ModelMultipleChoiceField
from workstations.models import Workstation

from . import lifecycle
from .actions import ActionForm
from .lifecycle import Correction
from .models import Case, CaseCategory


class CorrectionForm(ActionForm):
    @property
    def action_label(self) -> str:
        return Correction(self.action).label

    @property
    def done_label(self) -> str:
        return self.action_label

    @classmethod
    def is_available(cls, case: Case) -> bool:
        return lifecycle.can_correct(case)


def _field(name: str, **kwargs) -> forms.Field:
    return Case._meta.get_field(name).formfield(**kwargs)


class EditForm(CorrectionForm):
    action = Correction.EDIT
    title = _field("title")
    category = forms.ChoiceField(label=_("Category"), choices=CaseCategory.choices)
    description = _field("description", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "category", "description"):
            self.initial.setdefault(name, getattr(self.case, name))

    def perform(self, actor):
        data = self.cleaned_data
        return lifecycle.case_edit(
            case=self.case,
            actor=actor,
            title=data["title"],
            category=data["category"],
            description=data["description"],
            seen_status=self.status_seen,
        )


def assignable_members(case: Case) -> QuerySet[Member]:
    """Who may be given the case: the active members of its workstation and of the visit
    that raised it, and those handling it already (so that they can be kept)."""
    return (
        Member.objects.filter(
            Q(is_active=True, home_workstation=case.workstation_id)
            | Q(is_active=True, visits_received=case.visit_id)
            | Q(cases_handled=case)
        )
        .distinct()
        .order_by("name", "pk")
    )


class AssignForm(CorrectionForm):
    action = Correction.ASSIGN
    members = ModelMultipleChoiceField(
        label=_("Handling members"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The members chosen see the case and record consultations on it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = assignable_members(self.case)
        self.initial.setdefault("members", self.case.handling_members.all())

    def perform(self, actor):
        return lifecycle.case_assign(
            case=self.case,
            actor=actor,
            members=self.cleaned_data["members"],
            seen_status=self.status_seen,
        )


class TransferForm(CorrectionForm):
    action = Correction.TRANSFER
    workstation = forms.ModelChoiceField(
        label=_("To the workstation"), queryset=Workstation.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason for the transfer"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Its staff see the case at once; this workstation's staff no longer do. "
            "The citizen sees the new workstation, not the reason."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstation"].queryset = Workstation.objects.filter(is_active=True).exclude(
            pk=self.case.workstation_id
        )

    def perform(self, actor):
        return lifecycle.case_transfer(
            case=self.case,
            actor=actor,
            workstation=self.cleaned_data["workstation"],
            reason=self.cleaned_data["reason"],
            seen_status=self.status_seen,
        )


# In the order the case page offers them.
CORRECTION_FORMS: dict[str, type[CorrectionForm]] = {
    form.action: form for form in (EditForm, AssignForm, TransferForm)
}
