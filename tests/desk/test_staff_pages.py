"""Every staff page, the desk's and the visits app's: the queries each runs, whatever the
number of rows; the headers that keep them out of caches and inline scripts out of
them; and the Chinese they speak by default."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from visits import lifecycle
from visits.models import Case

from ..factories import DutyAssignmentFactory, DutyShiftFactory, MemberFactory
from ..pages import html, listed, queries_for
from ..posts import act

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")


# --- query counts ---------------------------------------------------------------------
#
# Each page runs a fixed number of queries whatever the number of rows. The counts are
# pinned: a new query on a page should be a decision, not an accident.
#
# Every signed-in staff request starts with the same three: session, user, and what the
# user holds (role groups, staffed workstations, liaison departments, in one query:
# workstations/roles.py). It does not write the session (base/idle_sessions.py; signed
# in just now).
SIGNED_IN = 3


def seed_world(world, workstation, member, n: int) -> None:
    world.mixed(workstation, n, members=[member])
    today = timezone.localdate()
    for day in range(3):
        shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=day))
        DutyAssignmentFactory(shift=shift, member=member)
        DutyAssignmentFactory(shift=shift)


# dashboard: + open counts by status, overdue rows, waiting rows, the office's open
# supervisions of their cases, the week's shifts with their members' names (one query:
# rosters/selectors.py).
DASHBOARD = SIGNED_IN + 5
# case list: + the page of rows (workstation joined). The filter form's choices
# (workstations, departments, members) are rendered: 3 more.
CASE_LIST = SIGNED_IN + 4
# case page: + the case (workstation, visit, merged-into joined), its handling members,
# its referrals (department joined: read once for the list and every step's form), the
# office's supervisions of the case, the proposals made from it, its events (actor,
# referral, department joined) and what their actors hold (to name them as people); the
# forms' choices: the calendar years the refer form warns of, the departments to refer
# to, the members to lead a new draft, the members who may handle the case, the
# workstations it may be transferred to.
CASE_PAGE = SIGNED_IN + 12


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
