"""Forms for staff pages. Every choice a user can post is limited to their scope."""

import uuid
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case as DbCase
from django.db.models import Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from base.forms import CHOOSE, StaffFormMixin, StaffFormSet
from members.models import Member
from rosters.models import DutyShift
from workstations.formfields import ModelMultipleChoiceField

from .models import Case, CaseCategory, CaseStatus, Satisfaction, Visit
from .services import Issue


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        # The form field has already turned the value into naive local time.
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class VisitForm(StaffFormMixin, forms.ModelForm):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)

    class Meta:
        model = Visit
        fields = [
            "workstation",
            "visited_at",
            "channel",
            "receiving_members",
            "visitor_name",
            "visitor_phone",
            "visitor_address",
            # Optional, and on this staff form only: the public form never asks for it.
            "visitor_id_number",
            "visitor_count",
            "consent_to_publish",
            "sms_consent",
            "summary",
        ]
        widgets = {
            "visited_at": DateTimeLocalInput(),
            "receiving_members": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "visitor_phone": forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        }
        field_classes = {"receiving_members": ModelMultipleChoiceField}

    def __init__(self, *args, workstations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workstation"].queryset = workstations
        self.fields["visited_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        if not self.is_bound:
            self.initial.setdefault("submission_id", uuid.uuid4())
            self.initial.setdefault("visited_at", timezone.now())
            first_two = list(workstations[:2])
            if len(first_two) == 1:
                self.initial.setdefault("workstation", first_two[0])
        members = self.fields["receiving_members"]
        members.queryset = _members_on_duty_first(workstations)
        members.required = False
        members.label_from_instance = lambda m: (
            _("%(name)s (on duty)") % {"name": m.name} if m.off_duty == 0 else m.name
        )
        if not self.is_bound:
            # Those on duty now are the ones most likely receiving the citizen.
            self.initial.setdefault(
                "receiving_members", [m.pk for m in members.queryset if m.off_duty == 0]
            )

    def clean_visited_at(self):
        visited_at = self.cleaned_data["visited_at"]
        if visited_at > timezone.now() + timedelta(minutes=5):
            raise ValidationError(_("A visit cannot be in the future."))
        return visited_at


def _members_on_duty_first(workstations):
    """The members staff may pick: those of these workstations and those on duty
    there now, the ones on duty first."""
    now = timezone.localtime()
    on_duty = DutyShift.objects.filter(
        workstation__in=workstations,
        date=now.date(),
        starts_at__lte=now.time(),
        ends_at__gte=now.time(),
    ).values("members")
    return (
        Member.objects.filter(is_active=True)
        .filter(Q(home_workstation__in=workstations) | Q(pk__in=on_duty))
        .annotate(off_duty=DbCase(When(pk__in=on_duty, then=Value(0)), default=Value(1)))
        .order_by("off_duty", "name", "pk")
    )


# Shown beside the answer and the satisfaction of every issue on the visit form.
ON_THE_SPOT_RULE = _(
    "Only if the issue was answered at once: write down the answer and ask the citizen "
    "whether they are satisfied; the issue is then recorded as answered on the spot. "
    "Leave both empty to follow the issue as a case, and also when the citizen is not "
    "satisfied with the answer."
)


class IssueForm(StaffFormMixin, forms.Form):
    """One issue raised by the visit. Answered on the spot when an answer is given: then
    the citizen's satisfaction is asked, and an unsatisfied citizen's issue is followed as
    a case instead (the rule the visit form shows beside the two fields, ON_THE_SPOT_RULE)."""

    title = forms.CharField(
        label=_("Issue in brief"), max_length=Case._meta.get_field("title").max_length
    )
    # A blank first choice, so that an untouched optional issue block stays empty.
    category = forms.ChoiceField(label=_("Category"), choices=[("", CHOOSE), *CaseCategory.choices])
    description = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    answer = forms.CharField(
        label=_("The answer given"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    satisfaction = forms.ChoiceField(
        label=_("Citizen's satisfaction with the answer"),
        required=False,
        choices=[("", CHOOSE), *Satisfaction.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Both fields are read with the rule beside them (ON_THE_SPOT_RULE).
        for name in ("answer", "satisfaction"):
            self.fields[name].widget.attrs["aria-describedby"] = self.rule_id

    @property
    def rule_id(self) -> str:
        return f"{self.prefix}-on-the-spot-rule"

    @property
    def on_the_spot_rule(self) -> str:
        return ON_THE_SPOT_RULE

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer", "").strip():
            satisfaction = cleaned.get("satisfaction")
            if not satisfaction:
                self.add_error(
                    "satisfaction", _("Ask the citizen how satisfied they are with the answer.")
                )
            elif satisfaction == Satisfaction.UNSATISFIED:
                self.add_error(
                    "satisfaction",
                    _("An unsatisfied citizen's issue is followed as a case: clear the answer."),
                )
        elif cleaned.get("satisfaction"):
            self.add_error("answer", _("Write down the answer given on the spot."))
        return cleaned

    def issue(self, handling_members) -> Issue:
        data = self.cleaned_data
        return Issue(
            title=data["title"],
            category=data["category"],
            description=data["description"],
            answer=data["answer"],
            satisfaction=data["satisfaction"],
            handling_members=list(handling_members),
        )


class BaseIssueFormSet(StaffFormSet):
    default_error_messages = {
        "too_few_forms": _("Record at least one issue the citizen raised."),
        "too_many_forms": _(
            "A visit records at most %(num)d issues: log the others as another visit."
        ),
    }

    def item_label(self, index: int) -> str:
        return gettext("Issue %(n)s") % {"n": index + 1}


# Without JavaScript the form offers one issue and two optional ones; the visit form's
# script (static/js/issue-forms.js) adds and removes issues up to the maximum.
IssueFormSet = forms.formset_factory(
    IssueForm,
    formset=BaseIssueFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=10,
    validate_max=True,
)


class CaseFilterForm(StaffFormMixin, forms.Form):
    """The case list's filters. A value outside the choices is dropped, not an error page."""

    SORTS = {
        "newest": ("-created_at", _("Newest first")),
        "oldest": ("created_at", _("Oldest first")),
        "deadline": ("next_due_on", _("Deadline (cases with one)")),
    }

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    workstation = forms.ModelChoiceField(label=_("Workstation"), required=False, queryset=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *CaseStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *CaseCategory.choices]
    )
    department = forms.ModelChoiceField(label=_("Department"), required=False, queryset=None)
    member = forms.ModelChoiceField(label=_("Handling member"), required=False, queryset=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        label=_("Sort"), required=False, choices=[(k, label) for k, (_f, label) in SORTS.items()]
    )

    def __init__(self, data, *, workstations, departments, members):
        super().__init__(data)
        self.fields["workstation"].queryset = workstations
        self.fields["department"].queryset = departments
        self.fields["member"].queryset = members
        for name in ("workstation", "department", "member"):
            self.fields[name].empty_label = _("All")
        # Drop what does not validate (a forged id, an unknown sort) and keep the rest.
        if self.is_bound and not self.is_valid():
            self.data = self.data.copy()
            for name in list(self.errors):
                self.data.pop(name, None)
            self._errors = None
            self.full_clean()

    @property
    def sort_key(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_bound else "") or "newest"

    def has_filters(self) -> bool:
        return self.is_bound and any(
            value not in (None, "", False)
            for name, value in self.cleaned_data.items()
            if name != "sort"
        )
