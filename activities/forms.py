"""Forms for the staff pages. Every choice a user can post is limited to their scope."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from base.forms import CHOOSE, StaffFormMixin
from members.models import Member
from visits.models import Case
from workstations.formfields import ModelMultipleChoiceField
from workstations.models import Workstation

from .models import Activity, ProposalKind


def active_members() -> QuerySet[Member]:
    return Member.objects.filter(is_active=True).order_by("home_workstation__ordering", "name")


# What an activity records, on the staff pages and (with its organiser) in admin.
ACTIVITY_FIELDS = [
    "kind",
    "title",
    "date",
    "workstations",
    "participants",
    "description",
    "suggestions_gathered",
    "amount",
    "is_published",
]


class ActivityForm(StaffFormMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = ACTIVITY_FIELDS
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "workstations": forms.CheckboxSelectMultiple,
            "participants": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {
            "workstations": ModelMultipleChoiceField,
            "participants": ModelMultipleChoiceField,
        }

    def __init__(self, *args, workstations: QuerySet[Workstation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstations"].queryset = workstations
        self.fields["participants"].queryset = active_members()
        self.fields["participants"].required = False
        if not self.is_bound and len(first := list(workstations[:2])) == 1:
            self.initial.setdefault("workstations", first)


class AttendanceForm(StaffFormMixin, forms.Form):
    participants = ModelMultipleChoiceField(
        label=_("Members who took part"),
        queryset=Member.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = active_members()


class ProposalDraftForm(StaffFormMixin, forms.Form):
    """Turn a case into a proposal draft or a public-opinion report."""

    prefix = "proposal"  # its fields share the case page with the lifecycle forms

    kind = forms.ChoiceField(label=_("Kind"), choices=ProposalKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    lead = forms.ModelChoiceField(
        label=_("Lead member"), queryset=Member.objects.none(), empty_label=CHOOSE
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["lead"].queryset = active_members()
        self.initial.setdefault("title", case.title)
        self.initial.setdefault("kind", ProposalKind.PROPOSAL)


def add_errors(form, error: ValidationError) -> None:
    """A service's ValidationError next to the fields it names, the rest at the top."""
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)
