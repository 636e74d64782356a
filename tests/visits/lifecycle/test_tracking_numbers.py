"""Tracking numbers: consecutive within a year in Xi'an, whatever opened the case, handed
out once even in blocks or concurrently, and none used up by a refusal."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from visits import lifecycle
from visits.lifecycle import Action, CaseError
from visits.models import (
    CaseStatus,
    Satisfaction,
)

from ...factories import open_case
from ...stories import (
    START,
    answered,
    at,
)

S = CaseStatus


# --- tracking numbers ---------------------------------------------------------


def test_tracking_numbers_are_consecutive_within_a_year_whatever_opened_the_case(
    actor, workstation
):
    numbers = [
        open_case(workstation=workstation, actor=actor, now=START).number,
        open_case(workstation=workstation, action=Action.SUBMIT, now=START).number,
        answered(
            workstation=workstation,
            actor=actor,
            satisfaction=Satisfaction.BASICALLY,
            note="当场答复",
            now=START,
        ).number,
    ]

    assert numbers == ["XC-2026-000001", "XC-2026-000002", "XC-2026-000003"]


def test_the_year_of_a_tracking_number_is_the_year_in_xian(actor, workstation):
    late_2026 = open_case(workstation=workstation, actor=actor, now=at(12, 31, 23, 30))
    # 16:30 UTC on New Year's Eve is already half past midnight in Xi'an.
    early_2027 = open_case(
        workstation=workstation, actor=actor, now=datetime(2026, 12, 31, 16, 30, tzinfo=UTC)
    )
    next_2026 = open_case(workstation=workstation, actor=actor, now=at(12, 31, 23, 45))

    assert late_2026.number == "XC-2026-000001"
    assert early_2027.number == "XC-2027-000001"
    assert next_2026.number == "XC-2026-000002"


def test_numbers_allocated_in_a_block_are_consecutive_and_never_handed_out_again(
    actor, workstation
):
    first = open_case(workstation=workstation, actor=actor, now=START).number

    block = lifecycle.allocate_numbers(2026, 3)
    after = open_case(workstation=workstation, actor=actor, now=START).number

    assert first == "XC-2026-000001"
    assert block == ["XC-2026-000002", "XC-2026-000003", "XC-2026-000004"]
    assert after == "XC-2026-000005"


def test_a_refused_opening_uses_up_no_tracking_number(actor, workstation):
    with pytest.raises(CaseError):
        open_case(workstation=workstation, actor=actor, action=Action.ANSWER, now=START)

    assert open_case(workstation=workstation, actor=actor, now=START).number == "XC-2026-000001"


@pytest.mark.django_db(transaction=True)
def test_tracking_numbers_stay_unique_and_consecutive_when_allocated_concurrently():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    threads, per_thread = 8, 10
    barrier = threading.Barrier(threads)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def allocate():
        try:
            barrier.wait()
            for _ in range(per_thread):
                numbers.extend(lifecycle.allocate_numbers(2026))
        except BaseException as error:  # reported below, a thread cannot fail the test itself
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=allocate) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    expected = [f"XC-2026-{n:06d}" for n in range(1, threads * per_thread + 1)]
    assert sorted(numbers) == expected
