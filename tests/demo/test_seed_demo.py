import io
import itertools
import random
import re
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from activities.models import Activity, ActivityKind, CoSignature, Proposal, ProposalStatus
from demo import bulk
from demo.cases import DEMO_SUBMISSION
from demo.network import DEMO_PASSWORD
from members.models import Member
from points import ledger
from points.models import Category, GradeBand, PointEntry, PointRule
from rosters.models import DutyAssignment, DutyShift
from tests.signing import force_login
from visits import tallies
from visits.lifecycle import TERMINAL
from visits.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseStatus,
    Extension,
    Referral,
    Visit,
)
from visits.online import case_lookup
from workstations import roles
from workstations.models import Workstation

MODELS = [Workstation, Member, DutyShift, DutyAssignment, Visit, Case, CaseEvent, Referral]
MODELS += [Activity, Proposal, CoSignature, PointRule, GradeBand, PointEntry]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS} | {
        "users": get_user_model().objects.count()
    }


@pytest.fixture
def seeded(db):
    call_command("seed_demo", cases=60, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seed_demo_creates_the_nine_streets_with_one_workstation_each(seeded):
    streets = set(Workstation.objects.values_list("street", flat=True))
    assert streets == {
        "西一路街道", "长乐中路街道", "中山门街道", "韩森寨街道", "解放门街道",
        "自强路街道", "太华路街道", "长乐西路街道", "胡家庙街道",
    }  # fmt: skip
    assert Workstation.objects.count() == 9


def test_seed_demo_run_twice_gives_the_same_counts(seeded):
    before = counts()
    call_command("seed_demo", cases=60, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts() == before
    # The 60 played cases and the one opinion sent online with a known lookup code.
    assert before["Case"] == 61


def test_the_demo_online_opinion_is_found_with_the_printed_code(seeded):
    out = io.StringIO()
    call_command("seed_demo", cases=60, stdout=out)

    number, code = re.search(r"tracking number (\S+), lookup code (\S+)", out.getvalue()).groups()
    case = case_lookup(number, code)
    assert case is not None and case.status == CaseStatus.SUBMITTED


def test_no_demo_visitor_shares_a_name_with_a_member(seeded):
    # Members' names are public; a visitor's name on a public page is then always a leak.
    members = set(Member.objects.values_list("name", flat=True))
    visitors = set(Visit.objects.values_list("visitor_name", flat=True))
    assert visitors and not members & visitors


def test_seed_demo_gives_one_login_per_role(seeded):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert roles.is_administrator(admin) and admin.is_staff
    staff = User.objects.get(username="staff-xiyilu")
    assert roles.is_workstation_staff(staff)
    assert staff.staffed_workstations.get().slug == "xiyilu"
    member = User.objects.get(username="member")
    assert member.member.home_workstation.slug == "xiyilu"
    assert all(
        user.check_password(DEMO_PASSWORD)
        for user in User.objects.filter(username__in=["admin", "staff-xiyilu", "member"])
    )


def test_seed_demo_cases_cover_open_and_closed_statuses_with_consistent_events(seeded):
    statuses = Counter(Case.objects.values_list("status", flat=True))
    assert len(statuses) >= 5
    assert set(statuses) & TERMINAL and set(statuses) - TERMINAL
    # Every case's last event leads to its status, and each step was allowed by the table.
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert events[-1].to_status == case.status
        assert events[0].from_status == ""
        for earlier, later in itertools.pairwise(events):
            assert later.from_status == earlier.to_status


def test_seed_demo_rosters_give_each_shift_its_holding_groups_members(seeded):
    shifts = DutyShift.objects.annotate(n=Count("assignments"))
    assert shifts.count() > 0
    for shift in shifts.select_related("holding_group").prefetch_related("assignments__member"):
        assert shift.n == 2
        assert {a.member.activity_group_id for a in shift.assignments.all()} == {
            shift.holding_group_id
        }


def test_seed_demo_scale_generates_cases_in_bulk_that_obey_the_lifecycle(db):
    call_command("seed_demo", cases=0, scale=400, stdout=open("/dev/null", "w"))  # noqa: SIM115
    bulk = Case.objects.exclude(visit__submission_id=DEMO_SUBMISSION)
    assert bulk.count() == 400
    assert Visit.objects.exclude(submission_id=DEMO_SUBMISSION).count() == 400
    assert len(set(bulk.values_list("number", flat=True))) == 400
    for case in Case.objects.prefetch_related("events", "referrals"):
        events = list(case.events.all())
        assert events[0].from_status == "" and events[-1].to_status == case.status
        for earlier, later in itertools.pairwise(events):
            assert later.from_status == earlier.to_status
            assert earlier.at <= later.at
        live_leads = [r for r in case.referrals.all() if r.role == "lead" and r.state != "returned"]
        assert len(live_leads) <= 1
        if case.status in TERMINAL:
            assert case.next_due_on is None
        else:
            assert case.next_due_on is not None
        if case.status == CaseStatus.REFERRED:
            open_dues = [r.next_due_on for r in case.referrals.all() if r.is_open]
            if open_dues:
                assert (case.step_due_on, case.next_due_on) == (None, min(open_dues))
            else:
                # Every referral sent back: the case is due to be handled again.
                assert case.next_due_on == case.step_due_on is not None
    assert CaseEvent.objects.count() > 400
    assert Referral.objects.exists()


def test_seed_demo_rosters_never_put_a_member_on_two_shifts_at_once(seeded):
    seen = set()
    for member, day, start in DutyAssignment.objects.values_list(
        "member", "shift__date", "shift__starts_at"
    ):
        assert (member, day, start) not in seen
        seen.add((member, day, start))


def test_seed_demo_records_every_kind_of_activity_at_every_workstation_this_year_and_last(
    seeded,
):
    year = timezone.localdate().year
    kinds = set(Activity.objects.values_list("workstations", "kind", "date__year"))
    for workstation in Workstation.objects.values_list("pk", flat=True):
        for kind in ActivityKind.values:
            assert {(workstation, kind, year - 1), (workstation, kind, year)} <= kinds
    donations = Activity.objects.filter(kind=ActivityKind.DONATION)
    assert not donations.filter(amount__isnull=True).exists()
    assert Activity.objects.exclude(kind=ActivityKind.DONATION).filter(suggestions_gathered__gt=0)
    assert all(a.participants.exists() for a in Activity.objects.all()[:20])


def test_seed_demo_files_proposals_in_every_review_status_some_grown_from_cases(seeded):
    assert 12 <= Proposal.objects.count() <= 15
    assert set(Proposal.objects.values_list("status", flat=True)) == set(ProposalStatus.values)
    assert Proposal.objects.filter(is_excellent=True).exists()
    assert Proposal.objects.filter(kind="opinion", is_adopted=True).exists()
    rejected = Proposal.objects.filter(status=ProposalStatus.NOT_ACCEPTED)
    assert not rejected.filter(rejection_reason="").exists()
    from_cases = Proposal.objects.filter(cases__isnull=False).distinct()
    assert from_cases.exists()
    for proposal in from_cases:
        case = proposal.cases.get()
        assert case.events.filter(note__contains=proposal.title).exists()


def test_seed_demo_scores_every_category_and_leaves_the_ledger_equal_to_its_rebuild(seeded):
    year = timezone.localdate().year
    assert PointRule.objects.filter(scoring_year__year=year).count() == len(Category.values)
    scored = set(PointEntry.objects.values_list("category", flat=True))
    assert {Category.CONSULTATION, Category.COMMUNITY_VISIT, Category.ACTIVITY} <= scored
    assert {Category.PROPOSAL_FILED, Category.PROPOSAL_ACCEPTED} <= scored
    assert {Category.CITIZENS_RECEIVED, Category.DUTY_ATTENDED} <= scored
    assert ledger.compare().clean


def test_each_demo_liaison_signs_in_to_work_waiting_on_their_departments_page(seeded, client):
    for username in ("dept-housing", "dept-fire", "dept-cityadmin"):
        user = get_user_model().objects.get(username=username)
        assert roles.is_department_liaison(user)
        department = user.liaison_departments.get()
        waiting = Referral.objects.filter(department=department, state__in=["sent", "acknowledged"])
        assert (
            waiting.filter(state="sent").exists() and waiting.filter(state="acknowledged").exists()
        )
        assert Extension.objects.filter(referral__department=department, state="pending").exists()
        assert user.check_password(DEMO_PASSWORD)
        force_login(client, user)
        page = client.get("/department/").content.decode()
        assert all(r.case.number in page for r in waiting)


def test_seed_demo_scale_leaves_the_tables_analysed(db):
    call_command("seed_demo", cases=0, scale=50, stdout=open("/dev/null", "w"))  # noqa: SIM115
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The estimate counts this test's own rows, not yet committed: no autovacuum
            # could have seen them, only the command's ANALYZE.
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'visits_case'")
            assert cursor.fetchone()[0] >= Case.objects.count() > 50
        else:
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'visits_case'")
            assert cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_in_several_processes_writes_every_chunk_once_and_counts_it(monkeypatch):
    # Committed, as a load outside a test is: on PostgreSQL the chunks are then written
    # by two processes of their own; on SQLite (one writer) by this one.
    call_command("seed_demo", cases=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    monkeypatch.setattr(bulk, "CHUNK", 40)
    said = []

    before = Case.objects.count()

    made = bulk.seed_bulk(random.Random(7), 130, timezone.now(), said.append, workers=2)

    assert made == 130
    assert Case.objects.count() - before == 130
    assert Visit.objects.filter(cases__isnull=True).count() == 0
    assert said == ["  130 / 130 cases"]
    # Numbered without a repeat or a gap, whichever process took which chunk.
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert sum(CaseNumberSequence.objects.values_list("last", flat=True)) == len(numbers)
    # Every case has its history, written with it.
    assert Case.objects.filter(events__isnull=True).count() == 0
    assert tallies.compare() == []
