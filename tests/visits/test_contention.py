"""Steps taken on one case at the same moment: each is stamped when it holds the case,
so the timeline keeps the order in which they really happened; two merges crossing each
other (X into Y, Y into X) wait for each other instead of deadlocking; and a step is
refused when the case moved since the status the user saw."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.utils import translation

from visits import lifecycle
from visits.lifecycle import CaseError
from visits.models import Case, CaseEvent, CaseStatus, EventKind, ReferralRole, Satisfaction

from ..factories import DepartmentFactory, UserFactory, open_case

pytestmark = pytest.mark.usefixtures("english", "working_calendar", "deadlines")

S = CaseStatus


def _lead(case: Case):
    return case.referrals.get(role=ReferralRole.LEAD)


# Each step, the status it is taken from, and how to take it without giving it a time.
STEPS: dict[str, tuple[str, Callable]] = {
    "accept": ("submitted", lambda c, a: lifecycle.case_accept(case=c, actor=a)),
    "consult": ("registered", lambda c, a: lifecycle.case_consult(case=c, actor=a, note="协商")),
    "refer": (
        "registered",
        lambda c, a: lifecycle.case_refer(case=c, actor=a, department=DepartmentFactory()),
    ),
    "acknowledge": (
        "referred",
        lambda c, a: lifecycle.referral_acknowledge(referral=_lead(c), actor=a),
    ),
    "reply": (
        "referred",
        lambda c, a: lifecycle.referral_reply(referral=_lead(c), actor=a, reply="已整改"),
    ),
    "return": (
        "referred",
        lambda c, a: lifecycle.referral_return(referral=_lead(c), actor=a, reason="不属本局"),
    ),
    "resolve": ("consulting", lambda c, a: lifecycle.case_resolve(case=c, actor=a, note="已解决")),
    "follow-up": (
        "resolved",
        lambda c, a: lifecycle.case_follow_up(case=c, actor=a, satisfaction=Satisfaction.SATISFIED),
    ),
    "merge": (
        "registered",
        lambda c, a: lifecycle.case_merge(
            case=c, actor=a, into=open_case(workstation=c.workstation, actor=a)
        ),
    ),
    "reject": ("registered", lambda c, a: lifecycle.case_reject(case=c, actor=a, reason="重复")),
    "withdraw": ("registered", lambda c, a: lifecycle.case_withdraw(case=c, actor=a)),
    "note": ("registered", lambda c, a: lifecycle.case_note(case=c, actor=a, note="备注")),
}


@pytest.mark.parametrize("step", STEPS)
def test_a_step_is_stamped_with_the_time_it_obtained_the_case_not_the_time_it_was_asked(
    world, staff, workstation, monkeypatch, step
):
    situation, take = STEPS[step]
    case = getattr(world, situation)(workstation)
    latest = case.events.order_by("-at", "-pk").first()
    obtained = []
    lock_row = lifecycle._lock_row

    def waiting_lock(pk):
        time.sleep(0.02)  # another transaction holds the row meanwhile
        row = lock_row(pk)
        obtained.append(lifecycle.timezone.now())
        return row

    monkeypatch.setattr(lifecycle, "_lock_row", waiting_lock)

    take(Case.objects.get(pk=case.pk), staff)

    event = case.events.get(pk__gt=latest.pk)
    assert obtained and event.at >= obtained[-1]


@pytest.mark.django_db(transaction=True)
def test_a_resolve_waiting_for_a_note_being_written_comes_after_it_in_the_timeline(
    staff, working_calendar, deadlines
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    case = open_case(actor=staff)
    lifecycle.case_consult(case=case, actor=staff, note="约物业微协商")
    case = Case.objects.get(pk=case.pk)
    noted, errors = threading.Event(), []

    def resolve():
        try:
            lifecycle.case_resolve(case=Case.objects.get(pk=case.pk), actor=staff, note="已解决")
        except BaseException as error:  # reported below: a thread cannot fail the test
            errors.append(error)
        finally:
            connection.close()

    def note_slowly():
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                resolver.start()
                _wait_until_a_backend_waits_for_a_lock()
                lifecycle.case_note(case=Case.objects.get(pk=case.pk), actor=staff, note="补充")
            noted.set()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    resolver = threading.Thread(target=resolve)
    writer = threading.Thread(target=note_slowly)
    writer.start()
    writer.join()
    resolver.join()

    assert errors == [] and noted.is_set()
    timeline = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    assert [e.kind for e in timeline[-2:]] == [EventKind.NOTE, EventKind.RESOLVED]
    assert timeline[-1].to_status == Case.objects.get(pk=case.pk).status == S.RESOLVED


def _wait_until_a_backend_waits_for_a_lock(timeout: float = 10) -> None:
    """Block until another connection is waiting on a row lock (PostgreSQL)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction the statistics views keep their first snapshot.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("nobody waited for the lock")


def _merge_crossing(x: Case, y: Case) -> tuple[list[str], list[BaseException]]:
    """X into Y and Y into X, by two users in two threads at once: what each got."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def merge(case, into):
        case, into = Case.objects.get(pk=case.pk), Case.objects.get(pk=into.pk)
        try:
            barrier.wait()
            with translation.override("en"):
                lifecycle.case_merge(case=case, actor=UserFactory(), into=into)
            outcomes.append("merged")
        except CaseError as refusal:
            outcomes.append(str(refusal))
        except BaseException as error:  # reported by the caller
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=merge, args=pair) for pair in ((x, y), (y, x))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes, errors


@pytest.mark.django_db(transaction=True)
def test_two_cases_merged_into_each_other_at_once_end_with_one_merge_and_one_clear_refusal(
    staff, working_calendar, deadlines
):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    for _round in range(5):  # a deadlock needs the two to interleave: give it chances
        x, y = open_case(actor=staff), open_case(actor=staff)

        outcomes, errors = _merge_crossing(x, y)

        assert errors == []
        assert len(outcomes) == 2 and outcomes.count("merged") == 1
        refusal = next(o for o in outcomes if o != "merged")
        assert "merge into an open case" in refusal
        statuses = Case.objects.filter(pk__in=[x.pk, y.pk]).values_list("status", flat=True)
        assert sorted(statuses) == sorted([S.MERGED, S.REGISTERED])
        assert CaseEvent.objects.filter(case__in=[x, y], kind=EventKind.MERGED).count() == 1


def test_a_step_is_refused_when_the_case_moved_since_the_status_the_user_saw(world, workstation):
    case = world.registered(workstation)
    lifecycle.case_consult(case=case, actor=world.actor, note="约物业微协商")
    fresh = Case.objects.get(pk=case.pk)

    with pytest.raises(CaseError, match="changed this case meanwhile"):
        lifecycle.case_note(
            case=fresh, actor=world.actor, note="按旧页面补充", seen_status=S.REGISTERED
        )

    assert not fresh.events.filter(kind=EventKind.NOTE).exists()
    assert Case.objects.get(pk=case.pk).status == S.CONSULTING
