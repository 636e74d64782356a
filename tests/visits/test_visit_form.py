"""Logging a visit (`visits.views.visit_new`): the form's defaults and the members it
offers, what a visit saves (its cases, their first events, the audit entry), every bad
field refused next to itself with nothing saved, and a visit posted twice saved once."""

import re
import uuid
from datetime import time, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from visits.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    CaseStatus,
    EventKind,
    Satisfaction,
    Visit,
)

from ..factories import DutyAssignmentFactory, DutyShiftFactory, MemberFactory
from ..pages import NUMBER, errors_next_to, html
from ..posts import local_minutes, visit_data
from ..stories import MASKED_NAME, MASKED_PHONE, NAME, PHONE

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

S = CaseStatus


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
