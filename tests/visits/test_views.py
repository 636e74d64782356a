"""The staff pages (`visits.views`) as workstation staff use them: the dashboard, logging
a visit, the case list, the case page and its steps, query counts and headers.

Who may see what is tested in test_access.py, exports in test_exports.py, and the
lifecycle rules themselves in test_lifecycle.py: here each page is driven through
HTTP and its effects are read back from the database and the page.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from members.models import Member
from visits import lifecycle
from visits.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseStatus,
    EventKind,
    Referral,
    ReferralRole,
    ReferralState,
    Satisfaction,
    Visit,
)
from workdays.calendar import add_working_days

from ..factories import (
    DepartmentFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    open_case,
)
from .conftest import ADDRESS, MASKED_NAME, MASKED_PHONE, NAME, PHONE, days_ago
from .pages import NUMBER, errors_next_to, html, listed, offered_actions, queries_for, section
from .posts import local_minutes, visit_data

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

S = CaseStatus


@pytest.fixture
def client(sign_in, staff):
    return sign_in(staff)


def table_rows(response) -> dict[str, str]:
    """Each case row of the page's tables by tracking number."""
    found = re.finditer(
        r'<tr>\s*<td[^>]*><a href="/cases/(XC-[\d-]+)/">.*?</tr>', html(response), re.S
    )
    return {m.group(1): m.group(0) for m in found}


def figures(response) -> dict[str, int]:
    """The dashboard's open-case cards: status label -> count."""
    cards = re.findall(r'<div class="figure">(\d+)</div><div>([^<]+)</div>', html(response))
    return {label: int(n) for n, label in cards}


# --- dashboard ------------------------------------------------------------------------


def test_the_dashboard_counts_the_open_cases_of_the_users_workstations_by_status(
    client, world, workstation, other_workstation
):
    world.registered(workstation)
    world.registered(workstation)
    world.consulting(workstation)
    world.overdue(workstation)
    world.replied(workstation)
    world.resolved(workstation)
    world.closed(workstation)
    world.submitted(workstation)
    world.registered(other_workstation)
    world.overdue(other_workstation)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert figures(response) == {
        "Submitted online": 1,
        "Registered": 2,
        "Consulting": 1,
        "Referred": 1,
        "Department replied": 1,
        "Resolved": 1,
    }
    assert "Open cases: 7" in html(response)


def test_the_administrators_dashboard_counts_every_workstation(
    sign_in, administrator, world, workstation, other_workstation
):
    world.registered(workstation)
    world.registered(other_workstation)
    world.overdue(other_workstation)

    response = sign_in(administrator).get("/dashboard/")

    assert figures(response)["Registered"] == 2
    assert figures(response)["Referred"] == 1
    assert "Open cases: 3" in html(response)


def test_the_dashboard_lists_the_overdue_cases_and_none_of_another_workstations(
    client, world, staff, workstation, other_workstation
):
    past_reply = world.overdue(workstation)
    # Resolved long ago and never followed up with the citizen: overdue as well.
    past_follow_up = open_case(workstation=workstation, actor=staff, now=days_ago(40))
    lifecycle.case_resolve(case=past_follow_up, actor=staff, note="已解决", now=days_ago(30))
    not_yet_due = world.referred(workstation)
    elsewhere = world.overdue(other_workstation)

    response = client.get("/dashboard/")

    overdue = listed(response, start="overdue-heading", end="waiting-heading")
    assert sorted(overdue) == sorted([past_reply.number, past_follow_up.number])
    assert not_yet_due.number not in html(response)
    assert elsewhere.number not in html(response)
    assert "overdue" in section(response, "overdue-heading", "waiting-heading")


def test_the_dashboard_lists_the_cases_waiting_for_staff_action(client, world, workstation):
    submitted = world.submitted(workstation)
    replied = world.replied(workstation)
    resolved = world.resolved(workstation)
    registered = world.registered(workstation)

    response = client.get("/dashboard/")

    waiting = listed(response, start="waiting-heading", end="duty-heading")
    assert {submitted.number, replied.number, resolved.number} <= set(waiting)
    assert registered.number not in waiting
    assert all(
        Case.objects.get(number=n).status in (S.SUBMITTED, S.REPLIED, S.RESOLVED) for n in waiting
    )


def test_the_dashboard_shows_this_weeks_duty_shifts_at_the_users_workstations_only(
    client, workstation, other_workstation
):
    today = timezone.localdate()
    here = DutyShiftFactory(workstation=workstation, date=today, theme="物业纠纷专场")
    DutyAssignmentFactory(
        shift=here, member=MemberFactory(name="张律师", home_workstation=workstation)
    )
    DutyShiftFactory(workstation=workstation, date=today + timedelta(days=7), theme="下周专场")
    elsewhere = DutyShiftFactory(workstation=other_workstation, date=today, theme="胡家庙专场")
    DutyAssignmentFactory(
        shift=elsewhere, member=MemberFactory(name="胡委员", home_workstation=other_workstation)
    )

    response = client.get("/dashboard/")

    duty = section(response, "duty-heading")
    assert "物业纠纷专场" in duty
    assert "张律师" in duty
    assert "today" in duty
    assert "下周专场" not in duty
    assert "胡家庙专场" not in duty
    assert "胡委员" not in duty


def test_a_shift_nobody_is_assigned_to_is_flagged_on_the_dashboard(client, workstation):
    DutyShiftFactory(workstation=workstation, theme="无人值守")

    duty = section(client.get("/dashboard/"), "duty-heading")

    assert "无人值守" in duty
    assert "nobody" in duty


def test_the_dashboard_offers_staff_the_button_to_log_a_visit(client, workstation):
    assert 'href="/visits/new/"' in section(client.get("/dashboard/"), "main", "open-heading")


# --- logging a visit --------------------------------------------------------------------


def nothing_saved() -> bool:
    return (
        not Visit.objects.exists()
        and not Case.objects.exists()
        and not CaseEvent.objects.exists()
        and not AuditEntry.objects.exists()
    )


def test_the_visit_form_defaults_to_now_the_only_workstation_and_a_fresh_submission_id(
    client, workstation
):
    response = client.get("/visits/new/")

    form = response.context["form"]
    assert response.status_code == 200
    assert form["workstation"].value() == workstation.pk
    assert uuid.UUID(str(form["submission_id"].value()))
    shown = re.search(r'name="visited_at" value="([^"]+)"', html(response)).group(1)
    assert shown in {local_minutes(timezone.now() - timedelta(minutes=m)) for m in (0, 1)}
    again = client.get("/visits/new/").context["form"]["submission_id"].value()
    assert again != form["submission_id"].value()


def test_the_visit_form_lists_the_members_on_duty_now_first(client, workstation, other_workstation):
    MemberFactory(name="安委员", home_workstation=workstation)
    on_duty = MemberFactory(name="胡委员", home_workstation=other_workstation)
    shift = DutyShiftFactory(
        workstation=workstation, starts_at=time(0, 0), ends_at=time(23, 59, 59)
    )
    DutyAssignmentFactory(shift=shift, member=on_duty)
    MemberFactory(name="别处委员", home_workstation=other_workstation)

    response = client.get("/visits/new/")

    offered = [m.name for m in response.context["form"].fields["receiving_members"].queryset]
    assert offered == ["胡委员", "安委员"]
    page = html(response)
    assert page.index("胡委员") < page.index("安委员")
    assert "别处委员" not in page


def test_logging_a_visit_saves_it_with_a_case_to_follow_and_an_answered_issue(
    client, staff, workstation, member
):
    response = client.post("/visits/new/", visit_data(workstation, members=[member]))

    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/visits/{visit.pk}/"
    assert visit.workstation == workstation
    assert visit.created_by == staff
    assert visit.visitor_phone == PHONE
    assert visit.visitor_count == 2
    assert list(visit.receiving_members.all()) == [member]

    followed, answered = Case.objects.filter(visit=visit).order_by("pk")
    assert NUMBER.fullmatch(followed.number) and NUMBER.fullmatch(answered.number)
    assert followed.number != answered.number
    assert (followed.title, followed.category, followed.status) == (
        "小区物业长期不作为",
        "property",
        S.REGISTERED,
    )
    assert followed.description == "电梯坏了三个月无人修"
    assert not followed.answered_on_spot
    assert (answered.status, answered.satisfaction, answered.answered_on_spot) == (
        S.CLOSED,
        Satisfaction.SATISFIED,
        True,
    )
    assert list(followed.handling_members.all()) == [member]
    assert list(answered.handling_members.all()) == [member]

    registered = followed.events.get()
    assert (registered.kind, registered.actor, registered.to_status) == (
        EventKind.REGISTERED,
        staff,
        S.REGISTERED,
    )
    spot = answered.events.get()
    assert (spot.kind, spot.actor, spot.note) == (
        EventKind.ANSWERED,
        staff,
        "已讲解灵活就业社保缴费政策",
    )

    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.ip_address) == (
        staff,
        AuditEntry.Action.VISIT,
        f"visit {visit.pk}",
        "127.0.0.1",
    )
    assert entry.detail == f"{followed.number}, {answered.number}"
    assert PHONE not in entry.detail


def test_after_logging_a_visit_its_page_shows_both_numbers_and_masks_the_visitor(
    client, workstation
):
    response = client.post("/visits/new/", visit_data(workstation), follow=True)

    page = html(response)
    numbers = list(Case.objects.order_by("pk").values_list("number", flat=True))
    assert f"Visit logged: {numbers[0]}、{numbers[1]}" in page
    assert all(f'href="/cases/{n}/"' in page for n in numbers)
    assert MASKED_PHONE in page and MASKED_NAME in page
    assert PHONE not in page and NAME not in page


def test_a_visit_with_only_an_issue_answered_on_the_spot_opens_no_case_to_follow(
    client, workstation
):
    data = visit_data(workstation, **{"issues-TOTAL_FORMS": "1"})
    data.update(
        {k.replace("issues-1-", "issues-0-"): v for k, v in data.items() if "issues-1-" in k}
    )

    client.post("/visits/new/", data)

    case = Case.objects.get()
    assert (case.status, case.answered_on_spot) == (S.CLOSED, True)


def test_an_untouched_optional_issue_block_is_ignored(client, workstation):
    form = html(client.get("/visits/new/"))
    # What a browser posts for a block nobody touched: every select on its first option.
    category = re.search(r'<select name="issues-1-category"[^>]*>\s*<option value="([^"]*)"', form)
    satisfaction = re.search(
        r'<select name="issues-1-satisfaction"[^>]*>\s*<option value="([^"]*)"', form
    )
    blanks = {f"issues-1-{name}": "" for name in ("title", "description", "answer")}
    blanks["issues-1-category"] = category.group(1)
    blanks["issues-1-satisfaction"] = satisfaction.group(1)

    response = client.post("/visits/new/", visit_data(workstation, **blanks))

    assert response.status_code == 302
    assert Case.objects.get().title == "小区物业长期不作为"


TOO_LONG = "长" * 4001


@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"issues-0-title": ""}, "id_issues-0-title", "This field is required."),
        (
            {"visitor_phone": "1381234567"},
            "id_visitor_phone",
            "Enter a mobile number (11 digits) or a landline such as 029-87654321.",
        ),
        (
            {"visitor_phone": "138-1234-5678<b>"},
            "id_visitor_phone",
            "Enter a mobile number (11 digits) or a landline such as 029-87654321.",
        ),
        (
            {"visited_at": local_minutes(timezone.now() + timedelta(days=1))},
            "id_visited_at",
            "A visit cannot be in the future.",
        ),
        ({"visited_at": "yesterday"}, "id_visited_at", "Enter a valid date/time."),
        (
            {"issues-1-satisfaction": ""},
            "id_issues-1-satisfaction",
            "Ask the citizen how satisfied they are with the answer.",
        ),
        (
            {"issues-1-satisfaction": "unsatisfied"},
            "id_issues-1-satisfaction",
            "An unsatisfied citizen's issue is followed as a case: clear the answer.",
        ),
        (
            {"issues-0-satisfaction": "basically"},
            "id_issues-0-answer",
            "Write down the answer given on the spot.",
        ),
        ({"issues-0-category": "gossip"}, "id_issues-0-category", "Select a valid choice."),
        (
            {"visitor_count": "0"},
            "id_visitor_count",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            {"visitor_count": "40000"},
            "id_visitor_count",
            "Ensure this value is less than or equal to 200.",
        ),
        (
            {"visitor_name": "王" * 31},
            "id_visitor_name",
            "Ensure this value has at most 30 characters (it has 31).",
        ),
        (
            {"issues-0-title": "物" * 101},
            "id_issues-0-title",
            "Ensure this value has at most 100 characters (it has 101).",
        ),
        (
            {"issues-0-description": TOO_LONG},
            "id_issues-0-description",
            "Ensure this value has at most 4000 characters (it has 4001).",
        ),
        (
            {"issues-1-answer": TOO_LONG},
            "id_issues-1-answer",
            "Ensure this value has at most 4000 characters (it has 4001).",
        ),
        (
            {"summary": TOO_LONG},
            "id_summary",
            "Ensure this value has at most 4000 characters (it has 4001).",
        ),
        (
            {"visitor_address": "址" * 201},
            "id_visitor_address",
            "Ensure this value has at most 200 characters (it has 201).",
        ),
    ],
    ids=[
        "no-title",
        "short-phone",
        "phone-with-markup",
        "future",
        "not-a-time",
        "answer-without-satisfaction",
        "unsatisfied-on-the-spot",
        "satisfaction-without-answer",
        "unknown-category",
        "no-visitors",
        "a-crowd",
        "long-name",
        "long-title",
        "long-description",
        "long-answer",
        "long-summary",
        "long-address",
    ],
)
def test_a_bad_visit_is_refused_with_the_message_next_to_its_field_and_nothing_saved(
    client, workstation, overrides, field_id, message
):
    response = client.post("/visits/new/", visit_data(workstation, **overrides))

    assert response.status_code == 200
    assert any(e.startswith(message) for e in errors_next_to(response, field_id)), errors_next_to(
        response, field_id
    )
    assert "is violated" not in html(response)
    assert nothing_saved()
    # What was typed stays in the form, so nothing has to be typed again.
    assert "小区物业长期不作为" in html(response) or "issues-0-title" in overrides


def test_a_refused_visit_uses_up_no_tracking_number(client, workstation):
    client.post("/visits/new/", visit_data(workstation, **{"issues-0-title": ""}))
    client.post("/visits/new/", visit_data(workstation))

    first = Case.objects.order_by("pk").first()
    assert first.number.endswith("-000001")


def test_a_visit_raising_no_issue_is_refused(client, workstation):
    blank = {
        f"issues-{i}-{name}": ""
        for i in (0, 1)
        for name in ("title", "category", "description", "answer", "satisfaction")
    }

    response = client.post("/visits/new/", visit_data(workstation, **blank))

    assert response.status_code == 200
    assert "This field is required." in errors_next_to(response, "id_issues-0-title")
    assert nothing_saved()


def test_a_visit_for_another_workstation_is_refused(client, workstation, other_workstation):
    response = client.post(
        "/visits/new/", visit_data(workstation) | {"workstation": str(other_workstation.pk)}
    )

    assert response.status_code == 200
    assert errors_next_to(response, "id_workstation") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert nothing_saved()


def test_a_visit_for_a_workstation_that_does_not_exist_is_refused(client, workstation):
    response = client.post("/visits/new/", visit_data(workstation) | {"workstation": "999999"})

    assert errors_next_to(response, "id_workstation")
    assert nothing_saved()


def test_a_visit_received_by_a_member_of_another_workstation_is_refused(
    client, workstation, member, other_member
):
    response = client.post("/visits/new/", visit_data(workstation, members=[member, other_member]))

    assert response.status_code == 200
    assert errors_next_to(response, "id_receiving_members") == [
        f"Select a valid choice. {other_member.pk} is not one of the available choices."
    ]
    assert nothing_saved()


def test_a_visit_received_by_a_member_id_that_is_not_a_number_is_refused(client, workstation):
    response = client.post("/visits/new/", visit_data(workstation, receiving_members=["x"]))

    assert errors_next_to(response, "id_receiving_members")
    assert nothing_saved()


def test_the_same_visit_posted_twice_is_saved_once_and_the_second_post_shows_the_first(
    client, workstation
):
    data = visit_data(workstation)

    first = client.post("/visits/new/", data)
    second = client.post("/visits/new/", data, follow=True)

    visit = Visit.objects.get()
    assert first["Location"] == f"/visits/{visit.pk}/"
    assert second.redirect_chain == [(f"/visits/{visit.pk}/", 302)]
    assert "This visit was already logged." in html(second)
    assert Case.objects.count() == 2
    assert CaseEvent.objects.count() == 2
    assert AuditEntry.objects.count() == 1
    # The refused duplicate took no tracking numbers either.
    assert CaseNumberSequence.objects.get().last == 2


def test_two_visits_with_their_own_submission_ids_are_both_saved(client, workstation):
    client.post("/visits/new/", visit_data(workstation))
    client.post("/visits/new/", visit_data(workstation))

    assert Visit.objects.count() == 2
    assert Case.objects.count() == 4


# --- the case list ----------------------------------------------------------------------


@dataclass
class Listing:
    """Cases at both workstations, each of which one filter below singles out."""

    property_case: Case
    overdue_case: Case
    elderly_case: Case
    answered_case: Case
    elsewhere: Case
    members: dict[str, Member] = field(default_factory=dict)

    def number(self, name: str) -> str:
        return getattr(self, name).number


@pytest.fixture
def listing(world, staff, workstation, other_workstation, member) -> Listing:
    second_member = MemberFactory(name="赵委员", home_workstation=workstation)
    property_case = world.registered(
        workstation,
        at=days_ago(10),
        title="小区物业不作为",
        description="电梯长期停运",
        members=[member],
    )
    overdue_case = world.overdue(
        workstation,
        title="群租房消防隐患",
        category=Case.Category.FIRE_SAFETY,
        description="楼道堆放杂物，物业不管",
        members=[second_member],
    )
    elderly_case = world.consulting(
        workstation, at=days_ago(3), title="老人助餐点太远", category=Case.Category.ELDERLY_CARE
    )
    answered_case = open_case(
        workstation=workstation,
        actor=staff,
        action=lifecycle.Action.ANSWER,
        satisfaction=Satisfaction.SATISFIED,
        note="已解答",
        title="失业金申领",
        category=Case.Category.EMPLOYMENT,
    )
    elsewhere = world.registered(other_workstation, title="胡家庙小区物业费上涨", at=days_ago(10))
    return Listing(
        property_case,
        overdue_case,
        elderly_case,
        answered_case,
        elsewhere,
        {"member": member, "second": second_member},
    )


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
        ("物业", {"property_case", "overdue_case"}),  # in a title, and in a description
        ("电梯", {"property_case"}),
        ("助餐", {"elderly_case"}),
        ("  失业金 ", {"answered_case"}),
        ("消防隐患", {"overdue_case"}),
        ("养老院", set()),
    ],
)
def test_searching_chinese_text_finds_it_in_titles_and_descriptions(client, listing, q, expected):
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
    later = world.referred(workstation)
    earlier = world.overdue(workstation)
    world.registered(workstation)

    assert listed(client.get("/cases/", {"sort": "deadline"})) == [earlier.number, later.number]


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


# --- keyset pages -----------------------------------------------------------------------


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


# --- the case page ----------------------------------------------------------------------


def test_the_case_page_shows_the_facts_the_referrals_and_the_whole_timeline(
    client, world, workstation, member
):
    case = world.replied(workstation, members=[member], description="电梯停运三个月")

    response = client.get(f"/cases/{case.number}/")

    page = html(response)
    assert response.status_code == 200
    assert case.title in page
    assert "电梯停运三个月" in page
    assert member.name in section(response, "facts-heading", "visitor-heading")
    referrals = section(response, "referrals-heading", "timeline-heading")
    assert "区住建局" in referrals and "区消防救援大队" in referrals
    assert "Lead" in referrals and "Co-handling" in referrals
    assert "已约谈物业公司，限期整改" in referrals
    timeline = section(response, "timeline-heading", "actions-heading")
    kinds = re.findall(r"<strong>([^<]+)</strong>", timeline)
    assert kinds == ["Registered", "Referred", "Referred", "Department replied"]
    assert "转住建局" in timeline
    assert timeline.count("liaison") == 4


def test_the_case_page_masks_the_visitors_contact_details(client, world, workstation):
    case = world.registered(workstation)

    page = html(client.get(f"/cases/{case.number}/"))

    assert MASKED_PHONE in page
    assert MASKED_NAME in page
    assert PHONE not in page
    assert NAME not in page
    assert ADDRESS not in page
    assert f'action="/cases/{case.number}/reveal/"' in page


def test_revealing_shows_the_contact_details_and_records_who_looked_from_where(
    sign_in, staff, world, workstation
):
    case = world.registered(workstation)
    client = sign_in(staff, REMOTE_ADDR="10.20.30.40")

    response = client.post(f"/cases/{case.number}/reveal/")

    page = html(response)
    assert response.status_code == 200
    assert PHONE in page and NAME in page and ADDRESS in page
    assert MASKED_PHONE not in page
    assert f'action="/cases/{case.number}/reveal/"' not in page
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.ip_address) == (
        staff,
        AuditEntry.Action.REVEAL,
        case.number,
        "10.20.30.40",
    )
    assert PHONE not in entry.detail
    assert "no-store" in response["Cache-Control"]


def test_revealing_twice_is_recorded_twice(client, world, workstation):
    case = world.registered(workstation)

    client.post(f"/cases/{case.number}/reveal/")
    client.post(f"/cases/{case.number}/reveal/")

    assert AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).count() == 2


def test_the_contact_details_are_masked_again_on_the_next_visit_to_the_page(
    client, world, workstation
):
    case = world.registered(workstation)
    client.post(f"/cases/{case.number}/reveal/")

    assert PHONE not in html(client.get(f"/cases/{case.number}/"))


def test_a_note_with_markup_is_shown_as_text_on_the_timeline(client, world, staff, workstation):
    case = world.registered(workstation)
    lifecycle.case_note(case=case, actor=staff, note="<img src=x onerror=alert(1)>")

    page = html(client.get(f"/cases/{case.number}/"))

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize(
    ("make", "offered"),
    [
        ("submitted", {"accept", "merge", "reject", "withdraw", "note"}),
        (
            "registered",
            {"consult", "refer", "resolve", "merge", "reject", "withdraw", "note"},
        ),
        (
            "referred",
            {"consult", "refer", "acknowledge", "reply", "return", "withdraw", "note"},
        ),
        (
            "replied",
            {"consult", "refer", "acknowledge", "reply", "return", "resolve", "withdraw", "note"},
        ),
        ("closed", {"note"}),
    ],
)
def test_the_case_page_offers_exactly_the_steps_the_status_allows(
    client, world, workstation, make, offered
):
    case = getattr(world, make)(workstation)

    assert offered_actions(client.get(f"/cases/{case.number}/")) == offered


def test_a_member_is_offered_only_to_consult_and_to_add_a_note(sign_in, member, world, workstation):
    case = world.registered(workstation, members=[member])

    response = sign_in(member.user).get(f"/cases/{case.number}/")

    assert offered_actions(response) == {"consult", "note"}


# --- the steps, posted from the case page ------------------------------------------------


def snapshot(case: Case) -> tuple:
    """Everything a step could change: the case row, its referrals, events and the audit log."""
    return (
        Case.objects.filter(pk=case.pk).values().get(),
        list(Referral.objects.filter(case=case).order_by("pk").values()),
        list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)),
        AuditEntry.objects.count(),
    )


def act(client, case: Case, action: str, seen_status: str | None = None, **fields):
    """Post one step's form as the case page renders it (fields carry the step's prefix)."""
    seen = seen_status or Case.objects.get(pk=case.pk).status
    data = {f"{action}-seen_status": seen, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(f"/cases/{case.number}/{action}/", data)


def lead_of(case: Case) -> Referral:
    return case.referrals.get(role=ReferralRole.LEAD, state__in=["sent", "acknowledged"])


@dataclass
class Step:
    make: str
    action: str
    fields: Callable[[Case], dict]
    status: str
    event: str
    check: Callable[[Case], bool] = lambda case: True
    note: str = ""


STEPS = [
    Step(
        "submitted",
        "accept",
        lambda c: {"note": "已核实"},
        S.REGISTERED,
        EventKind.ACCEPTED,
        note="已核实",
    ),
    Step(
        "registered",
        "consult",
        lambda c: {"method": "micro", "note": "物业、业委会和居民代表当面协商"},
        S.CONSULTING,
        EventKind.CONSULTED,
        # Kept in the office's language even though this client browses in English.
        note="微协商：物业、业委会和居民代表当面协商",
    ),
    Step(
        "referred",
        "acknowledge",
        lambda c: {"referral": lead_of(c).pk},
        S.REFERRED,
        EventKind.ACKNOWLEDGED,
        check=lambda c: (
            c.referrals.get(role="lead").state == ReferralState.ACKNOWLEDGED
            and c.referrals.get(role="lead").acknowledged_at is not None
        ),
    ),
    Step(
        "referred",
        "reply",
        lambda c: {"referral": lead_of(c).pk, "reply": "已责令物业限期维修电梯"},
        S.REPLIED,
        EventKind.REPLIED,
        check=lambda c: c.referrals.get(role="lead").reply == "已责令物业限期维修电梯",
        note="已责令物业限期维修电梯",
    ),
    Step(
        "referred",
        "return",
        lambda c: {"referral": lead_of(c).pk, "reason": "不属于本部门职责"},
        S.REFERRED,
        EventKind.RETURNED,
        check=lambda c: (
            c.referrals.get(role="lead").state == ReferralState.RETURNED
            and c.referrals.get(role="lead").return_reason == "不属于本部门职责"
        ),
        note="不属于本部门职责",
    ),
    Step(
        "replied",
        "resolve",
        lambda c: {"note": "电梯已修复", "public_summary": "小区电梯已修复"},
        S.RESOLVED,
        EventKind.RESOLVED,
        check=lambda c: c.resolved_at is not None and c.public_summary == "小区电梯已修复",
        note="电梯已修复",
    ),
    Step(
        "resolved",
        "close",
        lambda c: {"satisfaction": "basically", "note": "居民基本满意"},
        S.CLOSED,
        EventKind.CLOSED,
        check=lambda c: c.satisfaction == Satisfaction.BASICALLY and c.closed_at is not None,
        note="居民基本满意",
    ),
    Step(
        "resolved",
        "close",
        lambda c: {"satisfaction": "unsatisfied", "note": "电梯又坏了"},
        S.CONSULTING,
        EventKind.REOPENED,
        check=lambda c: c.satisfaction == Satisfaction.UNSATISFIED and c.resolved_at is None,
        note="电梯又坏了",
    ),
    Step(
        "registered",
        "reject",
        lambda c: {"reason": "属于诉讼程序，不予受理"},
        S.REJECTED,
        EventKind.REJECTED,
        note="属于诉讼程序，不予受理",
    ),
    Step(
        "consulting",
        "withdraw",
        lambda c: {"confirm": "on", "note": "居民已自行解决"},
        S.WITHDRAWN,
        EventKind.WITHDRAWN,
        note="居民已自行解决",
    ),
    Step(
        "replied",
        "note",
        lambda c: {"note": "居民来电询问进度"},
        S.REPLIED,
        EventKind.NOTE,
        note="居民来电询问进度",
    ),
]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: f"{s.action}-from-{s.make}-to-{s.status}")
def test_each_step_posted_from_the_case_page_changes_the_case_and_is_audited(
    client, staff, world, workstation, step
):
    case = getattr(world, step.make)(workstation)
    events_before = case.events.count()

    response = act(client, case, step.action, **step.fields(case))

    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == f"/cases/{case.number}/"
    case.refresh_from_db()
    assert case.status == step.status
    assert step.check(case)
    assert case.events.count() == events_before + 1
    event = case.events.order_by("-at", "-pk").first()
    assert (event.kind, event.actor) == (step.event, staff)
    assert event.note == step.note or not step.note
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.detail, entry.ip_address) == (
        staff,
        AuditEntry.Action.TRANSITION,
        case.number,
        step.action,
        "127.0.0.1",
    )


def errors_of(response) -> str:
    form = (response.context or {}).get("action_forms")
    return str([f.errors for f in form if f.is_bound]) if form else ""


def test_referring_to_a_lead_and_a_co_handling_department_makes_two_referrals(
    client, staff, world, workstation, departments
):
    case = world.registered(workstation)
    lead, co = departments
    co_due = add_working_days(timezone.localdate(), 10)

    first = act(client, case, "refer", department=lead.pk, role="lead", due_on="", note="转住建局")
    second = act(client, case, "refer", department=co.pk, role="co", due_on=co_due.isoformat())

    assert (first.status_code, second.status_code) == (302, 302)
    case.refresh_from_db()
    assert case.status == S.REFERRED
    sent = list(case.referrals.order_by("pk"))
    assert [(r.department, r.role, r.state, r.sent_by) for r in sent] == [
        (lead, ReferralRole.LEAD, ReferralState.SENT, staff),
        (co, ReferralRole.CO, ReferralState.SENT, staff),
    ]
    assert sent[0].due_on == add_working_days(timezone.localdate(), 15)
    assert sent[1].due_on == co_due
    assert case.next_due_on == min(sent[0].due_on, co_due)
    assert list(case.events.filter(kind=EventKind.REFERRED).values_list("referral", flat=True)) == [
        r.pk for r in sent
    ]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION).count() == 2
    page = html(client.get(f"/cases/{case.number}/"))
    assert "区住建局" in page and "区消防救援大队" in page


def test_merging_marks_the_case_as_a_duplicate_of_the_other(client, world, workstation):
    case = world.registered(workstation)
    original = world.registered(workstation)

    response = act(client, case, "merge", into=original.number.lower(), note="")

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.merged_into) == (S.MERGED, original)
    assert case.events.last().note == f"Duplicate of {original.number}"
    assert Case.objects.get(pk=original.pk).status == S.REGISTERED
    assert AuditEntry.objects.get().target == case.number


def test_the_closed_loop_can_be_walked_through_from_the_case_page(
    client, world, workstation, departments
):
    case = world.registered(workstation)
    lead, co = departments

    steps = [
        ("consult", {"method": "please_come", "note": "请住建局和物业到场协商"}),
        ("refer", {"department": lead.pk, "role": "lead"}),
        ("refer", {"department": co.pk, "role": "co"}),
        ("acknowledge", {"referral": lambda: lead_of(case).pk}),
        ("reply", {"referral": lambda: lead_of(case).pk, "reply": "已督促维修"}),
        ("resolve", {"note": "电梯恢复运行"}),
        ("close", {"satisfaction": "satisfied"}),
    ]
    for action, fields in steps:
        values = {k: v() if callable(v) else v for k, v in fields.items()}
        assert act(client, case, action, **values).status_code == 302, action

    case.refresh_from_db()
    assert case.status == S.CLOSED
    timeline = section(client.get(f"/cases/{case.number}/"), "timeline-heading", "actions-heading")
    assert re.findall(r"<strong>([^<]+)</strong>", timeline) == [
        "Registered",
        "Consultation held",
        "Referred",
        "Referred",
        "Referral acknowledged",
        "Department replied",
        "Resolved",
        "Followed up and closed",
    ]
    assert AuditEntry.objects.count() == len(steps)


# --- refusals: nothing changes ------------------------------------------------------------


def test_a_step_the_status_does_not_allow_is_refused_with_its_message_and_changes_nothing(
    client, world, workstation
):
    case = world.referred(workstation)
    before = snapshot(case)

    response = act(client, case, "resolve", note="想直接办结")

    assert response.status_code == 400
    assert "“Resolve” is not possible while the case is “Referred”." in html(response)
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("make", "action", "fields", "message"),
    [
        ("closed", "reject", {"reason": "重复"}, "“Reject” is not possible while the case is"),
        ("registered", "reply", {"referral": "1", "reply": "x"}, "Select a valid choice."),
        (
            "referred",
            "refer",
            {"department": "lead", "role": "co"},
            "The case is already with 区住建局.",
        ),
        (
            "replied",
            "refer",
            {"department": "third", "role": "lead"},
            "The case already has a lead department; add this one as co-handling.",
        ),
        (
            "registered",
            "refer",
            {"department": "co", "role": "co"},
            "Refer the case to a lead department first.",
        ),
    ],
    ids=[
        "reject-closed",
        "reply-unreferred",
        "refer-same-department",
        "second-lead",
        "co-without-lead",
    ],
)
def test_a_step_the_lifecycle_refuses_shows_why_and_changes_nothing(
    client, world, workstation, departments, make, action, fields, message
):
    case = getattr(world, make)(workstation)
    lead, co = departments
    third = DepartmentFactory(name="区民政局")
    named = {"lead": lead.pk, "co": co.pk, "third": third.pk}
    values = {k: named[v] if k == "department" else v for k, v in fields.items()}
    before = snapshot(case)

    response = act(client, case, action, **values)

    assert response.status_code == 400
    assert message in html(response)
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("action", "fields", "field_id", "message"),
    [
        ("reject", {"reason": ""}, "id_reject-reason", "This field is required."),
        ("note", {"note": "记" * 4001}, "id_note-note", "at most 4000 characters"),
        ("consult", {"method": "gossip", "note": "x"}, "id_consult-method", "Select a valid"),
        ("refer", {"department": "999999", "role": "lead"}, "id_refer-department", "Select a"),
        ("refer", {"department": "lead", "role": "boss"}, "id_refer-role", "Select a valid"),
        (
            "refer",
            {"department": "lead", "role": "lead", "due_on": "someday"},
            "id_refer-due_on",
            "Enter a valid date.",
        ),
        ("withdraw", {"note": "x"}, "id_withdraw-confirm", "This field is required."),
        ("merge", {"into": "XC-1999-000001"}, "id_merge-into", "No case of yours"),
    ],
    ids=lambda v: v if isinstance(v, str) and v.startswith("id_") else None,
)
def test_a_step_with_a_bad_field_is_refused_next_to_the_field_and_changes_nothing(
    client, world, workstation, departments, action, fields, field_id, message
):
    case = world.registered(workstation)
    values = {
        k: departments[0].pk if v == "lead" and k == "department" else v for k, v in fields.items()
    }
    before = snapshot(case)

    response = act(client, case, action, **values)

    assert response.status_code == 400
    assert any(message in e for e in errors_next_to(response, field_id)), errors_next_to(
        response, field_id
    )
    assert snapshot(case) == before


def test_a_step_posted_from_a_page_left_open_while_the_case_moved_is_refused(
    client, staff, world, workstation
):
    case = world.registered(workstation)
    lifecycle.case_consult(case=case, actor=staff, note="另一位联络员已组织协商")
    before = snapshot(case)

    response = act(client, case, "reject", seen_status=S.REGISTERED, reason="不予受理")

    assert response.status_code == 400
    assert "Someone else changed this case meanwhile (it is now “Consulting”)" in html(response)
    assert snapshot(case) == before


def test_a_referral_step_posted_from_a_stale_page_is_refused(client, staff, world, workstation):
    case = world.referred(workstation)
    lead = lead_of(case)
    lifecycle.referral_reply(referral=lead, actor=staff, reply="已答复")
    before = snapshot(case)

    response = act(client, case, "return", seen_status=S.REFERRED, referral=lead.pk, reason="退回")

    assert response.status_code == 400
    assert snapshot(case) == before


def test_a_stale_page_is_refused_even_when_the_step_is_allowed_in_both_statuses(
    client, staff, world, workstation
):
    # A note is allowed in every status: only the status the page showed tells it is stale.
    case = world.registered(workstation)
    lifecycle.case_consult(case=case, actor=staff, note="已协商")
    before = snapshot(case)

    response = act(client, case, "note", seen_status=S.REGISTERED, note="补充说明")

    assert response.status_code == 400
    assert "Someone else changed this case meanwhile" in html(response)
    assert snapshot(case) == before


def test_a_forged_status_seen_is_refused(client, world, workstation):
    case = world.registered(workstation)
    before = snapshot(case)

    response = act(client, case, "note", seen_status="archived", note="x")

    assert response.status_code == 400
    assert snapshot(case) == before


def test_a_step_on_a_referral_of_another_case_is_refused_and_changes_neither_case(
    client, world, workstation
):
    case = world.referred(workstation)
    other = world.referred(workstation)
    before, other_before = snapshot(case), snapshot(other)

    response = act(client, case, "acknowledge", referral=lead_of(other).pk)

    assert response.status_code == 400
    assert errors_next_to(response, "id_acknowledge-referral") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert snapshot(other) == other_before
    assert snapshot(case) == before


def test_a_reply_on_a_referral_already_answered_is_refused(client, staff, world, workstation):
    case = world.replied(workstation)
    answered = case.referrals.get(role=ReferralRole.LEAD)
    before = snapshot(case)

    response = act(client, case, "reply", referral=answered.pk, reply="再答复一次")

    assert response.status_code == 400
    assert snapshot(case) == before


def test_merging_into_a_case_of_another_workstation_is_refused(
    client, world, workstation, other_workstation
):
    case = world.registered(workstation)
    elsewhere = world.registered(other_workstation)
    before, elsewhere_before = snapshot(case), snapshot(elsewhere)

    response = act(client, case, "merge", into=elsewhere.number)

    assert response.status_code == 400
    assert errors_next_to(response, "id_merge-into") == [
        "No case of yours has this tracking number."
    ]
    assert snapshot(case) == before and snapshot(elsewhere) == elsewhere_before


def test_merging_a_case_into_itself_is_refused(client, world, workstation):
    case = world.registered(workstation)
    before = snapshot(case)

    response = act(client, case, "merge", into=case.number)

    assert response.status_code == 400
    assert "A case cannot be merged into itself." in html(response)
    assert snapshot(case) == before


def test_referring_to_a_department_that_no_longer_takes_referrals_is_refused(
    client, world, workstation
):
    case = world.registered(workstation)
    closed_down = DepartmentFactory(name="已撤销的局", is_active=False)
    before = snapshot(case)

    response = act(client, case, "refer", department=closed_down.pk, role="lead")

    assert response.status_code == 400
    assert errors_next_to(response, "id_refer-department")
    assert snapshot(case) == before


def test_an_unknown_step_is_not_found(client, world, workstation):
    case = world.registered(workstation)
    before = snapshot(case)

    assert act(client, case, "delete").status_code == 404
    assert act(client, case, "reopen").status_code == 404
    assert snapshot(case) == before


def test_a_step_on_a_case_that_does_not_exist_is_not_found(client, world):
    assert client.post("/cases/XC-2099-999999/note/", {"note-note": "x"}).status_code == 404
    assert not AuditEntry.objects.exists()


# --- query counts -----------------------------------------------------------------------
#
# Each page runs a fixed number of queries whatever the number of rows. The counts are
# pinned: a new query on a page should be a decision, not an accident.
#
# Every signed-in staff request starts with the same three and ends with one:
#   session, user, the user's role groups ... session save (SESSION_SAVE_EVERY_REQUEST,
#   inside a savepoint on this test's transaction: SAVEPOINT, UPDATE, RELEASE = 3).
SIGNED_IN = 3
SESSION_SAVE = 3


def seed_world(world, workstation, member, n: int) -> None:
    world.mixed(workstation, n, members=[member])
    today = timezone.localdate()
    for day in range(3):
        shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=day))
        DutyAssignmentFactory(shift=shift, member=member)
        DutyAssignmentFactory(shift=shift)


# dashboard: + staffed workstations, open counts by status, overdue rows, waiting rows,
# whether the user logs visits, shifts, their assignments with members.
DASHBOARD = SIGNED_IN + 7 + SESSION_SAVE
# case list: + staffed workstations, the page of rows (workstation joined). The filter
# form's choices (workstations, departments, members) are rendered: 3 more.
CASE_LIST = SIGNED_IN + 5 + SESSION_SAVE
# case page: + staffed workstations, the case (workstation, visit, merged-into joined),
# the current lead (refer form), open referrals for acknowledge/reply/return (3 exists),
# handling members, referrals, events (actor, referral, department joined), departments
# to refer to, the open referrals each referral form lists (3), the proposals made from
# the case (with whether the user may open each), the members to lead a new draft, the
# calendar years the refer form warns of; the corrections: the members who may handle
# the case and those who do, the workstations it may be transferred to.
CASE_PAGE = SIGNED_IN + 19 + SESSION_SAVE


@pytest.mark.parametrize(
    ("url", "pinned"),
    [("/dashboard/", DASHBOARD), ("/cases/", CASE_LIST), ("/cases/?overdue=on&q=物业", CASE_LIST)],
)
def test_the_lists_run_as_many_queries_for_50_cases_as_for_5(
    client, world, workstation, member, django_assert_num_queries, url, pinned
):
    seed_world(world, workstation, member, 5)
    with_five = queries_for(client, url)
    world.mixed(workstation, 45, members=[member])
    client.get(url)

    with django_assert_num_queries(with_five):
        response = client.get(url)

    assert with_five == pinned
    assert len(listed(response)) >= 10


def test_the_case_page_runs_as_many_queries_with_50_cases_and_a_long_history_as_with_5(
    client, staff, world, workstation, member, django_assert_num_queries
):
    seed_world(world, workstation, member, 5)
    case = world.replied(workstation, members=[member])
    url = f"/cases/{case.number}/"
    with_five = queries_for(client, url)
    world.mixed(workstation, 45, members=[member])
    for i in range(20):
        lifecycle.case_note(case=Case.objects.get(pk=case.pk), actor=staff, note=f"第{i}次回访")
    case.handling_members.add(*MemberFactory.create_batch(5, home_workstation=workstation))
    client.get(url)

    with django_assert_num_queries(with_five):
        response = client.get(url)

    assert with_five == CASE_PAGE
    assert html(response).count("第1") >= 11


# --- headers ------------------------------------------------------------------------------


@pytest.fixture
def staff_pages(world, workstation) -> list[str]:
    case = world.registered(workstation)
    return [
        "/dashboard/",
        "/visits/new/",
        f"/visits/{case.visit_id}/",
        "/cases/",
        "/cases/export.csv",
        "/cases/export.xlsx",
        f"/cases/{case.number}/",
    ]


def test_staff_pages_are_never_stored_by_a_browser_or_a_proxy(client, staff_pages):
    for url in staff_pages:
        response = client.get(url)
        assert response.status_code == 200, url
        cache_control = response["Cache-Control"]
        assert "no-store" in cache_control, url
        assert "private" in cache_control, url


def test_staff_pages_carry_a_content_security_policy_without_inline_scripts(client, staff_pages):
    for url in staff_pages:
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
        )
        assert directives["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in policy, url
        assert directives["object-src"] == ["'none'"], url
        assert directives["frame-ancestors"] == ["'none'"], url


def test_staff_pages_have_no_inline_script_or_style(client, staff_pages):
    for url in staff_pages:
        response = client.get(url)
        if not response["Content-Type"].startswith("text/html"):
            continue
        page = html(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " style=" not in page and "<style" not in page, url
        assert " onclick=" not in page and " onload=" not in page, url


def test_the_sign_in_page_carries_the_policy_too(sign_in):
    response = sign_in(None).get("/login/")

    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- the pages speak Chinese ------------------------------------------------------------


def test_the_staff_pages_speak_chinese_by_default(sign_in, staff, world, workstation):
    case = world.registered(workstation)
    client = sign_in(staff, language="", HTTP_ACCEPT_LANGUAGE="en")
    expected = {
        "/dashboard/": ["工作台", "办理中的诉求：1", "已逾期", "待您办理", "本周值班", "已登记"],
        "/visits/new/": ["登记来访", "来访情况", "来访群众", "问题1", "保存来访记录"],
        "/cases/": ["诉求", "筛选", "导出Excel", "最新在前", "已登记"],
        f"/cases/{case.number}/": ["诉求信息", "转办情况", "办理记录", "下一步办理", "转办至部门"],
    }
    english = ["Dashboard", "Open cases", "Log a visit", "Next steps", "Timeline", "Sign out"]

    for url, words in expected.items():
        page = html(client.get(url))
        assert '<html lang="zh-hans">' in page, url
        for word in words:
            assert word in page, (url, word)
        for word in english:
            assert word not in page, (url, word)


def test_a_refusal_is_explained_in_chinese_by_default(sign_in, staff, world, workstation):
    case = world.referred(workstation)

    response = act(sign_in(staff, language=""), case, "resolve", note="想直接办结")

    assert "诉求处于“已转办”状态时，不能执行“办结”。" in html(response)


def test_a_public_summary_with_a_phone_number_is_a_field_error_and_changes_nothing(
    client, staff, world, workstation
):
    case = world.replied(workstation)

    response = act(client, case, "resolve", note="已修复", public_summary="请联系13812345678")

    assert response.status_code == 400
    (form,) = [f for f in response.context["action_forms"] if f.is_bound]
    assert "phone or ID number" in " ".join(form.errors["public_summary"])
    case.refresh_from_db()
    assert (case.status, case.public_summary) == (S.REPLIED, "")


def test_the_case_page_shows_the_summary_to_be_published(client, staff, world, workstation):
    case = world.replied(workstation)
    act(client, case, "resolve", note="已修复", public_summary="小区电梯已修复")

    html = client.get(f"/cases/{case.number}/").content.decode()

    assert '<dd id="public-summary">小区电梯已修复' in html
