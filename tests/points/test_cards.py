"""Report-card selectors: totals, ranks with ties, grades, the entries behind a card."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, Proposal
from points import cards
from points.models import Category, GradeBand, PointEntry, PointRule, ScoringYear
from rosters.models import Attendance, DutyAssignment

from ..factories import (
    ActivityGroupFactory,
    DutyShiftFactory,
    MemberFactory,
    UserFactory,
    VisitFactory,
    WorkstationFactory,
    open_case,
)

YEAR = 2026
POINTS = {
    Category.DUTY_ATTENDED: "2",
    Category.DUTY_ABSENT: "-3",
    Category.CITIZENS_RECEIVED: "1",
    Category.CONSULTATION: "4",
    Category.COMMUNITY_VISIT: "3",
    Category.ACTIVITY: "1.5",
    Category.PROPOSAL_FILED: "5",
    Category.PROPOSAL_ACCEPTED: "5",
}


def make_rules(year: int = YEAR) -> dict[str, PointRule]:
    scoring_year = ScoringYear.objects.create(year=year)
    return {
        category: PointRule.objects.create(scoring_year=scoring_year, category=category, points=p)
        for category, p in POINTS.items()
    }


def make_bands(year: int = YEAR, **bands: str) -> None:
    scoring_year = ScoringYear.objects.get(year=year)
    for grade, min_points in bands.items():
        GradeBand.objects.create(scoring_year=scoring_year, grade=grade, min_points=min_points)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def rules(db):
    return make_rules()


def attend(committed, member, day: date, attendance=Attendance.ATTENDED, workstation=None):
    """A duty shift the member attended (or missed): scored by the ledger on commit."""
    with committed():
        return DutyAssignment.objects.create(
            shift=DutyShiftFactory(date=day, workstation=workstation or WorkstationFactory()),
            member=member,
            attendance=attendance,
        )


def take_part(committed, members, day: date, *, title="加装电梯微协商", kind=None) -> Activity:
    with committed():
        activity = Activity.objects.create(
            kind=kind or Activity.Kind.MICRO_CONSULTATION,
            title=title,
            date=day,
            organiser=UserFactory(),
        )
        activity.participants.add(*members)
    return activity


def file_proposal(committed, lead, day: date, title="关于老旧小区加装电梯的提案") -> Proposal:
    with committed():
        return Proposal.objects.create(
            title=title, lead=lead, status=Proposal.Status.SUBMITTED, submitted_on=day
        )


def by_name(rows) -> dict[str, cards.MemberYear]:
    return {row.member.name: row for row in rows}


# --- totals ------------------------------------------------------------------------------


def test_totals_add_the_active_entries_by_category_and_leave_out_reversed_ones(rules, committed):
    member = MemberFactory(name="张委员")
    attend(committed, member, date(2026, 3, 4))
    missed = attend(committed, member, date(2026, 3, 11), attendance=Attendance.ABSENT)
    take_part(committed, [member], date(2026, 4, 1))
    with committed():
        missed.delete()  # the absence is undone: its entry is reversed and stops counting

    row = by_name(cards.year_totals(YEAR))["张委员"]

    assert row.total == Decimal("6")
    assert row.by_category == {"duty_attended": Decimal("2"), "consultation": Decimal("4")}
    assert PointEntry.objects.filter(member=member, reversed_at__isnull=False).count() == 1


def test_a_deduction_lowers_the_total(rules, committed):
    member = MemberFactory(name="张委员")
    attend(committed, member, date(2026, 3, 4))
    attend(committed, member, date(2026, 3, 11), attendance=Attendance.ABSENT)

    assert by_name(cards.year_totals(YEAR))["张委员"].total == Decimal("-1")


def test_another_years_entries_do_not_count(rules, committed):
    make_rules(2025)
    member = MemberFactory(name="张委员")
    attend(committed, member, date(2025, 12, 31))
    attend(committed, member, date(2026, 1, 1))

    assert by_name(cards.year_totals(YEAR))["张委员"].total == Decimal("2")
    assert by_name(cards.year_totals(2025))["张委员"].total == Decimal("2")


def test_active_members_without_entries_count_zero_and_inactive_ones_appear_only_with_entries(
    rules, committed
):
    MemberFactory(name="在任委员")
    MemberFactory(name="离任无分", is_active=False)
    left = MemberFactory(name="离任有分")
    attend(committed, left, date(2026, 3, 4))
    left.is_active = False
    left.save()

    rows = by_name(cards.year_totals(YEAR))

    assert rows.keys() == {"在任委员", "离任有分"}
    assert rows["在任委员"].total == 0 and rows["在任委员"].by_category == {}
    assert rows["离任有分"].total == Decimal("2")


# --- ranks -------------------------------------------------------------------------------


def test_ranks_share_a_place_on_a_tie_and_skip_the_places_taken(rules, committed):
    legal, economy = ActivityGroupFactory(name="法制组"), ActivityGroupFactory(name="经济组")
    first = MemberFactory(name="甲", activity_group=legal)
    tied_a = MemberFactory(name="乙", activity_group=economy)
    tied_b = MemberFactory(name="丙", activity_group=legal)
    fourth = MemberFactory(name="丁", activity_group=legal)
    MemberFactory(name="戊", activity_group=None)
    file_proposal(committed, first, date(2026, 2, 1))  # 5
    take_part(committed, [tied_a, tied_b], date(2026, 4, 1))  # 4 each
    attend(committed, fourth, date(2026, 3, 4))  # 2
    # 戊 scores nothing: 0

    rows = by_name(cards.year_totals(YEAR))

    assert [(n, rows[n].rank) for n in "甲乙丙丁戊"] == [
        ("甲", 1), ("乙", 2), ("丙", 2), ("丁", 4), ("戊", 5)
    ]  # fmt: skip
    assert [(n, rows[n].group_rank) for n in "甲丙丁"] == [("甲", 1), ("丙", 2), ("丁", 3)]
    assert rows["乙"].group_rank == 1  # alone in the economy group
    assert rows["戊"].group_rank is None  # in no group


def test_members_without_points_share_the_last_place(rules, committed):
    MemberFactory(name="甲")
    MemberFactory(name="乙")
    attend(committed, MemberFactory(name="丙"), date(2026, 3, 4))

    rows = cards.year_totals(YEAR)

    assert [(row.member.name, row.rank) for row in rows] == [("丙", 1), ("乙", 2), ("甲", 2)]


# --- grades ------------------------------------------------------------------------------


def test_the_grade_is_the_highest_band_the_total_reaches(rules, committed):
    make_bands(excellent="6", competent="2", incompetent="-100")
    top, middle, edge, low = (MemberFactory(name=n) for n in ("甲", "乙", "丙", "丁"))
    file_proposal(committed, top, date(2026, 2, 1))
    attend(committed, top, date(2026, 3, 4))  # 7
    take_part(committed, [middle], date(2026, 4, 1))  # 4
    attend(committed, edge, date(2026, 3, 4))  # exactly 2: the band's lower bound
    attend(committed, low, date(2026, 3, 4), attendance=Attendance.ABSENT)  # -3

    rows = by_name(cards.year_totals(YEAR))

    assert {name: rows[name].grade for name in "甲乙丙丁"} == {
        "甲": "excellent", "乙": "competent", "丙": "competent", "丁": "incompetent"
    }  # fmt: skip


def test_a_total_below_every_band_has_no_grade(rules, committed):
    make_bands(excellent="6", competent="2")
    MemberFactory(name="甲")

    assert by_name(cards.year_totals(YEAR))["甲"].grade is None


def test_without_bands_nobody_has_a_grade(rules, committed):
    file_proposal(committed, MemberFactory(name="甲"), date(2026, 2, 1))

    assert by_name(cards.year_totals(YEAR))["甲"].grade is None


def test_the_years_categories_are_those_its_rules_score_in_the_usual_order(rules):
    assert cards.year_categories(YEAR) == list(POINTS)
    assert cards.year_categories(2030) == []


# --- the card ----------------------------------------------------------------------------


def test_the_card_lists_the_entries_of_each_category_with_their_source(rules, committed):
    member = MemberFactory(name="张委员")
    workstation = WorkstationFactory(name="西一路街道委员工作室")
    attend(committed, member, date(2026, 3, 4), workstation=workstation)
    attend(committed, member, date(2026, 5, 6), workstation=workstation)
    take_part(committed, [member], date(2026, 4, 1), title="老旧小区改造微协商")
    file_proposal(committed, member, date(2026, 2, 1), title="关于加装电梯的提案")
    visit = VisitFactory(
        workstation=workstation,
        visited_at=timezone.make_aware(datetime(2026, 6, 7, 10)),
        visitor_name="王小明",
    )
    with committed():
        visit.receiving_members.add(member)

    card = cards.card(member, YEAR)

    assert card.row.total == Decimal("14")
    assert [(s.category, s.total) for s in card.sections] == [
        ("duty_attended", Decimal("4")),
        ("received", Decimal("1")),
        ("consultation", Decimal("4")),
        ("proposal_filed", Decimal("5")),
    ]
    lines = {s.category: [(e.occurred_on, e.description) for e in s.entries] for s in card.sections}
    assert lines["duty_attended"] == [
        (date(2026, 3, 4), "Duty on 2026-03-04 at 西一路街道委员工作室"),
        (date(2026, 5, 6), "Duty on 2026-05-06 at 西一路街道委员工作室"),
    ]
    assert lines["received"] == [(date(2026, 6, 7), "Visit on 2026-06-07 at 西一路街道委员工作室")]
    assert "王小明" not in str(lines)  # never the visitor: published cards are public
    # Titles that name their kind (微协商, 提案) are not prefixed with it a second time.
    assert lines["consultation"][0][1] == "老旧小区改造微协商"
    assert lines["proposal_filed"][0][1] == "关于加装电梯的提案"


def test_a_case_is_described_by_its_tracking_number(db):
    case = open_case()

    assert cards.describe(case) == f"Case {case.number}"


def test_each_line_keeps_the_rule_version_that_scored_it(rules, committed):
    member = MemberFactory()
    attend(committed, member, date(2026, 3, 4))
    rule = rules[Category.DUTY_ATTENDED]
    rule.points = Decimal("3")
    rule.save()
    attend(committed, member, date(2026, 3, 11))

    entries = cards.card(member, YEAR).sections[0].entries

    assert [(e.points, e.rule_version) for e in entries] == [
        (Decimal("2"), 1),
        (Decimal("3"), 2),
    ]


def test_an_inactive_member_without_entries_has_an_empty_card(rules):
    member = MemberFactory(is_active=False)

    card = cards.card(member, YEAR)

    assert (card.row.total, card.row.rank, card.sections) == (0, None, [])


# --- queries -----------------------------------------------------------------------------


def count_queries(function, *args) -> int:
    with CaptureQueriesContext(connection) as run:
        function(*args)
    return len(run)


def test_the_year_totals_take_three_queries_for_5_members_as_for_50(
    rules, committed, django_assert_num_queries
):
    make_bands(excellent="4")
    take_part(committed, MemberFactory.create_batch(5), date(2026, 4, 1))
    # the totals by member and category, the members (group, sector, workstation), the bands
    with django_assert_num_queries(3):
        cards.year_totals(YEAR)
    take_part(committed, MemberFactory.create_batch(45), date(2026, 4, 2))

    with django_assert_num_queries(3):
        rows = cards.year_totals(YEAR)

    assert len(rows) == 50 and rows[0].grade == "excellent"


def test_the_card_takes_as_many_queries_for_30_facts_as_for_3(rules, committed):
    member = MemberFactory()
    workstation = WorkstationFactory()
    for day in (1, 2, 3):
        attend(committed, member, date(2026, 3, day), workstation=workstation)
        take_part(committed, [member], date(2026, 4, day))
    cards.card(member, YEAR)  # warm the content types
    with_three = count_queries(cards.card, member, YEAR)
    for day in range(4, 31):
        attend(committed, member, date(2026, 3, day), workstation=workstation)
        take_part(committed, [member], date(2026, 4, day))

    assert count_queries(cards.card, member, YEAR) == with_three
    # year totals (3), the entries, their duties and activities, the queries asked
    assert with_three == 7
    assert len(cards.card(member, YEAR).sections[0].entries) == 30


def test_the_years_entries_take_a_query_per_kind_of_source_for_any_number(rules, committed):
    members = MemberFactory.create_batch(3)
    take_part(committed, members, date(2026, 4, 1))
    list(cards.year_entries(YEAR))
    with_three = count_queries(lambda: list(cards.year_entries(YEAR)))
    take_part(committed, MemberFactory.create_batch(30), date(2026, 4, 2))
    attend(committed, members[0], date(2026, 3, 4))

    assert count_queries(lambda: list(cards.year_entries(YEAR))) == with_three
    assert len(list(cards.year_entries(YEAR))) == 34
