"""The period (and role) the departments' record is counted over, chosen in a GET form."""

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from base.forms import StaffFormMixin
from visits.models import ReferralRole

from .figures import Period

# The network opened in 2021; a date far outside these years is a typing slip.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _day_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        # ISO whatever the language: the only format a date input shows.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PeriodForm(StaffFormMixin, forms.Form):
    """From and to dates, both included; the current year to date when left empty."""

    start = _day_field(_("From"))
    end = _day_field(_("To"))
    role = forms.ChoiceField(
        label=_("Role"),
        required=False,
        choices=[("", _("Lead and co-handling")), *ReferralRole.choices],
    )

    def __init__(self, data, *, today: date):
        super().__init__(data)
        self.today = today
        # Shown in the empty form: what is counted when nothing is chosen.
        self.fields["start"].initial = date(today.year, 1, 1)
        self.fields["end"].initial = today

    def _clean_day(self, name: str) -> date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            )
        return day

    def clean_start(self) -> date | None:
        return self._clean_day("start")

    def clean_end(self) -> date | None:
        return self._clean_day("end")

    def _period_of(self, data: dict) -> Period:
        """The chosen days, the missing ones filled in: a start on 1 January of the end's
        year (or this one's), an end today (or on the start, if it is later)."""
        start = data.get("start") or date((data.get("end") or self.today).year, 1, 1)
        return Period(start, data.get("end") or max(self.today, start))

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors:
            period = self._period_of(data)
            if period.last < period.first:
                self.add_error("end", _("The period must end on or after the day it starts."))
        return data

    @property
    def period(self) -> Period:
        return self._period_of(self.cleaned_data if self.is_bound else {})

    @property
    def chosen_role(self) -> str:
        return self.cleaned_data.get("role", "") if self.is_bound else ""

    @property
    def chosen_role_label(self) -> str:
        return str(ReferralRole(self.chosen_role).label) if self.chosen_role else ""

    @property
    def query(self) -> str:
        """The chosen period and role, for the links to the drill-downs and the workbook."""
        period = self.period
        chosen = {"start": period.first.isoformat(), "end": period.last.isoformat()}
        return urlencode(chosen | ({"role": self.chosen_role} if self.chosen_role else {}))
