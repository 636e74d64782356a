"""The demo is the same network whichever day it is loaded: only its dates follow today.

Each day below is loaded in a savepoint that is rolled back, so the days compare one
fresh demo with another. The days are the awkward ones: a year `chinese-calendar` does
not know yet, a leap day, the last half hour of a year, National Day."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Proposal
from visits.models import Case

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = [
    datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI),
    datetime(2027, 1, 1, 8, 0, tzinfo=SHANGHAI),
    datetime(2026, 12, 31, 23, 30, tzinfo=SHANGHAI),
    datetime(2027, 10, 1, 10, 0, tzinfo=SHANGHAI),
    datetime(2028, 2, 29, 9, 0, tzinfo=SHANGHAI),
]


def demo_content() -> dict:
    """What the demo holds, with each date replaced by its year relative to today."""
    this_year = timezone.localdate().year

    def ago(day) -> int | None:
        return None if day is None else this_year - day.year

    return {
        "proposals": sorted(
            (p.title, p.kind, p.status, p.is_excellent, p.is_adopted, ago(p.submitted_on))
            for p in Proposal.objects.all()
        ),
        "activities": sorted(
            (a.title, a.kind, a.suggestions_gathered, a.amount, ago(a.date))
            for a in Activity.objects.all()
        ),
        "cases": sorted(
            (c.title, c.category, c.workstation.slug)
            for c in Case.objects.select_related("workstation")
        ),
    }


def seeded_on(moment: datetime) -> dict:
    with time_machine.travel(moment, tick=False), transaction.atomic():
        call_command("seed_demo", cases=60, stdout=open("/dev/null", "w"))  # noqa: SIM115
        content = demo_content()
        transaction.set_rollback(True)
    return content


@pytest.mark.django_db
def test_the_demo_holds_the_same_proposals_activities_and_cases_on_any_day():
    first, *others = (seeded_on(moment) for moment in DAYS)
    # This year always has proposals filed and rated excellent, and suggestions gathered.
    assert any(p[3] and p[5] == 0 for p in first["proposals"])
    assert any(a[2] and a[4] == 0 for a in first["activities"])
    for moment, content in zip(DAYS[1:], others, strict=True):
        assert content == first, moment
