"""The departments' record page (/office/departments/), its drill-downs and its menu
link: administrators only, a period chosen in a GET form whose bad dates are refused next
to the field, every count linking to exactly the referrals behind it, and a constant
number of queries whatever the number of departments."""

from datetime import datetime, time

import pytest
from django.utils import timezone

from visits import lifecycle
from visits.models import ReferralRole

from ..factories import DepartmentFactory, open_case
from ..pages import NUMBER, errors_next_to, html, login_redirect, section
from .conftest import MARCH, TODAY, at


@pytest.fixture(autouse=True)
def on_15_april(time_machine):
    moment = datetime.combine(TODAY, time(10), tzinfo=timezone.get_default_timezone())
    time_machine.move_to(moment, tick=False)


def pages(scene) -> list[str]:
    return [
        "/office/departments/",
        f"/office/departments/{scene.housing.pk}/returned/",
        "/office/departments.xlsx",
    ]


def test_the_administrator_sees_every_page(record_scene, admin_client):
    for url in pages(record_scene):
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "persona", ["staff", "other_staff", "member_user", "liaison", "other_liaison"]
)
def test_nobody_else_signed_in_finds_them(record_scene, sign_in, request, persona):
    client = sign_in(request.getfixturevalue(persona))
    for url in pages(record_scene):
        assert client.get(url).status_code == 404, url


def test_an_anonymous_visitor_is_asked_to_sign_in(record_scene, sign_in):
    client = sign_in(None)
    for url in pages(record_scene):
        assert login_redirect(client.get(url)), url


def test_only_the_administrators_menu_and_the_admin_index_link_it(
    record_scene, admin_client, sign_in, staff
):
    link = 'href="/office/departments/"'
    assert link in html(admin_client.get("/dashboard/"))
    assert link in html(admin_client.get("/admin/"))
    assert link not in html(sign_in(staff).get("/dashboard/"))


def row_of(response, department) -> str:
    page = section(response, f"department-{department.pk}")
    return page[: page.index("</tr>")]


def test_the_table_counts_the_period_and_links_each_count(record_scene, admin_client):
    response = admin_client.get("/office/departments/", MARCH)

    housing = row_of(response, record_scene.housing)
    query = "?start=2026-03-01&amp;end=2026-03-31"
    base = f"/office/departments/{record_scene.housing.pk}"
    assert f'<a href="{base}/received/{query}">5</a>' in housing
    assert f'<a href="{base}/returned/{query}">1</a>' in housing
    assert f'<a href="{base}/acknowledged_on_time/{query}">3</a>' in housing
    assert "60.0%" in housing  # signed for on time (or sent back at once): 3 of the 5 owed
    assert "25.0%" in housing  # replied on time: 1 of 2 replies and 2 overdue
    assert "80.0%" in housing and "20.0%" in housing and "100.0%" in housing
    assert "Referrals sent from 2026-03-01 to 2026-03-31" in html(response)


def test_by_default_the_year_to_date_is_counted(record_scene, admin_client):
    response = admin_client.get("/office/departments/")

    assert "Referrals sent from 2026-01-01 to 2026-04-15" in html(response)
    assert 'name="start" value="2026-01-01"' in html(response)
    assert '/received/?start=2026-01-01&amp;end=2026-04-15">6</a>' in row_of(
        response, record_scene.housing
    )


def test_an_inactive_department_without_referrals_is_left_out(record_scene, admin_client):
    DepartmentFactory(name="区已撤销局", is_active=False)
    DepartmentFactory(name="区民政局")

    page = html(admin_client.get("/office/departments/", MARCH))

    assert "区民政局" in page and "区已撤销局" not in page


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"start": "2026-02-30"}, "id_start", "Enter a valid date."),
        ({"end": "0001-01-01"}, "id_end", "Choose a date between 2000-01-01 and 2100-12-31."),
        (
            {"start": "2026-03-31", "end": "2026-03-01"},
            "id_end",
            "The period must end on or after the day it starts.",
        ),
    ],
)
def test_a_bad_date_is_refused_next_to_its_field(
    record_scene, admin_client, values, field, message
):
    for url in pages(record_scene):
        response = admin_client.get(url, values)
        assert response.status_code == 400, url
        assert errors_next_to(response, field) == [message]
        assert 'id="department-record"' not in html(response)


def behind(client, scene, figure, **query) -> list[str]:
    response = client.get(f"/office/departments/{scene.housing.pk}/{figure}/", {**MARCH, **query})
    assert response.status_code == 200
    return NUMBER.findall(section(response, "record-behind"))[::2]  # link text and href


def numbers(*referrals) -> list[str]:
    return [r.case.number for r in referrals]


def test_each_drill_down_lists_exactly_the_referrals_behind_the_figure(record_scene, admin_client):
    s = record_scene
    assert behind(admin_client, s, "received") == numbers(s.a, s.b, s.c, s.d, s.e)
    assert behind(admin_client, s, "received", role="co") == numbers(s.e)
    assert behind(admin_client, s, "acknowledged_on_time") == numbers(s.a, s.c, s.d)
    assert behind(admin_client, s, "acknowledgements_due") == numbers(s.a, s.b, s.c, s.d, s.e)
    assert behind(admin_client, s, "on_time") == numbers(s.a)
    assert behind(admin_client, s, "overdue") == numbers(s.b, s.e)
    assert behind(admin_client, s, "returned") == numbers(s.c)
    assert behind(admin_client, s, "extensions") == numbers(s.b, s.d)
    assert behind(admin_client, s, "extensions_refused") == numbers(s.d)
    assert behind(admin_client, s, "supervisions") == numbers(s.b, s.d)
    assert behind(admin_client, s, "supervisions_answered_in_time") == numbers(s.d)
    assert behind(admin_client, s, "pleased") == numbers(s.a)


def test_the_drill_down_links_to_the_case_pages(record_scene, admin_client):
    response = admin_client.get(f"/office/departments/{record_scene.housing.pk}/returned/", MARCH)

    number = record_scene.c.case.number
    assert f'<a href="/cases/{number}/">{number}</a>' in html(response)


def test_an_unknown_figure_or_department_is_not_found(record_scene, admin_client):
    assert admin_client.get(f"/office/departments/{record_scene.housing.pk}/x/").status_code == 404
    assert admin_client.get("/office/departments/999999/returned/").status_code == 404


def add_departments(scene, staff, workstation, n: int) -> None:
    """n more departments, each sent a case this March, with a lead and a co referral."""
    for i in range(n):
        department = DepartmentFactory(name=f"区测试局{i}")
        case = open_case(workstation=workstation, actor=staff, title="另案", now=at(3, 9))
        lifecycle.case_refer(case=case, actor=staff, department=department, now=at(3, 9, 11))
        lifecycle.case_refer(
            case=case.__class__.objects.get(pk=case.pk),
            actor=staff,
            department=scene.fire,
            role=ReferralRole.CO,
            now=at(3, 9, 12),
        )


# The session, the user, their groups (the role); the referrals, the extensions and the
# supervisions, each counted by department; the departments shown. The session is not
# written (signed in within the minute: base/idle_sessions.py).
RECORD_QUERIES = 7


def test_the_record_takes_the_same_queries_whatever_the_number_of_departments(
    record_scene, admin_client, django_assert_num_queries, staff, workstation
):
    admin_client.get("/office/departments/", MARCH)  # the header's unread count, kept
    with django_assert_num_queries(RECORD_QUERIES):
        assert admin_client.get("/office/departments/", MARCH).status_code == 200

    add_departments(record_scene, staff, workstation, 6)

    with django_assert_num_queries(RECORD_QUERIES):
        response = admin_client.get("/office/departments/", MARCH)
    assert html(response).count('<tr id="department-') == 8


def test_the_page_speaks_chinese(record_scene, sign_in, administrator):
    page = html(sign_in(administrator, language="zh-hans").get("/office/departments/", MARCH))

    for words in ("部门履职情况", "承办部门", "收到转办", "按时签收", "按时答复", "退回",
                  "延期申请", "督办", "响应率", "解决率", "满意率", "统计口径"):  # fmt: skip
        assert words in page, words
    assert "2026-03-01 至 2026-03-31 转办的件" in page
    assert 'value="2026-03-01"' in page  # the chosen dates stay in the form, as dates
