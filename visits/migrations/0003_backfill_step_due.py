"""Give every open case the deadline of the step it waits for, counted with the default
time limits from the moment it entered its status; cases whose days the working-day
calendar does not know yet keep none until then (a due date is never guessed)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import Exists, OuterRef, Q, Subquery

# The clocks of visits.lifecycle.STATUS_CLOCK at the time of this migration, as settings.
CLOCKS = {
    "submitted": "ACCEPTANCE_WORKING_DAYS",
    "registered": "FIRST_HANDLING_WORKING_DAYS",
    "consulting": "CONSULTATION_WORKING_DAYS",
    "replied": "RESOLUTION_WORKING_DAYS",
    "resolved": "FOLLOW_UP_WORKING_DAYS",
    # A referred case with no open referral (all sent back) is due to be handled again.
    "referred": "FIRST_HANDLING_WORKING_DAYS",
}
OPEN_REFERRAL_STATES = ("sent", "acknowledged")


class _Calendar:
    def __init__(self, apps):
        self.years = set(apps.get_model("workdays", "CalendarYear").objects.values_list("year", flat=True))
        self.special = dict(apps.get_model("workdays", "SpecialDay").objects.values_list("date", "kind"))

    def add(self, start, count):
        day = start
        while count:
            day += timedelta(days=1)
            if day.year not in self.years:
                return None
            kind = self.special.get(day)
            if (kind == "workday") if kind is not None else day.weekday() < 5:
                count -= 1
        return day


def backfill(apps, schema_editor):
    from django.utils import timezone

    Case = apps.get_model("visits", "Case")
    CaseEvent = apps.get_model("visits", "CaseEvent")
    Referral = apps.get_model("visits", "Referral")
    calendar = _Calendar(apps)
    # When each case entered its status, and whether a referral of it is still open: read
    # with the cases, not a query per case.
    entered = (
        CaseEvent.objects.filter(case=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-at")
        .values("at")[:1]
    )
    open_referral = Referral.objects.filter(case=OuterRef("pk"), state__in=OPEN_REFERRAL_STATES)
    cases = (
        Case.objects.filter(status__in=CLOCKS, step_due_on__isnull=True)
        .exclude(Q(status="referred") & Exists(open_referral))
        .annotate(entered=Subquery(entered))
        .only("pk", "status", "created_at", "next_due_on")
    )
    batch = []
    for case in cases.iterator(chunk_size=2000):
        start = timezone.localdate(case.entered or case.created_at)
        due = calendar.add(start, getattr(settings, CLOCKS[case.status]))
        if due is None:
            continue
        case.step_due_on = due
        case.next_due_on = min(d for d in (case.next_due_on, due) if d is not None)
        batch.append(case)
        if len(batch) >= 2000:
            Case.objects.bulk_update(batch, ["step_due_on", "next_due_on"])
            batch = []
    Case.objects.bulk_update(batch, ["step_due_on", "next_due_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_time_limits"),
        ("workdays", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
