"""Members' forms: the rotation generator and fairness view in admin; attendance, leave
and swaps on the roster pages."""

import hashlib
import re
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from base.forms import StaffFormMixin
from members.models import ActivityGroup, Member
from workstations.formfields import ModelMultipleChoiceField
from workstations.models import Workstation

from .duties import on_duty_at_the_time_of
from .models import Attendance, DutyAssignment, DutyShift
from .rotation import HolidayPolicy, Plan, Recurrence, RotationSpec

# How far ahead the swap form looks for duties to exchange with.
SWAP_HORIZON = timedelta(days=90)

SLOT = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–—~]\s*(\d{1,2}):(\d{2})\s*$")

NTH_CHOICES = [
    (1, _("1st")),
    (2, _("2nd")),
    (3, _("3rd")),
    (4, _("4th")),
    (5, _("5th")),
    (-1, _("Last")),
]


def _time(hour: str, minute: str) -> time | None:
    try:
        return time(int(hour), int(minute))
    except ValueError:
        return None


def _date_field(label) -> forms.DateField:
    """A date the browser's date picker fills in."""
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class MemberPicker(FilteredSelectMultiple):
    """Django admin's two-pane picker, in a box of its own: its script puts the panes
    first in the select's parent, which must not be the row that holds the label (the
    admin's change forms wrap it alike, in .related-widget-wrapper)."""

    def render(self, *args, **kwargs):
        return format_html(
            '<div class="related-widget-wrapper">{}</div>', super().render(*args, **kwargs)
        )


class RotationForm(forms.Form):
    """What the administrator asks the rotation generator for; `spec()` turns it into a
    RotationSpec. The spec's own rules (range, groups or members, …) are checked by
    `rotation.validate`, whose refusals the view shows as errors of this form."""

    workstations = ModelMultipleChoiceField(
        label=_("Workstations"),
        queryset=Workstation.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    first = _date_field(_("First date"))
    last = _date_field(_("Last date"))
    recurrence = forms.ChoiceField(
        label=_("Recurrence"),
        choices=Recurrence.choices,
        initial=Recurrence.WEEKDAYS,
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=sorted(WEEKDAYS.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For chosen weekdays and for the Nth weekday of the month."),
    )
    month_days = forms.CharField(
        label=_("Days of the month"),
        required=False,
        help_text=_("For fixed days of the month: numbers separated by commas, e.g. 10, 20."),
    )
    nth = forms.TypedChoiceField(
        label=_("Which weekday of the month"),
        choices=NTH_CHOICES,
        coerce=int,
        initial=1,
        help_text=_("For the Nth weekday of the month."),
    )
    slots = forms.CharField(
        label=_("Time slots"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 20}),
        help_text=_("One slot a line, e.g. 09:00-11:30."),
    )
    members_per_shift = forms.IntegerField(
        label=_("Members per shift"), min_value=1, max_value=50, initial=1
    )
    groups = ModelMultipleChoiceField(
        label=_("Activity groups"),
        queryset=ActivityGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A group holds the day and its members fill the slots in turn."),
    )
    members = ModelMultipleChoiceField(
        label=_("Members"),
        queryset=Member.objects.filter(is_active=True).order_by("name", "pk"),
        required=False,
        # Django admin's own picker: the members to choose from and those chosen, side by
        # side, with a filter (its script and the admin's catalog: the form's media).
        widget=MemberPicker(_("members"), is_stacked=False),
        help_text=_("Or rotate through these members instead of groups."),
    )
    holidays = forms.ChoiceField(
        label=_("Duty days on holidays"),
        choices=HolidayPolicy.choices,
        initial=HolidayPolicy.SKIP,
        widget=forms.RadioSelect,
    )
    theme = forms.CharField(
        label=_("Theme"),
        required=False,
        max_length=DutyShift._meta.get_field("theme").max_length,
    )

    # The admin's fieldsets (base.admin_tool_pages.tool_page): where and when, which days,
    # the shifts, who takes turns.
    fieldsets = [
        (_("Where and when"), {"fields": ["workstations", "first", "last"]}),
        (
            _("Which days"),
            {"fields": ["recurrence", "weekdays", "month_days", "nth", "holidays"]},
        ),
        (_("Shifts of each day"), {"fields": ["slots", "members_per_shift", "theme"]}),
        (
            _("Who takes turns"),
            {
                "fields": ["groups", "members"],
                "description": _(
                    "Choose activity groups, which hold the days in turn, or members, who "
                    "take the shifts in turn."
                ),
            },
        ),
    ]

    def clean_month_days(self) -> tuple[int, ...]:
        text = self.cleaned_data["month_days"]
        parts = [part.strip() for part in re.split(r"[,，、\s]+", text) if part.strip()]
        if not all(part.isdigit() for part in parts):
            raise forms.ValidationError(
                _("Enter the days of the month as numbers separated by commas.")
            )
        return tuple(sorted({int(part) for part in parts}))

    def clean_slots(self) -> tuple[tuple[time, time], ...]:
        slots = []
        for line in self.cleaned_data["slots"].splitlines():
            if not line.strip():
                continue
            match = SLOT.match(line)
            start = match and _time(*match.group(1, 2))
            end = match and _time(*match.group(3, 4))
            if not start or not end:
                raise forms.ValidationError(
                    _("“%(line)s” is not a time slot such as 09:00-11:30."),
                    params={"line": line.strip()},
                )
            slots.append((start, end))
        return tuple(sorted(set(slots)))

    def spec(self) -> RotationSpec:
        data = self.cleaned_data
        return RotationSpec(
            workstations=tuple(data["workstations"]),
            first=data["first"],
            last=data["last"],
            recurrence=data["recurrence"],
            slots=data["slots"],
            weekdays=tuple(sorted(set(data["weekdays"]))),
            month_days=data["month_days"],
            nth=data["nth"],
            members_per_shift=data["members_per_shift"],
            groups=tuple(data["groups"]),
            members=tuple(data["members"]),
            holidays=data["holidays"],
            theme=data["theme"],
        )


def plan_digest(preview: Plan) -> str:
    """A fingerprint of the shifts a preview would create, so a save can tell whether the
    roster changed between the preview the administrator saw and the save."""
    shifts = [
        (
            shift.workstation.pk,
            shift.date.isoformat(),
            shift.starts_at.isoformat(),
            shift.ends_at.isoformat(),
            shift.group and shift.group.pk,
            [member.pk for member in shift.members],
        )
        for shift in preview.new_shifts
    ]
    return hashlib.sha256(repr(shifts).encode()).hexdigest()


class FairnessForm(forms.Form):
    """The period and scope of the fairness view; a GET form, so a view can be bookmarked."""

    first = _date_field(_("From"))
    last = _date_field(_("To"))
    workstation = forms.ModelChoiceField(
        label=_("Workstation"), queryset=Workstation.objects.all(), required=False
    )
    group = forms.ModelChoiceField(
        label=_("Activity group"), queryset=ActivityGroup.objects.all(), required=False
    )

    fieldsets = [
        (_("Period"), {"fields": ["first", "last"]}),
        (_("Whose duties"), {"fields": ["workstation", "group"]}),
    ]

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last and first > last:
            self.add_error("last", _("The last date is before the first."))
        return cleaned


class AttendanceForm(StaffFormMixin, forms.Form):
    attendance = forms.ChoiceField(
        label=_("Attendance"),
        choices=[(a, label) for a, label in Attendance.choices if a != Attendance.SCHEDULED],
    )
    substitute = forms.ModelChoiceField(
        label=_("Substitute"),
        queryset=Member.objects.filter(is_active=True),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The week's page shows this one form on every shift that has started: its
        # members are read once, not once a shift.
        substitute = self.fields["substitute"]
        substitute.choices = list(substitute.choices)


class SubstituteSelect(forms.Select):
    """The substitute's select: a member on duty at that time is shown, not chosen."""

    def __init__(self, *args, busy: frozenset[int] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.busy = busy

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.busy:
            option["attrs"]["disabled"] = True
        return option


class LeaveForm(StaffFormMixin, forms.Form):
    substitute = forms.ModelChoiceField(label=_("Substitute"), queryset=Member.objects.none())
    reason = forms.CharField(
        label=_("Reason for the leave"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, assignment: DutyAssignment, **kwargs) -> None:
        # The change page shows the swap form too: its ids must not be this form's.
        kwargs.setdefault("auto_id", "id_leave_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["substitute"]
        field.queryset = (
            Member.objects.filter(is_active=True)
            .exclude(pk=assignment.member_id)
            .order_by("name", "pk")
        )
        self.busy = frozenset(on_duty_at_the_time_of(assignment))
        field.widget = SubstituteSelect(busy=self.busy)
        field.widget.is_required = field.required
        field.choices = self._substitute_choices(field, assignment.shift.workstation_id)

    def _substitute_choices(self, field: forms.ModelChoiceField, workstation_id: int) -> list:
        """The members free at the shift's time first, this workstation's before the
        others; then, not to be chosen, those on duty at that time."""
        here, elsewhere, busy = [], [], []
        for member in field.queryset:
            choice = (member.pk, member.name)
            if member.pk in self.busy:
                busy.append(choice)
            elif member.home_workstation_id == workstation_id:
                here.append(choice)
            else:
                elsewhere.append(choice)
        groups = [
            (_("Free at that time, of this workstation"), here),
            (_("Free at that time, of other workstations"), elsewhere),
            (_("On duty at that time"), busy),
        ]
        return [("", field.empty_label), *((label, g) for label, g in groups if g)]

    def clean_substitute(self) -> Member:
        substitute = self.cleaned_data["substitute"]
        if substitute.pk in self.busy:
            raise forms.ValidationError(
                _("%(name)s is already on duty at that time."), params={"name": substitute.name}
            )
        return substitute


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: DutyAssignment) -> str:
        return f"{obj.shift.date:%Y-%m-%d} {obj.shift.starts_at:%H:%M} · {obj.member.name}"


class SwapForm(StaffFormMixin, forms.Form):
    other = AssignmentChoiceField(label=_("Swap with"), queryset=DutyAssignment.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, assignment: DutyAssignment, now: datetime, **kwargs) -> None:
        kwargs.setdefault("auto_id", "id_swap_%s")
        super().__init__(*args, **kwargs)
        # Other members' duties at the same workstation on shifts still to come; a shift
        # the member is on already (this one among them) would be no exchange at all.
        member = assignment.member_id
        own_shifts = DutyShift.objects.filter(
            Q(assignments__member_id=member) | Q(assignments__substitute_id=member)
        )
        today = timezone.localdate(now)
        self.fields["other"].queryset = (
            DutyAssignment.objects.coming(now)
            .filter(
                shift__workstation_id=assignment.shift.workstation_id,
                shift__date__lte=today + SWAP_HORIZON,
                attendance=Attendance.SCHEDULED,
                on_leave=False,
            )
            .exclude(shift__in=own_shifts)
            .select_related("shift", "member")
            .order_by("shift__date", "shift__starts_at", "member__name", "pk")
        )
