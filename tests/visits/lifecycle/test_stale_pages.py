"""Somebody else was quicker: a step taken on a case or a referral read before someone
else moved it is refused, even when the step is allowed in both statuses; two people
accepting the same submission at once make one step (PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from visits import lifecycle
from visits.lifecycle import Action, CaseError
from visits.models import (
    Case,
    CaseStatus,
    EventKind,
    Referral,
    Satisfaction,
)

from ...factories import DepartmentFactory, UserFactory, open_case
from ...stories import (
    NEW_DUE,
    START,
    assert_refused,
    consult,
    lead_replies,
    satisfied,
)

S = CaseStatus


# --- refusals: somebody else was quicker --------------------------------------

STALE_ATTEMPTS = {
    "consult": lambda s, c: lifecycle.case_consult(case=c, actor=s.actor, note="再议", now=s.now),
    "refer": lambda s, c: lifecycle.case_refer(
        case=c, actor=s.actor, department=s.department, due_on=NEW_DUE, now=s.now
    ),
    "resolve": lambda s, c: lifecycle.case_resolve(case=c, actor=s.actor, note="已解决", now=s.now),
    "merge": lambda s, c: lifecycle.case_merge(case=c, actor=s.actor, into=s.target, now=s.now),
    "reject": lambda s, c: lifecycle.case_reject(case=c, actor=s.actor, reason="重复", now=s.now),
    "withdraw": lambda s, c: lifecycle.case_withdraw(case=c, actor=s.actor, now=s.now),
    "note": lambda s, c: lifecycle.case_note(case=c, actor=s.actor, note="补充", now=s.now),
}


@pytest.mark.parametrize("attempt", STALE_ATTEMPTS.values(), ids=STALE_ATTEMPTS.keys())
def test_a_step_on_a_case_someone_else_moved_meanwhile_is_refused(story, attempt):
    # Each of these steps is allowed both before and after the move made meanwhile, so
    # only the stale status can refuse it.
    s = story("registered")
    s.department = DepartmentFactory()
    s.target = open_case(workstation=s.workstation, actor=s.actor, now=s.tick())
    stale = Case.objects.get(pk=s.case.pk)
    consult(s)

    assert_refused(lambda: attempt(s, stale), "changed this case meanwhile")


def test_accepting_a_submission_someone_else_accepted_meanwhile_is_refused(story):
    s = story("submitted")
    stale = Case.objects.get(pk=s.case.pk)
    lifecycle.case_accept(case=s.case, actor=s.actor, now=s.tick())

    assert_refused(
        lambda: lifecycle.case_accept(case=stale, actor=s.actor, now=s.tick()),
        "changed this case meanwhile",
    )


def test_a_follow_up_on_a_case_someone_else_followed_up_meanwhile_is_refused(story):
    s = story("resolved")
    stale = Case.objects.get(pk=s.case.pk)
    satisfied(s)

    assert_refused(
        lambda: lifecycle.case_follow_up(
            case=stale, actor=s.actor, satisfaction=Satisfaction.UNSATISFIED, now=s.tick()
        ),
        "changed this case meanwhile",
    )


def test_a_reply_read_before_the_case_moved_is_refused(story):
    s = story("referred with co")
    co = Referral.objects.select_related("case").get(pk=s.co.pk)
    lead_replies(s)

    assert_refused(
        lambda: lifecycle.referral_reply(referral=co, actor=s.actor, reply="已处理", now=s.tick()),
        "changed this case meanwhile",
    )


def test_a_step_on_a_referral_someone_else_changed_meanwhile_is_refused(story):
    s = story("referred")
    stale = Referral.objects.get(pk=s.lead.pk)
    lifecycle.referral_acknowledge(referral=s.lead, actor=s.actor, now=s.tick())

    assert_refused(
        lambda: lifecycle.referral_return(
            referral=stale, actor=s.actor, reason="不属本局职责", now=s.tick()
        ),
        "changed this referral meanwhile",
    )


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_the_same_submission_at_once_make_one_step():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between threads")
    case = open_case(action=Action.SUBMIT, now=START)
    users = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def accept(user):
        copy = Case.objects.get(pk=case.pk)
        try:
            barrier.wait()
            lifecycle.case_accept(case=copy, actor=user, now=START + timedelta(hours=1))
            outcomes.append("accepted")
        except CaseError:
            outcomes.append("refused")
        finally:
            connection.close()

    workers = [threading.Thread(target=accept, args=(user,)) for user in users]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert sorted(outcomes) == ["accepted", "refused"]
    assert case.events.filter(kind=EventKind.ACCEPTED).count() == 1
    assert Case.objects.get(pk=case.pk).status == S.REGISTERED
