"""The tallies the figures add up move with every step of the lifecycle, in its
transaction: after any story, any correction, any refusal, they equal a recount of the
cases and visits; `rebuild_tallies` finds and repairs a difference."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from base.bulk import insert_many
from visits import lifecycle, tallies
from visits.lifecycle import CaseError
from visits.models import Case, CaseStatus, CaseTally, Satisfaction, Visit, VisitTally
from visits.services import visit_save

from ..factories import VisitFactory, WorkstationFactory, open_case
from ..stories import SITUATIONS, tell

pytestmark = pytest.mark.usefixtures("english", "working_calendar", "deadlines")

BEIJING = ZoneInfo("Asia/Shanghai")


def _row(**key) -> CaseTally:
    return CaseTally.objects.get(**key)


@pytest.mark.parametrize("situation", SITUATIONS)
def test_after_every_story_the_tallies_equal_a_recount(situation, staff, workstation):
    story = tell(situation, staff, workstation)

    assert tallies.compare() == []
    # The case counts once, in the row of its kind now.
    case = story.case
    assert _row(workstation=workstation, status=case.status, satisfaction=case.satisfaction).cases
    # A merge's target counts too: every case counts once, whatever its story.
    assert sum(CaseTally.objects.values_list("cases", flat=True)) == type(case).objects.count()


def test_a_case_moves_from_the_row_it_was_in_and_leaves_a_zero_behind(staff, workstation):
    case = open_case(workstation=workstation, actor=staff)
    lifecycle.case_consult(case=case, actor=staff, note="约物业协商")

    assert _row(status=CaseStatus.REGISTERED).cases == 0
    assert _row(status=CaseStatus.CONSULTING).cases == 1
    assert tallies.compare() == []  # an emptied row is no difference


def test_resolving_adds_the_time_to_resolve_and_reopening_takes_it_away(staff, workstation):
    opened = datetime(2026, 3, 2, 9, tzinfo=BEIJING)
    case = open_case(workstation=workstation, actor=staff, now=opened)
    case = lifecycle.case_consult(case=case, actor=staff, note="协商", now=opened + timedelta(1))
    case = lifecycle.case_resolve(case=case, actor=staff, note="已解决", now=opened + timedelta(3))

    resolved = _row(status=CaseStatus.RESOLVED)
    assert (resolved.resolved, resolved.time_to_resolve) == (1, timedelta(days=3))

    lifecycle.case_follow_up(
        case=case, actor=staff, satisfaction=Satisfaction.UNSATISFIED, now=opened + timedelta(4)
    )
    reopened = _row(status=CaseStatus.CONSULTING, satisfaction=Satisfaction.UNSATISFIED)
    assert (reopened.cases, reopened.resolved, reopened.time_to_resolve) == (1, 0, timedelta(0))
    assert tallies.compare() == []


def test_a_case_opened_just_after_midnight_on_new_year_counts_in_the_new_year(staff, workstation):
    open_case(workstation=workstation, actor=staff, now=datetime(2027, 1, 1, 0, 30, tzinfo=BEIJING))

    row = CaseTally.objects.get()
    assert (row.year, row.month) == (2027, 1)  # still 31 December 2026 in UTC


def test_a_corrected_category_and_a_transfer_move_the_case_and_its_visit(staff, workstation):
    elsewhere = WorkstationFactory()
    visit = VisitFactory(workstation=workstation, visitor_count=3)
    case = open_case(visit=visit, actor=staff, category="property")
    case = lifecycle.case_edit(
        case=case, actor=staff, title=case.title, category="fire_safety", description="楼道"
    )
    lifecycle.case_transfer(case=case, actor=staff, workstation=elsewhere, reason="属地")

    assert _row(workstation=elsewhere, category="fire_safety").cases == 1
    assert not CaseTally.objects.filter(workstation=workstation).exclude(cases=0).exists()
    assert VisitTally.objects.get(workstation=elsewhere).people == 3
    assert VisitTally.objects.get(workstation=workstation).visits == 0
    assert tallies.compare() == []


def test_a_refused_step_changes_no_tally(staff, workstation):
    case = open_case(workstation=workstation, actor=staff)
    before = list(CaseTally.objects.values())

    with pytest.raises(CaseError):
        lifecycle.case_resolve(case=case, actor=staff, note="已解决", seen_status="consulting")
    with pytest.raises(CaseError):
        lifecycle.case_follow_up(case=case, actor=staff, satisfaction=Satisfaction.SATISFIED)

    assert list(CaseTally.objects.values()) == before


def test_a_case_saved_outside_the_lifecycle_cannot_be_moved(staff, workstation):
    case = open_case(workstation=workstation, actor=staff)
    fresh = type(case).objects.get(pk=case.pk)

    with pytest.raises(RuntimeError):
        tallies.move(fresh)


def test_rebuild_tallies_reports_a_difference_and_fix_repairs_it(staff, workstation):
    open_case(workstation=workstation, actor=staff)
    VisitFactory(workstation=workstation)
    CaseTally.objects.update(cases=5)
    VisitTally.objects.all().delete()

    report = StringIO()
    call_command("rebuild_tallies", stdout=report)
    assert "2 differences; run with --fix" in report.getvalue()
    assert CaseTally.objects.get().cases == 5  # reported, not repaired

    repaired = StringIO()
    call_command("rebuild_tallies", "--fix", stdout=repaired)
    assert "2 differences repaired" in repaired.getvalue()
    assert CaseTally.objects.get().cases == 1
    assert VisitTally.objects.get(workstation=workstation).visits == 2  # with the case's

    again = StringIO()
    call_command("rebuild_tallies", stdout=again)
    assert "No difference" in again.getvalue()


def test_a_visit_corrected_to_another_month_and_workstation_moves_its_count(db):
    elsewhere = WorkstationFactory()
    visit = VisitFactory(visited_at=datetime(2026, 3, 31, 23, 30, tzinfo=BEIJING), visitor_count=2)
    first = visit.workstation
    visit.visited_at = datetime(2026, 4, 1, 9, tzinfo=BEIJING)
    visit.workstation = elsewhere
    visit_save(visit)

    march = VisitTally.objects.get(workstation=first, month=3)
    april = VisitTally.objects.get(workstation=elsewhere, month=4)
    assert (march.visits, march.people, april.visits, april.people) == (0, 0, 1, 2)


def test_a_bulk_count_adds_what_a_load_wrote_to_the_rows_already_there(staff, workstation):
    counted_by_the_lifecycle = open_case(workstation=workstation, actor=staff)
    loaded = Case.objects.get(pk=counted_by_the_lifecycle.pk)
    loaded.pk, loaded.number = None, "XC-2099-000001"
    visit = Visit.objects.get(pk=loaded.visit_id)
    visit.pk = None
    insert_many(Visit, [visit])
    loaded.visit = visit
    insert_many(Case, [loaded])

    count = tallies.BulkCount()
    count.count([loaded], [visit])
    count.add()

    assert tallies.compare() == []
    assert _row(workstation=workstation, status=loaded.status).cases == 2
    assert VisitTally.objects.get(workstation=workstation).visits == 2
