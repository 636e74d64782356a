"""Who may see and record activities: the workstations a liaison staffs, as the one helper
in workstations/roles.py answers it (a deactivated workstation is no longer worked for)."""

import pytest
from django.utils import timezone

from activities import access
from activities.models import Activity, ActivityKind
from activities.services import activity_record


@pytest.fixture
def activity(staff, workstation):
    return activity_record(
        activity=Activity(
            kind=ActivityKind.COMMUNITY_VISIT, title="进社区听民意", date=timezone.localdate()
        ),
        workstations=[workstation],
        participants=[],
        organiser=staff,
    )


def test_a_deactivated_user_of_the_staff_sees_no_activities(staff, activity):
    assert list(access.activities_for_user(staff)) == [activity]
    staff.is_active = False
    staff.save(update_fields=["is_active"])
    assert list(access.activities_for_user(staff)) == []
    assert list(access.activity_workstations(staff)) == []


def test_a_deactivated_workstation_is_not_offered_to_its_liaison_for_new_activities(
    staff, workstation, other_workstation, sign_in
):
    other_workstation.staff.add(staff)
    workstation.is_active = False
    workstation.save(update_fields=["is_active"])
    assert list(access.activity_workstations(staff)) == [other_workstation]
    client = sign_in(staff)
    page = client.get("/activities/new/")
    assert workstation.name not in page.content.decode()
    response = client.post(
        "/activities/new/",
        {
            "kind": ActivityKind.COMMUNITY_VISIT,
            "title": "停用工作室的活动",
            "date": f"{timezone.localdate():%Y-%m-%d}",
            "workstations": [workstation.pk],
            "suggestions_gathered": 0,
        },
    )
    assert response.status_code == 200  # the form again, with the choice refused
    assert not Activity.objects.filter(title="停用工作室的活动").exists()


def test_a_liaison_whose_only_workstation_was_deactivated_cannot_record_activities(
    staff, workstation, sign_in
):
    workstation.is_active = False
    workstation.save(update_fields=["is_active"])
    assert sign_in(staff).get("/activities/new/").status_code == 404
