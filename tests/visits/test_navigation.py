"""What the staff menu and the dashboard's duty table offer each role."""

from datetime import time

from django.utils import timezone

from activities import access as activity_access
from points import access as card_access
from rosters import access as roster_access
from rosters.models import DutyAssignment
from visits.lifecycle import ALLOWED_ACTORS, Action, Actor, actions_for

from ..factories import DutyShiftFactory, MemberFactory


def test_the_log_a_visit_link_is_offered_to_staff_and_administrators_only(
    sign_in, staff, administrator, member_user
):
    for user, offered in ((staff, True), (administrator, True), (member_user, False)):
        page = sign_in(user).get("/cases/").content.decode()
        assert ('href="/visits/new/"' in page) is offered, user.username


def test_a_members_dashboard_lists_their_own_duties_this_week_and_nobody_elses(
    sign_in, member_user, workstation, other_workstation
):
    me = member_user.member
    today = timezone.localdate()
    mine = DutyShiftFactory(workstation=other_workstation, date=today, theme="我的轮值")
    DutyAssignment.objects.create(shift=mine, member=me)
    covered = DutyShiftFactory(
        workstation=workstation, date=today, starts_at=time(14), ends_at=time(17), theme="代班"
    )
    DutyAssignment.objects.create(
        shift=covered,
        member=MemberFactory(),
        attendance=DutyAssignment.Attendance.SUBSTITUTED,
        substitute=me,
    )
    DutyShiftFactory(workstation=workstation, date=today, starts_at=time(8), theme="别人的班")

    page = sign_in(member_user).get("/dashboard/").content.decode()

    assert "我的轮值" in page and "代班" in page
    assert "别人的班" not in page


def test_staff_run_every_step_and_handling_members_consult_and_note():
    assert actions_for(Actor.HANDLER) == frozenset(Action.values)
    assert actions_for(Actor.MEMBER) == {Action.CONSULT, Action.NOTE}
    assert actions_for(None) == frozenset()
    assert set(ALLOWED_ACTORS) == set(Action.values)


def test_the_visit_form_ticks_and_marks_the_members_on_duty_now(sign_in, staff, workstation):
    now = timezone.localtime()
    on_duty = MemberFactory(name="值班委员", home_workstation=workstation)
    MemberFactory(name="其他委员", home_workstation=workstation)
    shift = DutyShiftFactory(
        workstation=workstation,
        date=now.date(),
        starts_at=time(0),
        ends_at=time(23, 59, 59),
    )
    DutyAssignment.objects.create(shift=shift, member=on_duty)

    form = sign_in(staff, language="zh-hans").get("/visits/new/").context["form"]

    assert form["receiving_members"].value() == [on_duty.pk]
    labels = [str(choice.choice_label) for choice in form["receiving_members"]]
    assert labels == ["值班委员（值班）", "其他委员"]


MENU = {
    "/visits/new/": {"administrator", "staff"},
    "/rosters/": {"administrator", "staff"},
    "/activities/": {"administrator", "staff"},
    "/my/duties/": {"member"},
    "/my/report-card/": {"member"},
    "/report-cards/": {"administrator"},
    "/admin/": {"administrator"},
}


def test_each_menu_link_is_offered_to_the_roles_its_page_lets_in(
    sign_in, staff, administrator, member_user
):
    users = {"administrator": administrator, "staff": staff, "member": member_user}
    for role, user in users.items():
        page = sign_in(user).get("/cases/").content.decode()
        for link, roles_offered in MENU.items():
            assert (f'href="{link}' in page) is (role in roles_offered), (role, link)


def test_the_menu_asks_the_access_modules_of_the_pages_it_links(
    sign_in, administrator, monkeypatch
):
    client = sign_in(administrator)
    monkeypatch.setattr(card_access, "may_see_year_cards", lambda user: False)
    monkeypatch.setattr(roster_access, "may_keep_rosters", lambda user: False)
    monkeypatch.setattr(activity_access, "may_record_activities", lambda user: False)
    page = client.get("/cases/").content.decode()
    assert 'href="/visits/new/"' in page
    for link in ("/report-cards/", "/rosters/", "/activities/"):
        assert f'href="{link}' not in page, link
