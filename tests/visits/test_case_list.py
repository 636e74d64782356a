"""The case list (`visits.views.case_list`): each filter, the search in Chinese text and
tracking numbers, the sort orders, and whatever falls outside them falling back to the
default. Its pages (keyset cursors) are tested in test_case_list_pages.py."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from visits.models import Case

from ..factories import DepartmentFactory
from ..pages import html, listed
from ..stories import answered

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")


def table_rows(response) -> dict[str, str]:
    """Each case row of the page's tables by tracking number."""
    found = re.finditer(
        r'<tr>\s*<td[^>]*><a href="/cases/(XC-[\d-]+)/">.*?</tr>', html(response), re.S
    )
    return {m.group(1): m.group(0) for m in found}


# --- the case list ----------------------------------------------------------------------


OWN = {"property_case", "overdue_case", "elderly_case", "answered_case"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, OWN),
        ({"status": "consulting"}, {"elderly_case"}),
        ({"status": "closed"}, {"answered_case"}),
        ({"category": "fire_safety"}, {"overdue_case"}),
        ({"category": "property"}, {"property_case"}),
        ({"department": "lead"}, {"overdue_case"}),
        ({"department": "co"}, {"overdue_case"}),
        ({"department": "unused"}, set()),
        ({"member": "member"}, {"property_case"}),
        ({"member": "second"}, {"overdue_case"}),
        ({"overdue": "on"}, {"overdue_case"}),
        ({"workstation": "own"}, OWN),
        ({"created_from": 5}, {"elderly_case", "answered_case"}),
        ({"created_to": 5}, {"property_case", "overdue_case"}),
        ({"created_from": 11, "created_to": 9}, {"property_case"}),
        ({"created_from": 0, "created_to": 0}, {"answered_case"}),
        ({"status": "registered", "category": "property"}, {"property_case"}),
        ({"status": "registered", "category": "fire_safety"}, set()),
    ],
    ids=lambda v: "-".join(f"{k}={w}" for k, w in v.items()) if isinstance(v, dict) else None,
)
def test_each_filter_lists_exactly_the_matching_cases(
    client, listing, workstation, departments, query, expected
):
    params = {}
    for key, value in query.items():
        if key == "department":
            lead, co = departments
            params[key] = {
                "lead": lead.pk,
                "co": co.pk,
                "unused": DepartmentFactory(name="区信访局").pk,
            }[value]
        elif key == "member":
            params[key] = listing.members[value].pk
        elif key == "workstation":
            params[key] = workstation.pk
        elif key.startswith("created_"):
            params[key] = (timezone.localdate() - timedelta(days=value)).isoformat()
        else:
            params[key] = value

    response = client.get("/cases/", params)

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(listing.number(name) for name in expected)
    assert listing.elsewhere.number not in html(response)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # in a title, a description, and the consultation's note ("约物业和居民代表微协商")
        ("物业", {"property_case", "overdue_case", "elderly_case"}),
        ("居民代表", {"elderly_case"}),
        ("电梯", {"property_case"}),
        ("助餐", {"elderly_case"}),
        ("  失业金 ", {"answered_case"}),
        ("消防隐患", {"overdue_case"}),
        ("养老院", set()),
    ],
)
def test_searching_chinese_text_finds_it_in_titles_descriptions_and_notes(
    client, listing, q, expected
):
    response = client.get("/cases/", {"q": q})

    assert sorted(listed(response)) == sorted(listing.number(name) for name in expected)


def test_searching_a_tracking_number_finds_that_case_in_any_letter_case(client, listing):
    number = listing.elderly_case.number

    assert listed(client.get("/cases/", {"q": number})) == [number]
    assert listed(client.get("/cases/", {"q": number.lower()})) == [number]
    assert listed(client.get("/cases/", {"q": number[-6:]})) == [number]


def test_a_search_never_finds_another_workstations_cases(client, listing):
    response = client.get("/cases/", {"q": "胡家庙"})

    assert listed(response) == []
    assert "No case matches." in html(response)


def test_staff_cannot_filter_the_list_to_another_workstation(client, listing, other_workstation):
    response = client.get("/cases/", {"workstation": other_workstation.pk})

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(listing.number(n) for n in OWN)
    assert listing.elsewhere.number not in html(response)
    assert other_workstation.name not in html(response)


def test_an_administrator_can_filter_the_list_to_any_workstation(
    sign_in, administrator, listing, other_workstation
):
    response = sign_in(administrator).get("/cases/", {"workstation": other_workstation.pk})

    assert listed(response) == [listing.elsewhere.number]


def test_overdue_rows_are_marked_overdue(client, listing):
    rows = table_rows(client.get("/cases/"))

    assert "overdue" in rows[listing.overdue_case.number]
    assert "overdue" not in rows[listing.property_case.number]


@pytest.mark.parametrize(
    ("sort", "key", "reverse"),
    [
        ("newest", lambda c: (c.created_at, c.pk), True),
        ("", lambda c: (c.created_at, c.pk), True),
        ("oldest", lambda c: (c.created_at, c.pk), False),
    ],
)
def test_the_list_is_sorted_as_asked(client, listing, sort, key, reverse):
    expected = sorted(Case.objects.exclude(pk=listing.elsewhere.pk), key=key, reverse=reverse)

    assert listed(client.get("/cases/", {"sort": sort})) == [c.number for c in expected]


def test_sorting_by_deadline_lists_the_cases_that_have_one_earliest_first(
    client, world, workstation
):
    later = world.referred(workstation)  # signed for within two working days
    earlier = world.overdue(workstation)
    latest = world.registered(workstation)  # first handled within five
    answered(workstation=workstation, actor=world.actor, note="已解答")  # ended: no deadline

    assert listed(client.get("/cases/", {"sort": "deadline"})) == [
        earlier.number,
        later.number,
        latest.number,
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"category": "<script>"},
        {"sort": "visit__visitor_name"},
        {"sort": "-created_at"},
        {"sort": "updated_at"},
        {"workstation": "abc"},
        {"workstation": "999999"},
        {"department": "1 OR 1=1"},
        {"member": "-1"},
        {"created_from": "2026-02-30"},
        {"created_to": "tomorrow"},
        {"q": "物" * 101},
        {"after": "not-a-cursor"},
        {"before": "%%%"},
        {"after": "MjAyNi0wMS0wMXwx"},  # 2026-01-01|1: no time zone, not written here
        {"after": "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx"},  # 0001-01-01T00:00+14:00|1
        {"after": "OTk5OS0xMi0zMVQyMzo1OTo1OS0xNDowMHwx"},  # 9999-12-31T23:59:59-14:00|1
        {"before": "MjAyNi0xMy0wMVQwMDowMDowMCswMDowMHwx"},  # month 13
    ],
    ids=lambda q: "&".join(f"{k}={v[:20]}" for k, v in q.items()),
)
def test_a_filter_sort_or_cursor_outside_what_is_allowed_falls_back_to_the_default(
    client, listing, query
):
    response = client.get("/cases/", query)

    assert response.status_code == 200
    newest_first = sorted(
        Case.objects.exclude(pk=listing.elsewhere.pk),
        key=lambda c: (c.created_at, c.pk),
        reverse=True,
    )
    assert listed(response) == [c.number for c in newest_first]


def test_a_case_title_with_markup_is_shown_as_text(client, world, workstation):
    world.registered(workstation, title='<script>alert("x")</script>')

    page = html(client.get("/cases/"))

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
