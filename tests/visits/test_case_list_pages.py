"""The case list's pages, by keyset cursor: every case shown once and in order both
ways, the links keeping the filters, a case added while paging, and cursors out of
every range."""

import re
from datetime import timedelta

import pytest

from visits.models import Case

from ..factories import open_case
from ..pages import html, listed
from ..stories import days_ago

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")


@pytest.fixture
def many_cases(staff, workstation, other_workstation) -> list[Case]:
    """123 cases at this workstation, in runs of six opened at the same instant (ties on
    the sort value are broken by id), and a few at another workstation."""
    start = days_ago(30)
    cases = [
        open_case(workstation=workstation, actor=staff, now=start + timedelta(minutes=i // 6))
        for i in range(123)
    ]
    for i in range(7):
        open_case(workstation=other_workstation, now=start + timedelta(seconds=30 * i))
    return cases


def walk(client, query: dict, direction: str, cursor: str = "") -> list:
    """Follow the page links one way until they end: each page's numbers and cursors."""
    pages = []
    while True:
        response = client.get("/cases/", {**query, **({direction: cursor} if cursor else {})})
        assert response.status_code == 200
        page = response.context["page"]
        pages.append((listed(response), page))
        cursor = page.next_cursor if direction == "after" else page.previous_cursor
        if not cursor:
            return pages


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("newest", lambda c: (c.created_at, c.pk), True),
        ("oldest", lambda c: (c.created_at, c.pk), False),
    ],
)
def test_following_the_pages_shows_every_case_once_in_order_both_ways(
    client, many_cases, workstation, sort, key, reverse
):
    cases = sorted(Case.objects.filter(workstation=workstation), key=key, reverse=reverse)
    expected = [c.number for c in cases]

    forward = walk(client, {"sort": sort}, "after")
    backward = walk(client, {"sort": sort}, "before", forward[-1][1].previous_cursor)

    assert [len(numbers) for numbers, _page in forward] == [50, 50, 23]
    assert [n for numbers, _page in forward for n in numbers] == expected
    assert [numbers for numbers, _page in reversed(backward)] == [n for n, _p in forward[:-1]]


def _cursor_to_last_page(client, sort: str) -> str:
    pages = walk(client, {"sort": sort}, "after")
    return pages[-2][1].next_cursor


def test_the_page_links_keep_the_filters(client, many_cases):
    response = client.get("/cases/", {"status": "registered", "sort": "oldest"})

    next_link = re.search(r'href="\?([^"]*)" rel="next"', html(response)).group(1)
    assert "status=registered" in next_link
    assert "sort=oldest" in next_link
    assert "after=" in next_link
    assert "after=" not in response.context["query"]


def test_the_first_page_has_no_previous_link_and_the_last_no_next_link(client, many_cases):
    first = client.get("/cases/")
    assert 'rel="prev"' not in html(first)
    assert 'rel="next"' in html(first)

    last = client.get("/cases/", {"after": _cursor_to_last_page(client, "newest")})
    assert 'rel="next"' not in html(last)
    assert 'rel="prev"' in html(last)


def test_a_case_added_while_paging_is_neither_shown_twice_nor_skipped_after_it(
    client, many_cases, staff, workstation
):
    first = client.get("/cases/", {"sort": "oldest"})
    open_case(workstation=workstation, actor=staff)  # the newest: belongs on the last page

    second = client.get("/cases/", {"sort": "oldest", "after": first.context["page"].next_cursor})

    assert not set(listed(first)) & set(listed(second))
    expected = list(
        Case.objects.filter(workstation=workstation)
        .order_by("created_at", "pk")
        .values_list("number", flat=True)[50:100]
    )
    assert listed(second) == expected


def test_a_cursor_naming_an_id_beyond_any_integer_gives_a_page_not_an_error(client, listing):
    # 2026-01-01T00:00:00+00:00|99999999999999999999999: well formed, out of every range.
    cursor = "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"

    response = client.get("/cases/", {"sort": "oldest", "after": cursor})

    assert response.status_code == 200
    assert listed(response) == [
        c.number
        for c in sorted(
            Case.objects.exclude(pk=listing.elsewhere.pk), key=lambda c: (c.created_at, c.pk)
        )
    ]
