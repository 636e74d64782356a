"""The database itself refuses to rewrite history on PostgreSQL: a trigger on every
append-only table (audit log and timelines) refuses UPDATE and DELETE, whoever sends
them; an audit row goes only to the purge command, and only once it is old enough.
SQLite has the model's refusal only (tests/test_audit.py)."""

import datetime

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.db.migrations.state import ProjectState
from django.db.models.functions import Now

from activities.models import Proposal, ProposalEvent, ProposalStatus, ProposalStep
from audit.appendonly import PURGE_SETTING, AppendOnlyModel, RefuseChanges
from audit.models import AuditAction, AuditEntry
from rosters.models import DutyChange, DutyChangeKind
from visits.models import CaseEvent

from ..factories import DutyAssignmentFactory, MemberFactory, open_case

LONG_AGO = datetime.datetime(2001, 3, 1, tzinfo=datetime.UTC)


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's; SQLite has the model's refusal only")


def append_only_models() -> list[type[AppendOnlyModel]]:
    return [m for m in apps.get_models() if issubclass(m, AppendOnlyModel)]


def triggers(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        return {name for (name,) in cursor.fetchall()}


def raw(sql: str, params=()) -> None:
    # A savepoint: the refused statement aborts only it, and the test reads on.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def snapshot(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


@pytest.fixture
def one_of_each(workstation, staff, lead):
    """A row in each append-only table: a case's opening event, its audit line, a
    proposal's step and a duty's change."""
    open_case(workstation=workstation, actor=staff)
    AuditEntry.objects.create(user=staff, action=AuditAction.VISIT, target="XC-1", at=LONG_AGO)
    proposal = Proposal.objects.create(title="电梯提案", lead=lead)
    ProposalEvent.objects.create(
        proposal=proposal, step=ProposalStep.SUBMIT, to_status=ProposalStatus.SUBMITTED
    )
    assignment = DutyAssignmentFactory(member=MemberFactory(home_workstation=workstation))
    DutyChange.objects.create(assignment=assignment, kind=DutyChangeKind.ATTENDANCE)


def test_the_append_only_models_are_the_audit_log_and_the_three_timelines():
    assert set(append_only_models()) == {AuditEntry, CaseEvent, ProposalEvent, DutyChange}


@pytest.mark.django_db
def test_every_append_only_table_has_its_trigger():
    postgres_only()
    for model in append_only_models():
        table = model._meta.db_table
        assert triggers(table) == {f"{table}_append_only"}, table


@pytest.mark.parametrize("model", [AuditEntry, CaseEvent, ProposalEvent, DutyChange])
@pytest.mark.parametrize("statement", ["DELETE FROM {table}", "UPDATE {table} SET at = at"])
def test_a_raw_update_or_delete_of_an_append_only_table_is_refused(one_of_each, model, statement):
    postgres_only()
    before = snapshot(model)
    assert before

    with pytest.raises(DatabaseError, match="append-only"):
        raw(statement.format(table=model._meta.db_table))

    assert snapshot(model) == before


def purge_before(when: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, true)", [PURGE_SETTING, when])


def raw_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditentry")
        return cursor.fetchone()[0]


def test_an_old_audit_row_may_be_deleted_once_the_purge_setting_names_a_later_time(staff):
    postgres_only()
    AuditEntry.objects.create(user=staff, action=AuditAction.VISIT, at=LONG_AGO)
    newer = AuditEntry.objects.create(
        user=staff, action=AuditAction.VISIT, at=LONG_AGO + datetime.timedelta(days=30)
    )
    purge_before("2001-03-15")

    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditentry")  # the newer row stops it: nothing goes
    assert raw_count() == 2

    raw("DELETE FROM audit_auditentry WHERE at < '2001-03-15'")
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [newer.pk]


def test_an_audit_row_younger_than_the_floor_is_kept_whatever_the_purge_setting(staff):
    postgres_only()
    # 182 days old by the database's clock, the one the trigger reads.
    at = Now() - datetime.timedelta(days=182)
    AuditEntry.objects.create(user=staff, action=AuditAction.VISIT, at=at)
    purge_before("9999-01-01")

    with pytest.raises(DatabaseError, match="append-only"):
        raw("DELETE FROM audit_auditentry")

    assert raw_count() == 1


def test_an_audit_row_is_never_updated_even_by_the_purge(staff):
    postgres_only()
    AuditEntry.objects.create(user=staff, action=AuditAction.VISIT, at=LONG_AGO)
    purge_before("9999-01-01")

    with pytest.raises(DatabaseError, match="append-only"):
        raw("UPDATE audit_auditentry SET target = 'rewritten'")

    assert list(AuditEntry.objects.values_list("target", flat=True)) == [""]


def run(operation: RefuseChanges, direction: str) -> None:
    state = ProjectState.from_apps(apps)
    with connection.schema_editor() as editor:
        getattr(operation, f"database_{direction}")("visits", editor, state, state)


@pytest.mark.django_db
def test_the_operation_drops_its_trigger_backwards_and_makes_it_again_forwards():
    postgres_only()
    # PostgreSQL's DDL is transactional: the test's rollback restores the trigger anyway.
    run(RefuseChanges("caseevent"), "backwards")
    assert triggers("visits_caseevent") == set()

    run(RefuseChanges("caseevent"), "forwards")
    assert triggers("visits_caseevent") == {"visits_caseevent_append_only"}


@pytest.mark.django_db(transaction=True)
def test_the_operation_makes_no_trigger_off_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite's case: there the model's refusal is the only one")
    run(RefuseChanges("caseevent"), "forwards")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        assert cursor.fetchone() == (0,)
