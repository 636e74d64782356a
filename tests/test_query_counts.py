"""Every page of the staff, department, office and public site runs as many queries for
a workstation with fifty of everything as with five: a count that grows with the rows is
an N+1. Each page's own test pins its count; this walk holds every page to the rule at
once, for each role that reaches it, the public pages with their cache empty."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, ActivityKind
from notices.models import Channel, NoticeEvent, NoticeStatus, Notification
from rosters.models import DutyAssignment

from .factories import DepartmentFactory, DutyShiftFactory, MemberFactory
from .points.test_cards import attend
from .routes import ROUTES, build_scene, personas_for, send
from .stories import World

MORE = 45


@pytest.fixture
def frozen(time_machine):
    # One instant for the whole walk: no session falls due for its once-a-minute write
    # between the two measurements.
    time_machine.move_to(timezone.now(), tick=False)


def queries_per_page(scene, clients) -> dict[str, int]:
    counted = {}
    for name, route in ROUTES.items():
        if not route.get:
            continue
        url = route.url(scene)
        for persona in route.personas:
            cache.clear()  # the public pages' cache, the header's cached figures
            with CaptureQueriesContext(connection) as queries:
                response = send(clients[persona], "get", url)
            # 200, or a redirect that is the page's answer (the rosters to the staff's own)
            assert response.status_code in (200, 302), f"{persona} GET {url}: {response}"
            counted[f"{persona} {name}"] = len(queries)
    return counted


def grow(scene, staff, users, django_capture_on_commit_callbacks) -> None:
    """MORE of everything the pages list, at the scene's workstation and for its people."""
    workstation, member = scene.workstation, scene.member
    today = timezone.localdate()
    departments = (scene.referral.department, DepartmentFactory(name="区城管执法局"))
    World(staff, departments).mixed(workstation, MORE, members=[member])
    for day in range(MORE):
        shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=5 + day))
        DutyAssignment.objects.create(shift=shift, member=member)
        DutyAssignment.objects.create(
            shift=shift, member=MemberFactory(home_workstation=workstation, is_published=True)
        )
        activity = Activity.objects.create(
            kind=ActivityKind.COMMUNITY_VISIT, title=f"走访{day}", date=today, organiser=staff
        )
        activity.workstations.add(workstation)
        activity.participants.add(member)
    for day in range(2, 12):
        attend(lambda: django_capture_on_commit_callbacks(execute=True), member,
               today - timedelta(days=day), workstation=workstation)  # fmt: skip
    Notification.objects.bulk_create(
        Notification(
            key=f"more:{user.pk}:{i}",
            event=NoticeEvent.REFERRAL_SENT,
            channel=Channel.INBOX,
            user=user,
            subject=f"第{i}条",
            link="/dashboard/",
            status=NoticeStatus.SENT,
        )
        for user in users
        for i in range(MORE)
    )


def test_every_page_runs_as_many_queries_for_fifty_rows_as_for_five(
    frozen, staff, member_user, administrator, workstation, django_capture_on_commit_callbacks
):
    scene = build_scene(staff, member_user, workstation, django_capture_on_commit_callbacks)
    clients = personas_for(
        administrator=administrator,
        staff=staff,
        member_user=member_user,
        liaison=scene.liaison,
        workstation=workstation,
    )
    few = queries_per_page(scene, clients)
    grow(scene, staff, (staff, member_user, administrator, scene.liaison),
         django_capture_on_commit_callbacks)  # fmt: skip
    many = queries_per_page(scene, clients)
    grew = {page: f"{few[page]} → {many[page]}" for page in few if many[page] != few[page]}
    assert grew == {}
