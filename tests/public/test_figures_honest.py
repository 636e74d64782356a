"""Figures that do not flatter: a referral past its due date with no reply counts as late
in the on-time rate (as of an injected day, never the real clock), and a proposal merged
with another (并案) counts as accepted for filing in the filing rate."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from activities.models import Proposal
from public import figures

from ..factories import DepartmentFactory, MemberFactory
from .test_figures import YEAR, Loop, at, calendars  # noqa: F401

# --- the on-time rate --------------------------------------------------------------------


@pytest.fixture
def loop(staff) -> Loop:
    return Loop(staff)


@pytest.fixture
def housing(loop, workstation):
    """区住建局: one reply on time (due 20 March), one referral due 25 March never answered."""
    department = DepartmentFactory(name="区住建局")
    answered = loop.refer(loop.open(workstation, at(3, 3)), department, at(3, 4), date(YEAR, 3, 20))
    loop.reply(answered, at(3, 10))
    loop.refer(loop.open(workstation, at(3, 10)), department, at(3, 11), date(YEAR, 3, 25))
    return department


def on_time_rate(department, today: date) -> float | None:
    rows = {row.department_id: row for row in figures.departments(YEAR, today=today)}
    return rows[department.pk].on_time_rate


def test_a_referral_past_its_due_date_with_no_reply_counts_as_late(housing):
    assert on_time_rate(housing, today=date(YEAR, 3, 26)) == 0.5


def test_a_referral_not_yet_due_is_not_counted_late(housing):
    # On its due date it may still be answered in time.
    assert on_time_rate(housing, today=date(YEAR, 3, 25)) == 1.0


def test_a_department_that_never_replies_is_never_on_time(loop, workstation):
    silent = DepartmentFactory(name="区消防救援大队")
    for day in (3, 4):
        loop.refer(loop.open(workstation, at(3, day)), silent, at(3, day), date(YEAR, 3, 20))

    assert on_time_rate(silent, today=date(YEAR, 3, 19)) is None  # nothing due yet
    assert on_time_rate(silent, today=date(YEAR + 1, 1, 5)) == 0.0


def test_a_returned_referral_is_neither_on_time_nor_late(loop, workstation, housing):
    returned = loop.refer(loop.open(workstation, at(3, 12)), housing, at(3, 12), date(YEAR, 3, 20))
    loop.give_back(returned, at(3, 13))

    assert on_time_rate(housing, today=date(YEAR, 3, 26)) == 0.5


def test_departments_still_take_one_query(housing, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures.departments(YEAR, today=date(YEAR, 3, 26))


# --- the filing rate ----------------------------------------------------------------------


@pytest.fixture
def proposals(db):
    """Submitted this year: accepted, merged (并案), not accepted, waiting for review."""
    lead, S = MemberFactory(), Proposal.Status

    def proposal(status, **fields) -> Proposal:
        return Proposal.objects.create(
            title="提案", lead=lead, status=status, submitted_on=date(YEAR, 5, 1), **fields
        )

    accepted = proposal(S.ACCEPTED)
    proposal(S.MERGED, merged_into=accepted)
    proposal(S.NOT_ACCEPTED, rejection_reason="不属于提案范围")
    proposal(S.SUBMITTED)


def test_a_proposal_merged_with_another_counts_as_accepted_for_filing(proposals):
    done = figures.participation(YEAR)

    assert (done.proposals_filed, done.proposals_accepted) == (4, 2)
    assert done.filing_rate == 0.5


def test_the_statistics_page_says_how_late_replies_and_merged_proposals_are_counted(
    proposals, housing
):
    client = Client()
    client.cookies["django_language"] = "en"

    page = client.get(reverse("public:stats"), {"year": YEAR}).content.decode()

    assert "no reply yet once their due date has passed" in page
    assert "merged with another (并案) included" in page
