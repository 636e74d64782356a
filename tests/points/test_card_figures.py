"""A report card that says what its figures count: the total and the grade first, each
category as what it counts and what it scored ("值班到岗 2 次 · 4 分", "接待群众 5 人次"),
and lines that never say their kind twice ("委员进社区：委员进社区：…")."""

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from activities.models import Activity
from points import cards

from ..factories import VisitFactory
from .test_cards import YEAR, attend, file_proposal, make_bands, make_rules, take_part


@pytest.fixture
def member(member_user):
    return member_user.member


@pytest.fixture
def year(db, committed, member, workstation):
    """李委员's 2026: two duties, two visits receiving five citizens, a community visit
    whose title names its kind and a consultation whose title does not."""
    make_rules()
    make_bands(excellent="10", competent="1")
    attend(committed, member, date(2026, 3, 4), workstation=workstation)
    attend(committed, member, date(2026, 3, 11), workstation=workstation)
    for day, count in ((7, 3), (8, 2)):
        visit = VisitFactory(
            workstation=workstation,
            visited_at=timezone.make_aware(datetime(2026, 6, day, 10)),
            visitor_count=count,
        )
        with committed():
            visit.receiving_members.add(member)
    take_part(
        committed, [member], date(2026, 5, 6), title="委员进社区：西一路听民意、解民忧",
        kind=Activity.Kind.COMMUNITY_VISIT,
    )  # fmt: skip
    take_part(committed, [member], date(2026, 5, 7), title="物业服务质量座谈")
    file_proposal(committed, member, date(2026, 2, 1))


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def headings(response) -> list[str]:
    found = re.findall(r'<h2 id="category-[^"]+">(.*?)</h2>', response.content.decode())
    return [re.sub(r"\s+", " ", heading).strip() for heading in found]


def test_each_category_says_what_it_counts_and_what_it_scored(sign_in, member_user, year):
    response = sign_in(member_user, language="zh-hans").get(f"/my/report-card/?year={YEAR}")

    assert headings(response) == [
        "值班到岗 2 次 · 4 分",
        "接待群众 5 人次 · 2 分",
        "参加协商 1 次 · 4 分",
        "走访社区 1 次 · 3 分",
        "提交提案 1 件 · 5 分",
    ]


def test_the_figures_read_in_english_with_their_plurals(sign_in, member_user, year):
    response = sign_in(member_user).get(f"/my/report-card/?year={YEAR}")

    assert headings(response) == [
        "Duty attended 2 times · 4 points",
        "Received 5 citizens · 2 points",
        "Took part in 1 consultation · 4 points",
        "1 community visit · 3 points",
        "Filed 1 proposal · 5 points",
    ]


def test_the_total_and_the_grade_come_first(sign_in, member_user, year):
    page = sign_in(member_user, language="zh-hans").get(f"/my/report-card/?year={YEAR}")
    summary = text(page).split("总积分", 1)[1]

    assert summary.split()[:4] == ["18", "等次", "优秀", "总排名"]
    assert summary.index("总排名") < summary.index("活动组") < summary.index("值班到岗")


def test_a_line_never_repeats_its_kind(sign_in, member_user, year):
    page = text(sign_in(member_user, language="zh-hans").get(f"/my/report-card/?year={YEAR}"))

    assert "委员进社区：西一路听民意、解民忧" in page
    assert "委员进社区：委员进社区" not in page
    # A title that does not name its kind is told with it; a proposal's names it (提案).
    assert "微协商：物业服务质量座谈" in page
    assert "关于老旧小区加装电梯的提案" in page and "提案：关于" not in page


def test_the_year_workbook_describes_the_lines_alike(year):
    descriptions = {description for _entry, description in cards.year_entries(YEAR)}

    assert "委员进社区：西一路听民意、解民忧" in descriptions
    assert not any("委员进社区：委员进社区" in d for d in descriptions)


@pytest.mark.usefixtures("english")
def test_a_points_figure_is_one_point_or_many():
    assert cards.points_words(Decimal("1.00")) == "1 point"
    assert cards.points_words(Decimal("-3")) == "-3 points"
    assert cards.points_words(Decimal("1.50")) == "1.50 points"  # as the lines show it


def test_names_in_the_years_table_never_wrap(sign_in, administrator, member, year):
    page = sign_in(administrator).get(f"/report-cards/{YEAR}/").content.decode()

    cell = re.search(
        rf'<td class="([^"]*)"[^>]*><a href="/report-cards/{YEAR}/{member.pk}/">', page
    )
    assert "nowrap" in cell.group(1).split()  # td.nowrap: white-space: nowrap (app.css)
