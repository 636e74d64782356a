"""The public statistics page (`public.stats.statistics`): the figures with their
definitions, charts that read without script or inline style, the page cache for
visitors, and no citizen's personal data."""

import re
from datetime import date

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from public import figures
from public.stats import FIRST_YEAR, bar_chart, percent
from tests.signing import force_login

from ..factories import DepartmentFactory
from .test_figures import NAME, PHONE, YEAR, Loop, at, calendars, seed_year  # noqa: F401

URL = reverse("public:stats")


@pytest.fixture
def loop(staff) -> Loop:
    return Loop(staff)


@pytest.fixture
def year_2025(loop, workstation, other_workstation):
    """The year of test_figures, and two more followed cases referred to 区住建局: one
    acknowledged, one only sent. Followed cases: 6, of which 3 resolved or closed."""
    cases = seed_year(loop, workstation, other_workstation)
    housing = DepartmentFactory(name="区住建局")
    first = loop.refer(loop.open(workstation, at(2, 12)), housing, at(2, 12, 11), date(YEAR, 2, 20))
    loop.acknowledge(first, at(2, 13))
    loop.refer(loop.open(workstation, at(2, 14)), housing, at(2, 14, 11), date(YEAR, 2, 28))
    return cases


def visitor(language: str = "en") -> Client:
    """An anonymous visitor who chose a language (the site ignores Accept-Language)."""
    client = Client()
    client.cookies["django_language"] = language
    return client


def signed_in(user) -> Client:
    client = visitor()
    force_login(client, user)
    return client


def page(client: Client, query: str = f"?year={YEAR}"):
    response = client.get(URL + query)
    assert response.status_code == 200
    return response


def key_figures(content: str) -> dict[str, str]:
    """The key figures as the page prints them: label -> value."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd class=\"figure-value\">(.*?)</dd>", content)
    return dict(pairs)


def cache_lookup_queries() -> int:
    """A page served from the database cache costs its one SELECT; from Redis, none."""
    return 1 if isinstance(caches["default"], DatabaseCache) else 0


# --- the figures and their definitions ------------------------------------------------


def test_page_shows_the_headline_figures_of_the_year(year_2025):
    content = page(visitor()).content.decode()

    assert "The workstations in figures, 2025" in content
    assert key_figures(content) == {
        "Visits": "13",  # 11 in test_figures, 2 more for the referred cases
        "Citizens received": "17",
        "Followed cases": "6",  # a, b, c, e and the two referred
        "Closure rate": "50.0%",  # a, b, e
        "Average days to close": "2.5",
        "Satisfaction rate": "66.7%",  # a and e of a, c, e
        "Answered on the spot": "2",
        "Satisfaction with answers on the spot": "100.0%",
        # No activities or proposals in this year (tests/public/test_participation.py).
        "Activities": "0",
        "Community visits": "0",
        "Suggestions gathered": "0",
        "Donations (yuan)": "0.00",
        "Proposals filed": "0",
        "Proposals accepted for filing": "0",
        "Excellent proposals": "0",
        "Filing rate": "—",
        "Public-opinion reports adopted": "0",
        # No supervision in this year (tests/public/test_supervision_figures.py).
        "Supervisions": "0",
        "Share of supervisions answered in time": "—",
        "Supervisions waiting past their day": "0",
        "Share resolved after supervision": "—",
        # Still open, each past its step's deadline: b (resolved, awaiting its follow-up),
        # c (reopened, under consultation), f (submitted, not accepted) and the two
        # referred. The cases still registered were opened in 2024 and 2026 (m, l).
        "Overdue cases": "5",
    }


def test_every_figure_is_printed_with_its_definition(year_2025):
    content = page(visitor()).content.decode()

    with translation.override("en"):
        for key, definition in figures.DEFINITIONS.items():
            assert escape(str(definition)) in content, key
            assert escape(str(figures.LABELS[key])) in content, key


def test_department_table_shows_its_rates(year_2025):
    content = page(visitor()).content.decode()

    row = re.search(r"<th scope=\"row\">区住建局</th>(.*?)</tr>", content, re.S).group(1)
    cells = re.findall(r"<td class=\"number\"[^>]*>(.*?)</td>", row)
    # Two referrals, one acknowledged, none replied, both past their due date in February
    # 2025: late on any day the suite runs.
    assert cells == ["2", "50.0%", "0.0%", "—", "0.0%"]


def test_each_chart_is_an_svg_image_with_a_table_of_the_same_numbers(year_2025):
    content = page(visitor()).content.decode()

    assert content.count('role="img"') == 3
    assert content.count("<svg") == 3
    # 3 charts, statuses, the workstations' deadlines, departments (cards on a phone:
    # "figures-table stack")
    assert content.count('<table class="figures-table') == 6
    # January: one followed case (a); May: two answers on the spot.
    assert (
        '<tr><th scope="row">January</th><td class="number">1</td><td class="number">0</td></tr>'
        in content
    )
    assert (
        '<tr><th scope="row">May</th><td class="number">0</td><td class="number">2</td></tr>'
        in content
    )
    assert re.search(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#', content)


def test_page_needs_no_inline_style_or_script(year_2025):
    content = page(visitor()).content.decode()

    assert "style=" not in content
    assert "<style" not in content
    assert "<script" not in content
    assert "css/charts.css" in content


def test_page_shows_no_visitor_name_or_phone(year_2025):
    content = page(visitor()).content.decode()

    assert NAME not in content
    assert PHONE not in content
    assert "138****5678" not in content


def test_an_empty_year_shows_dashes_not_rates(db):
    content = page(visitor(), f"?year={FIRST_YEAR}").content.decode()

    assert "—" in content
    assert "No case was referred to a department in 2021." in content


@pytest.mark.parametrize("query", ["", "?year=abc", "?year=1999", "?year=3000", "?year=２０２５"])
def test_a_missing_or_unknown_year_shows_the_current_year(db, query):
    content = page(visitor(), query).content.decode()

    assert f"The workstations in figures, {timezone.localdate().year}" in content


def test_page_speaks_chinese_by_default(year_2025):
    response = page(Client())

    assert response.headers["Content-Language"] == "zh-hans"


def test_page_refuses_post(db):
    assert visitor().post(URL).status_code == 405


# --- the page cache ----------------------------------------------------------------------


def test_second_visitor_gets_the_stored_page_in_at_most_one_query(
    year_2025, django_assert_num_queries
):
    first = page(visitor())
    assert first.headers["X-Page-Cache"] == "miss"

    with django_assert_num_queries(cache_lookup_queries()):
        second = page(visitor())

    assert second.headers["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_first_visit_runs_as_many_queries_with_30_cases_as_with_3(db, loop, workstation):
    housing = DepartmentFactory(name="区住建局")

    def seed(count: int) -> None:
        for i in range(count):
            case = loop.open(workstation, at(3, 1 + i % 28, 9 + i % 8))
            if i % 3 == 0:
                loop.refer(case, housing, at(3, 1 + i % 28, 18), date(YEAR, 4, 30))
            elif i % 3 == 1:
                loop.resolve(case, at(3, 1 + i % 28, 19))

    def queries_of_a_first_visit() -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert page(visitor()).headers["X-Page-Cache"] == "miss"
        return len(queries)

    seed(3)
    with_3 = queries_of_a_first_visit()
    seed(27)
    assert queries_of_a_first_visit() == with_3


@pytest.mark.parametrize("persona", ["administrator", "staff"])
def test_signed_in_users_get_the_page_never_from_the_cache(year_2025, request, persona):
    page(visitor())  # stored for visitors
    client = signed_in(request.getfixturevalue(persona))

    response = page(client)

    assert "X-Page-Cache" not in response.headers
    assert key_figures(response.content.decode())["Closure rate"] == "50.0%"
    assert "no-store" in response.headers["Cache-Control"]


# --- chart geometry ------------------------------------------------------------------


def test_bars_are_scaled_to_the_largest_value():
    rows = [figures.CountRow(1, "一", 4, 0), figures.CountRow(2, "二", 2, 1)]

    chart = bar_chart("t", rows, title="T", definition="D", heading="H")

    longest = chart.rows[0].followed.width
    assert longest > 0
    assert chart.rows[1].followed.width == longest / 2
    assert chart.rows[1].on_spot.width == longest / 4
    assert chart.rows[0].on_spot.width == 0
    assert (chart.total_followed, chart.total_on_spot) == (6, 1)
    assert chart.rows[1].followed.y > chart.rows[0].on_spot.y


def test_a_chart_without_cases_draws_empty_bars():
    chart = bar_chart(
        "t", [figures.CountRow(1, "一", 0, 0)], title="T", definition="D", heading="H"
    )

    assert chart.rows[0].followed.width == chart.rows[0].on_spot.width == 0


def test_long_labels_are_shortened_in_the_chart_only():
    label = "长乐中路街道委员工作室党群服务中心"
    chart = bar_chart(
        "t", [figures.CountRow(1, label, 1, 0)], title="T", definition="D", heading="H"
    )

    assert chart.rows[0].label == label
    assert chart.rows[0].short_label.endswith("…")
    assert len(chart.rows[0].short_label) < len(label)


def test_percentages_have_one_decimal_and_a_dash_for_none():
    assert percent(0.82) == "82.0%"
    assert percent(2 / 3) == "66.7%"
    assert percent(None) == "—"


def test_markup_in_workstation_and_department_names_comes_out_escaped(loop, workstation):
    script = "<script>alert(1)</script>"
    workstation.name = f"工作室{script}"
    workstation.save()
    department = DepartmentFactory(name=f"部门{script}")
    loop.refer(loop.open(workstation, at(3, 3)), department, at(3, 3, 11), date(YEAR, 3, 20))

    content = page(visitor(), f"?year={YEAR}").content.decode()

    assert "<script" not in content
    assert "工作室&lt;script&gt;" in content and "部门&lt;script&gt;" in content
