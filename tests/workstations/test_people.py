"""Users named as the office names them (联络员 张丽 · 西一路街道), never by their login,
on the case timeline, the activity list and the admin's records of events and duties."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from rosters import duties
from rosters.models import Attendance
from visits import lifecycle
from workstations import roles
from workstations.people import describe, name_of, read_people

from ..factories import DutyAssignmentFactory, DutyShiftFactory, UserFactory, community_visit
from ..pages import html, section

LIAISON = "联络员 张丽 · 西一路街道"


@pytest.fixture
def named_staff(staff):
    staff.last_name, staff.first_name = "张", "丽"
    staff.save()
    return staff


@pytest.fixture
def chinese():
    with translation.override("zh-hans"):
        yield


def test_each_role_is_named_with_its_unit(chinese, administrator, named_staff, member_user):
    administrator.last_name, administrator.first_name = "周", "文静"
    member_user.last_name, member_user.first_name = "李", "委员"

    assert describe(administrator) == "区政协办公室 周文静"
    assert describe(named_staff) == LIAISON
    assert describe(member_user) == "委员 李委员"


def test_a_liaison_of_two_workstations_names_both_streets(
    chinese, named_staff, workstation, other_workstation
):
    other_workstation.ordering = workstation.ordering + 1
    other_workstation.save()
    other_workstation.staff.add(named_staff)

    assert describe(named_staff) == "联络员 张丽 · 西一路街道、胡家庙街道"


def test_a_page_of_people_is_read_in_one_query_and_named_without_another(
    chinese, named_staff, liaison, member_user, workstation, other_workstation,
    django_assert_num_queries,
):  # fmt: skip
    # The other workstation comes first in the office's order; its street is named first.
    workstation.ordering, other_workstation.ordering = 5, 2
    workstation.save()
    other_workstation.save()
    other_workstation.staff.add(named_staff)
    User = type(named_staff)
    # As a page has them: one person on several rows, each row its own object.
    people = [User.objects.get(pk=u.pk) for u in (named_staff, liaison, member_user, named_staff)]

    with django_assert_num_queries(1):
        read_people([*people, None])
    with django_assert_num_queries(0):
        names = [describe(person) for person in people]

    assert names[0] == names[3] == "联络员 张丽 · 胡家庙街道、西一路街道"
    assert names[1] == f"部门联络人 {name_of(liaison)} · {liaison.liaison_departments.get().name}"
    assert names[2].startswith("委员")


def test_a_user_without_a_recorded_name_is_named_by_login(chinese, db):
    plain = UserFactory(username="visitor-desk", role=roles.STAFF)

    assert describe(plain) == "联络员 visitor-desk"
    assert describe(None) == ""


def test_the_case_timeline_names_the_liaison_not_the_login(sign_in, named_staff, case):
    lifecycle.case_note(case=case, actor=named_staff, note="电话回访")

    page = sign_in(named_staff, language="zh-hans").get(f"/cases/{case.number}/")
    timeline = section(page, "timeline-heading", "actions-heading")

    assert timeline.count(LIAISON) == 2
    assert "liaison" not in timeline


def test_the_activity_list_names_the_organiser(sign_in, named_staff, workstation):
    community_visit(named_staff, workstation)

    page = html(sign_in(named_staff, language="zh-hans").get("/activities/"))

    assert LIAISON in page
    assert ">liaison<" not in page


def test_admin_names_who_acted_on_a_case(sign_in, administrator, named_staff, case):
    page = html(sign_in(administrator, language="zh-hans").get("/admin/visits/caseevent/"))

    assert LIAISON in page
    assert ">liaison<" not in page


def test_admin_names_who_changed_a_duty(sign_in, administrator, named_staff, workstation):
    yesterday = timezone.localdate() - timedelta(days=1)
    assignment = DutyAssignmentFactory(
        shift=DutyShiftFactory(workstation=workstation, date=yesterday)
    )
    duties.assignment_mark_attendance(
        assignment=assignment, attendance=Attendance.ATTENDED, actor=named_staff
    )

    page = html(sign_in(administrator, language="zh-hans").get("/admin/rosters/dutychange/"))

    assert LIAISON in page
    assert ">liaison<" not in page


def test_admin_case_page_names_who_acted_in_its_events(sign_in, administrator, named_staff, case):
    page = html(
        sign_in(administrator, language="zh-hans").get(f"/admin/visits/case/{case.pk}/change/")
    )

    assert LIAISON in page


def test_admin_activity_list_names_the_organiser(sign_in, administrator, named_staff, workstation):
    community_visit(named_staff, workstation)

    page = html(sign_in(administrator, language="zh-hans").get("/admin/activities/activity/"))

    assert LIAISON in page
    assert ">liaison<" not in page
