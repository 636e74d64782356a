"""Ids too large for any database column, posted to a multiple choice of rows, are refused
next to the field like any unknown id (SQLite raised OverflowError: a 500)."""

import pytest
from django.test import Client

from activities.models import Activity, ActivityKind
from visits.models import Case, Visit

from ..factories import MemberFactory
from ..pages import errors_next_to
from ..posts import visit_data

HUGE = "99999999999999999999"
REFUSED = [f"“{HUGE}” is not a valid value."]


@pytest.fixture
def liaison(staff, sign_in) -> Client:
    return sign_in(staff, raise_request_exception=False)


def test_a_visit_received_by_a_member_id_too_large_for_the_database_is_refused(
    liaison, workstation
):
    response = liaison.post("/visits/new/", visit_data(workstation, receiving_members=[HUGE]))

    assert response.status_code == 200
    assert errors_next_to(response, "id_receiving_members") == REFUSED
    assert not Visit.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize("field", ["workstations", "participants"])
def test_an_activity_naming_an_id_too_large_for_the_database_is_refused(
    liaison, workstation, field
):
    data = {
        "kind": ActivityKind.COMMUNITY_VISIT,
        "title": "走访长乐社区",
        "date": "2026-03-04",
        "workstations": [workstation.pk],
        "suggestions_gathered": "6",
    } | {field: [HUGE]}

    response = liaison.post("/activities/new/", data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == REFUSED
    assert not Activity.objects.exists()


def test_attendance_naming_a_member_id_too_large_for_the_database_is_refused(
    liaison, staff, workstation
):
    activity = Activity.objects.create(
        kind=ActivityKind.COMMUNITY_VISIT, title="走访", date="2026-03-04", organiser=staff
    )
    activity.workstations.add(workstation)
    taking_part = MemberFactory(home_workstation=workstation)
    activity.participants.add(taking_part)

    response = liaison.post(f"/activities/{activity.pk}/", {"participants": [HUGE]})

    assert response.status_code == 400
    assert response.context["form"].errors["participants"] == REFUSED
    assert list(activity.participants.all()) == [taking_part]
