"""The points ledger: facts scored once on commit, reversed when undone, rebuilt equal."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models.signals import m2m_changed, post_delete, post_save

from activities.models import Activity, Proposal
from audit.models import AuditEntry
from members.models import Member
from points import ledger, signals
from points.models import Category, PointEntry, PointRule, ScoringYear
from rosters.models import Attendance, DutyAssignment, DutyShift
from workstations.models import Workstation

from ..factories import DutyShiftFactory, MemberFactory, UserFactory, WorkstationFactory

YEAR = 2026
POINTS = {
    Category.DUTY_ATTENDED: "2",
    Category.DUTY_ABSENT: "-3",
    Category.CITIZENS_RECEIVED: "1",
    Category.CASE_CLOSED: "2.5",
    Category.CONSULTATION: "4",
    Category.COMMUNITY_VISIT: "3",
    Category.ACTIVITY: "1.5",
    Category.PROPOSAL_FILED: "5",
    Category.PROPOSAL_ACCEPTED: "5",
    Category.PROPOSAL_EXCELLENT: "10",
    Category.OPINION_ADOPTED: "6",
}


@pytest.fixture
def rules(db):
    year = ScoringYear.objects.create(year=YEAR)
    return {
        category: PointRule.objects.create(scoring_year=year, category=category, points=points)
        for category, points in POINTS.items()
    }


def active(member=None):
    entries = PointEntry.objects.filter(reversed_at__isnull=True)
    if member is not None:
        entries = entries.filter(member=member)
    return sorted((e.category, e.points) for e in entries)


def test_an_attended_duty_is_scored_once_however_often_it_is_saved(rules, committed):
    member = MemberFactory()
    with committed():
        duty = DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=date(2026, 3, 4)), member=member
        )
    assert active() == []
    with committed():
        duty.attendance = Attendance.ATTENDED
        duty.save()
    with committed():
        duty.save()
    entry = PointEntry.objects.get()
    assert (entry.category, entry.points, entry.year) == ("duty_attended", Decimal("2"), 2026)
    assert (entry.rule, entry.rule_version, entry.source) == (rules["duty_attended"], 1, duty)


def test_an_absence_replaces_the_attendance_and_deleting_reverses_everything(rules, committed):
    member = MemberFactory()
    with committed():
        duty = DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=date(2026, 3, 4)),
            member=member,
            attendance=Attendance.ATTENDED,
        )
    with committed():
        duty.attendance = Attendance.ABSENT
        duty.save()
    assert active(member) == [("duty_absent", Decimal("-3"))]
    assert PointEntry.objects.filter(reversed_at__isnull=False).count() == 1
    with committed():
        duty.delete()
    assert active() == []
    assert PointEntry.objects.count() == 2  # the history stays


def test_a_substitute_who_stood_in_scores_the_duty(rules, committed):
    member, substitute = MemberFactory(), MemberFactory()
    with committed():
        DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=date(2026, 3, 4)),
            member=member,
            attendance=Attendance.SUBSTITUTED,
            substitute=substitute,
        )
    assert active(member) == [] and active(substitute) == [("duty_attended", Decimal("2"))]


def test_a_fact_in_a_year_without_a_rule_scores_nothing_until_the_rebuild(committed, db):
    with committed():
        DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=date(2026, 3, 4)),
            member=MemberFactory(),
            attendance=Attendance.ATTENDED,
        )
    assert active() == []
    rule_year = ScoringYear.objects.create(year=YEAR)
    PointRule.objects.create(scoring_year=rule_year, category="duty_attended", points=2)

    before = ledger.rebuild()

    assert [d.kind for d in before.differences] == ["missing"]
    assert active() == [("duty_attended", Decimal("2"))]
    assert ledger.compare().clean


def test_a_changed_rule_is_a_new_version_and_the_rebuild_rescores(rules, committed):
    with committed():
        DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=date(2026, 3, 4)),
            member=MemberFactory(),
            attendance=Attendance.ATTENDED,
        )
    rule = rules["duty_attended"]
    rule.points = Decimal("3")
    rule.save()
    rule.refresh_from_db()
    assert rule.version == 2
    assert PointEntry.objects.get().rule_version == 1  # scored under version 1, kept

    differences = ledger.rebuild().differences

    assert [d.kind for d in differences] == ["changed"]
    assert active() == [("duty_attended", Decimal("3"))]
    assert PointEntry.objects.get(reversed_at__isnull=True).rule_version == 2


def test_members_added_to_and_removed_from_an_activity(rules, committed):
    staff = UserFactory()
    a, b = MemberFactory(), MemberFactory()
    with committed():
        activity = Activity.objects.create(
            kind=Activity.Kind.MICRO_CONSULTATION,
            title="加装电梯微协商",
            date=date(2026, 5, 6),
            organiser=staff,
        )
        activity.participants.add(a, b)
    assert active(a) == [("consultation", Decimal("4"))]
    with committed():
        activity.participants.remove(b)
    assert active(b) == []
    with committed():
        b.activities.add(activity)  # from the member's side
    assert active(b) == [("consultation", Decimal("4"))]


def test_a_proposal_scores_when_filed_accepted_and_rated_excellent(rules, committed):
    lead = MemberFactory()
    with committed():
        proposal = Proposal.objects.create(title="关于老旧小区加装电梯的提案", lead=lead)
    assert active(lead) == []
    with committed():
        proposal.status, proposal.submitted_on = Proposal.Status.SUBMITTED, date(2026, 1, 10)
        proposal.save()
    with committed():
        proposal.status, proposal.decided_on = Proposal.Status.ACCEPTED, date(2026, 2, 1)
        proposal.is_excellent = True
        proposal.save()
    assert active(lead) == [
        ("proposal_accepted", Decimal("5")),
        ("proposal_excellent", Decimal("10")),
        ("proposal_filed", Decimal("5")),
    ]


def test_the_rebuild_command_reports_each_difference_and_fixes_only_when_asked(
    rules, committed, capsys
):
    with committed():
        DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=date(2026, 3, 4), starts_at=time(9)),
            member=MemberFactory(),
            attendance=Attendance.ATTENDED,
        )
    PointEntry.objects.update(reversed_at=None, points=Decimal("99"))

    call_command("rebuild_points")
    assert "changed" in capsys.readouterr().out
    assert active() == [("duty_attended", Decimal("99"))]

    call_command("rebuild_points", "--fix")
    assert active() == [("duty_attended", Decimal("2"))]
    call_command("rebuild_points")
    assert "no difference" in capsys.readouterr().out.lower()


def test_nothing_is_written_before_the_commit(rules, db):
    DutyAssignment.objects.create(
        shift=DutyShiftFactory(date=date(2026, 3, 4), workstation=WorkstationFactory()),
        member=MemberFactory(),
        attendance=Attendance.ATTENDED,
    )
    assert not PointEntry.objects.exists()


def test_moving_a_shift_moves_its_duties_facts_even_into_a_year_without_rules(rules, committed):
    shift = DutyShiftFactory(date=date(2026, 3, 4))
    with committed():
        DutyAssignment.objects.create(shift=shift, member=MemberFactory(), attendance="attended")

    with committed():
        shift.date = date(2026, 3, 11)
        shift.save()
    assert PointEntry.objects.get(reversed_at__isnull=True).occurred_on == date(2026, 3, 11)

    with committed():
        shift.date = date(2025, 12, 31)
        shift.save()
    assert active() == [] and ledger.compare().clean


def test_clearing_a_members_activities_from_the_members_side_reverses_them(rules, committed):
    member = MemberFactory()
    with committed():
        activity = Activity.objects.create(
            kind=Activity.Kind.LEGAL_AID, title="法律援助日", date=date(2026, 6, 1),
            organiser=UserFactory(),
        )  # fmt: skip
        member.activities.add(activity)
    assert active(member) == [("activity", Decimal("1.5"))]

    with committed():
        member.activities.clear()

    assert active(member) == [] and ledger.compare().clean


def _ledger_receivers(signal, sender) -> set:
    sync_receivers, async_receivers = signal._live_receivers(sender)
    return {r for r in [*sync_receivers, *async_receivers] if r.__module__ == signals.__name__}


def test_the_ledger_listens_to_its_sources_only():
    for signal in (post_save, post_delete):
        for source in signals.SOURCES:
            assert _ledger_receivers(signal, source), (signal, source)
        for unrelated in (Workstation, AuditEntry, Member, Workstation.staff.through):
            assert not _ledger_receivers(signal, unrelated), (signal, unrelated)
    assert _ledger_receivers(post_save, DutyShift)
    for through in signals.MEMBER_LISTS:
        assert _ledger_receivers(m2m_changed, through), through
    for unrelated in (Workstation.staff.through, Proposal.cases.through, Workstation):
        assert not _ledger_receivers(m2m_changed, unrelated), unrelated


def test_saving_an_unrelated_row_schedules_no_ledger_sync(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(ledger, "sync", lambda sources: calls.append(sources))
    workstation = WorkstationFactory()
    with django_capture_on_commit_callbacks(execute=True):
        workstation.name = "西一路委员工作室（新址）"
        workstation.save()
        workstation.staff.add(UserFactory())
        AuditEntry.objects.create(action=AuditEntry.Action.REVEAL, target="XC-0001")
        workstation.staff.clear()
    assert calls == []
