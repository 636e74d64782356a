"""The network's figures (`public.figures`), from cases brought to their states through
the lifecycle, against numbers counted by hand.

2025 is the year under test; a few cases sit just across its edges in Beijing time
(00:30 on 1 January is still 31 December in UTC) to prove the year is a local one.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from public import figures
from visits import lifecycle
from visits.lifecycle import Action
from visits.models import Case, CaseCategory, CaseStatus, Referral, ReferralRole, Satisfaction
from workdays.loading import load_year

from ..factories import DepartmentFactory, VisitFactory, WorkstationFactory, open_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2025
NAME = "王小明"
PHONE = "13812345678"


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def calendars(db, settings):
    """Resolving a case counts its follow-up deadline in working days."""
    settings.FOLLOW_UP_WORKING_DAYS = 5
    settings.REFERRAL_REPLY_WORKING_DAYS = 15
    return [load_year(year) for year in (YEAR - 1, YEAR, YEAR + 1)]


class Loop:
    """Cases taken through the lifecycle at given moments, by one member of staff."""

    def __init__(self, actor):
        self.actor = actor

    def open(self, workstation, when, *, action=Action.REGISTER, **fields) -> Case:
        visit = VisitFactory(
            workstation=workstation, visited_at=when, visitor_name=NAME, visitor_phone=PHONE
        )
        actor = None if action == Action.SUBMIT else self.actor
        note = "已当场解答政策" if action == Action.ANSWER else ""
        return open_case(visit=visit, actor=actor, now=when, action=action, note=note, **fields)

    def resolve(self, case, when) -> Case:
        return lifecycle.case_resolve(case=_fresh(case), actor=self.actor, note="已办结", now=when)

    def follow_up(self, case, when, satisfaction) -> Case:
        return lifecycle.case_follow_up(
            case=_fresh(case), actor=self.actor, satisfaction=satisfaction, now=when
        )

    def refer(self, case, department, when, due_on, role=ReferralRole.LEAD) -> Referral:
        return lifecycle.case_refer(
            case=_fresh(case),
            actor=self.actor,
            department=department,
            role=role,
            due_on=due_on,
            now=when,
        )

    def acknowledge(self, referral, when) -> Referral:
        return lifecycle.referral_acknowledge(
            referral=_fresh_referral(referral), actor=self.actor, now=when
        )

    def reply(self, referral, when) -> Referral:
        return lifecycle.referral_reply(
            referral=_fresh_referral(referral), actor=self.actor, reply="已约谈物业公司", now=when
        )

    def give_back(self, referral, when) -> Referral:
        return lifecycle.referral_return(
            referral=_fresh_referral(referral), actor=self.actor, reason="不属本部门职责", now=when
        )


def _fresh(case: Case) -> Case:
    """The case as stored now: the lifecycle refuses to act on a stale copy."""
    return Case.objects.get(pk=case.pk)


def _fresh_referral(referral: Referral) -> Referral:
    return Referral.objects.select_related("case").get(pk=referral.pk)


@pytest.fixture
def loop(staff) -> Loop:
    return Loop(staff)


def seed_year(loop: Loop, workstation, other_workstation) -> dict[str, Case]:
    """The year 2025 of two workstations, counted by hand in the tests below.

    Followed: a (closed, satisfied), b (resolved), c (reopened after an unsatisfied
    follow-up), e (closed, basically satisfied): 4, of which 3 resolved or closed.
    Days to resolve: a 2.5, b 1, e 4 (mean 2.5). Outside the loop: f submitted, g
    rejected, h merged, i withdrawn. Answered on the spot: j, k. Other years: l, m.
    """
    workstation.ordering, other_workstation.ordering = 2, 1
    workstation.save(update_fields=["ordering"])
    other_workstation.save(update_fields=["ordering"])
    ws, other = workstation, other_workstation
    cases = {
        # 07:00 on 1 January in Beijing is 23:00 on 31 December 2024 in UTC.
        "a": loop.open(ws, at(1, 1, 7), category=CaseCategory.PROPERTY),
        "b": loop.open(ws, at(2, 10), category=CaseCategory.PROPERTY),
        "c": loop.open(ws, at(3, 5), category=CaseCategory.FIRE_SAFETY),
        "e": loop.open(other, at(4, 1), category=CaseCategory.ELDERLY_CARE),
        "f": loop.open(ws, at(6, 1), action=Action.SUBMIT),
        "g": loop.open(ws, at(6, 2)),
        "h": loop.open(ws, at(6, 4)),
        "i": loop.open(ws, at(7, 1)),
        "j": loop.open(
            other,
            at(5, 20),
            action=Action.ANSWER,
            category=CaseCategory.LEGAL,
            satisfaction=Satisfaction.SATISFIED,
        ),
        "k": loop.open(
            other,
            at(5, 21),
            action=Action.ANSWER,
            category=CaseCategory.LEGAL,
            satisfaction=Satisfaction.BASICALLY,
        ),
        # 00:30 on 1 January 2026 in Beijing is still 2025 in UTC.
        "l": loop.open(ws, at(1, 1, 0, 30, year=YEAR + 1)),
        "m": loop.open(ws, at(12, 31, 23, 30, year=YEAR - 1)),
    }
    loop.resolve(cases["a"], at(1, 3, 19))
    loop.follow_up(cases["a"], at(1, 6), Satisfaction.SATISFIED)
    loop.resolve(cases["b"], at(2, 11))
    loop.resolve(cases["c"], at(3, 7))
    loop.follow_up(cases["c"], at(3, 10), Satisfaction.UNSATISFIED)
    loop.resolve(cases["e"], at(4, 5))
    loop.follow_up(cases["e"], at(4, 8), Satisfaction.BASICALLY)
    lifecycle.case_reject(case=cases["g"], actor=loop.actor, reason="不属受理范围", now=at(6, 3))
    lifecycle.case_merge(case=cases["h"], actor=loop.actor, into=_fresh(cases["c"]), now=at(6, 5))
    lifecycle.case_withdraw(case=cases["i"], actor=loop.actor, now=at(7, 2))
    # A delegation of five received without raising a case.
    VisitFactory(workstation=ws, visited_at=at(9, 1), visitor_count=5)
    return cases


@pytest.fixture
def year_2025(loop, workstation, other_workstation) -> dict[str, Case]:
    return seed_year(loop, workstation, other_workstation)


# --- headline ------------------------------------------------------------------


def test_headline_counts_the_local_years_visits_and_people(year_2025):
    top = figures.headline(YEAR)

    # Ten visits raised cases in 2025 (a to k less l and m), one more brought five people.
    assert top.visits == 11
    assert top.people == 15


def test_headline_counts_cases_by_status_without_answers_on_the_spot(year_2025):
    top = figures.headline(YEAR)

    assert top.cases_by_status == {
        CaseStatus.SUBMITTED: 1,
        CaseStatus.REGISTERED: 0,
        CaseStatus.CONSULTING: 1,
        CaseStatus.REFERRED: 0,
        CaseStatus.REPLIED: 0,
        CaseStatus.RESOLVED: 1,
        CaseStatus.CLOSED: 2,
        CaseStatus.REJECTED: 1,
        CaseStatus.MERGED: 1,
        CaseStatus.WITHDRAWN: 1,
    }


def test_closure_rate_is_resolved_or_closed_over_followed_cases(year_2025):
    top = figures.headline(YEAR)

    assert (top.followed, top.finished) == (4, 3)
    assert top.closure_rate == 0.75


def test_average_days_to_close_counts_resolved_followed_cases_to_one_decimal(year_2025):
    # a: 1 Jan 07:00 to 3 Jan 19:00 (2.5 days), b: 1 day, e: 4 days; c was reopened.
    assert figures.headline(YEAR).average_days_to_close == 2.5


def test_satisfaction_rate_counts_the_latest_follow_up_of_followed_cases(year_2025):
    # a satisfied, e basically satisfied, c unsatisfied (and reopened).
    assert figures.headline(YEAR).satisfaction_rate == pytest.approx(2 / 3)


def test_answers_on_the_spot_are_counted_apart(year_2025):
    top = figures.headline(YEAR)

    assert top.answered_on_spot == 2
    assert top.on_spot_satisfaction_rate == 1.0


def test_headline_of_an_empty_year_has_no_rates(year_2025):
    top = figures.headline(2023)

    assert (top.visits, top.people, top.followed, top.answered_on_spot) == (0, 0, 0, 0)
    assert set(top.cases_by_status.values()) == {0}
    assert top.closure_rate is None
    assert top.average_days_to_close is None
    assert top.satisfaction_rate is None
    assert top.on_spot_satisfaction_rate is None


def test_a_case_opened_just_after_new_year_in_beijing_counts_in_the_new_year(year_2025):
    top = figures.headline(YEAR + 1)

    assert top.cases_by_status[CaseStatus.REGISTERED] == 1  # l
    assert top.visits == 1


def test_headline_takes_three_queries(year_2025, django_assert_num_queries):
    # The visits' aggregate, the cases grouped by status, the cases' aggregate.
    with django_assert_num_queries(3):
        figures.headline(YEAR)


# --- charts --------------------------------------------------------------------


def test_cases_by_month_has_twelve_months_in_local_time(year_2025):
    rows = figures.cases_by_month(YEAR)

    assert [row.key for row in rows] == list(range(1, 13))
    assert [(row.followed, row.on_spot) for row in rows] == [
        (1, 0),  # a, on 1 January in Beijing (still December in UTC)
        (1, 0),  # b
        (1, 0),  # c
        (1, 0),  # e
        (0, 2),  # j and k, answered on the spot
        *[(0, 0)] * 7,  # f to i never entered the loop
    ]
    with translation.override("en"):
        assert str(rows[0].label) == "January"


def test_cases_by_category_lists_every_category(year_2025):
    rows = {row.key: (row.followed, row.on_spot) for row in figures.cases_by_category(YEAR)}

    assert list(rows) == CaseCategory.values
    assert rows[CaseCategory.PROPERTY] == (2, 0)
    assert rows[CaseCategory.FIRE_SAFETY] == (1, 0)
    assert rows[CaseCategory.ELDERLY_CARE] == (1, 0)
    assert rows[CaseCategory.LEGAL] == (0, 2)
    assert sum(followed for followed, _ in rows.values()) == 4


def test_cases_by_workstation_lists_active_workstations_in_their_order(
    year_2025, workstation, other_workstation, loop
):
    idle = WorkstationFactory(ordering=3)
    closed_down = WorkstationFactory(ordering=0, is_active=False)
    loop.open(closed_down, at(8, 1))

    rows = figures.cases_by_workstation(YEAR)

    assert [(row.label, row.followed, row.on_spot) for row in rows] == [
        (other_workstation.name, 1, 2),  # e; j and k
        (workstation.name, 3, 0),  # a, b, c
        (idle.name, 0, 0),
    ]


def test_each_chart_takes_one_query(year_2025, django_assert_num_queries):
    for count in (figures.cases_by_month, figures.cases_by_category, figures.cases_by_workstation):
        with django_assert_num_queries(1):
            count(YEAR)


# --- departments -----------------------------------------------------------------


@pytest.fixture
def referrals_2025(loop, workstation, other_workstation):
    """Two departments' lead referrals, counted by hand in the tests below.

    区住建局: r1 acknowledged, replied on time, case closed satisfied; r2 only sent.
    区消防救援大队: r3 replied late, case resolved; r4 replied on time, case reopened
    unsatisfied; r5 returned; r6 cancelled (case withdrawn); a co-handling referral;
    r8 sent just after new year 2026.
    """
    housing = DepartmentFactory(name="区住建局")
    fire = DepartmentFactory(name="区消防救援大队")
    DepartmentFactory(name="区民政局")  # sent nothing

    c1 = loop.open(workstation, at(3, 3))
    r1 = loop.refer(c1, housing, at(3, 4), date(YEAR, 3, 20))
    co = loop.refer(c1, fire, at(3, 4), date(YEAR, 3, 20), role=ReferralRole.CO)
    loop.acknowledge(r1, at(3, 5))
    loop.reply(r1, at(3, 10))
    loop.reply(co, at(3, 11))
    loop.resolve(c1, at(3, 13))
    loop.follow_up(c1, at(3, 20), Satisfaction.SATISFIED)

    c2 = loop.open(workstation, at(3, 10))
    loop.refer(c2, housing, at(3, 11), date(YEAR, 3, 25))

    c3 = loop.open(other_workstation, at(3, 1))
    r3 = loop.refer(c3, fire, at(3, 2), date(YEAR, 3, 14))
    # 07:00 on 15 March in Beijing, 23:00 on 14 March in UTC: a day late.
    loop.reply(r3, at(3, 15, 7))
    loop.resolve(c3, at(3, 16))

    c4 = loop.open(other_workstation, at(3, 1, 11))
    r4 = loop.refer(c4, fire, at(3, 2), date(YEAR, 3, 14))
    loop.reply(r4, at(3, 14, 23, 30))
    loop.resolve(c4, at(3, 17))
    loop.follow_up(c4, at(3, 20), Satisfaction.UNSATISFIED)

    c5 = loop.open(other_workstation, at(3, 1, 12))
    r5 = loop.refer(c5, fire, at(3, 2), date(YEAR, 3, 14))
    loop.give_back(r5, at(3, 4))

    c6 = loop.open(other_workstation, at(3, 1, 13))
    loop.refer(c6, fire, at(3, 2), date(YEAR, 3, 14))
    lifecycle.case_withdraw(case=_fresh(c6), actor=loop.actor, now=at(3, 3))

    c8 = loop.open(other_workstation, at(12, 31, 20))
    loop.refer(c8, fire, at(1, 1, 0, 30, year=YEAR + 1), date(YEAR + 1, 1, 10))
    return housing, fire


def test_departments_lists_those_sent_lead_referrals(referrals_2025):
    assert sorted(d.name for d in figures.departments(YEAR)) == ["区住建局", "区消防救援大队"]


def test_department_rates_for_two_referrals_one_answered(referrals_2025):
    by_name = {d.name: d for d in figures.departments(YEAR, today=date(YEAR, 12, 1))}
    housing = by_name["区住建局"]

    assert housing.referrals == 2
    assert housing.response_rate == 0.5
    assert housing.resolution_rate == 0.5
    assert housing.satisfaction_rate == 1.0
    assert housing.on_time_rate == 0.5  # r2, never answered, is late since 26 March


def test_department_rates_leave_out_cancelled_and_co_handling_referrals(referrals_2025):
    fire = {d.name: d for d in figures.departments(YEAR, today=date(YEAR, 12, 1))}["区消防救援大队"]

    assert fire.referrals == 3  # r3, r4, r5
    assert fire.response_rate == 1.0  # two replies and a return
    assert fire.resolution_rate == pytest.approx(1 / 3)  # r3's case is resolved
    assert fire.satisfaction_rate == 0.0  # r4's citizen was not satisfied
    assert fire.on_time_rate == 0.5  # r4 in time, r3 late in Beijing time


def test_a_referral_sent_after_new_year_in_beijing_counts_in_the_new_year(referrals_2025):
    (fire,) = figures.departments(YEAR + 1, today=date(YEAR + 1, 1, 5))

    assert (fire.name, fire.referrals) == ("区消防救援大队", 1)
    assert fire.response_rate == 0.0
    assert fire.on_time_rate is None  # r8 is due on 10 January
    assert fire.satisfaction_rate is None


def test_departments_take_one_query(referrals_2025, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures.departments(YEAR, today=date(YEAR, 12, 1))


# --- definitions -------------------------------------------------------------------


def test_every_figure_has_a_label_and_a_definition():
    assert set(figures.LABELS) == set(figures.DEFINITIONS)
    assert all(str(text).strip() for text in figures.DEFINITIONS.values())
