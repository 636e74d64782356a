"""Who may see and do what on the staff pages (`visits.access` through every view).

Five personas: the district administrator, staff of this workstation, staff of
another, a member who handles some cases, and an anonymous visitor; plus a signed-in
user with no role. Outside a user's scope everything is a 404, never a 403, and a
list or an export simply does not contain the row.
"""

from dataclasses import dataclass
from urllib.parse import quote

import pytest

from audit.models import AuditEntry
from visits.models import Case, CaseEvent, Visit

from ..factories import UserFactory
from ..pages import html, listed
from ..posts import act
from ..stories import MASKED_PHONE, PHONE, rows

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

PERSONAS = ["administrator", "staff", "other_staff", "member_user"]
# Which of the scene's cases each persona may see.
SCOPES = [
    ("administrator", {"handled", "unhandled", "elsewhere"}),
    ("staff", {"handled", "unhandled"}),
    ("other_staff", {"elsewhere"}),
    ("member_user", {"handled"}),
]


@dataclass
class Scene:
    handled: Case  # at this workstation, handled by the member
    unhandled: Case  # at this workstation, not the member's
    elsewhere: Case  # at the other workstation


@pytest.fixture
def scene(world, workstation, other_workstation, member, other_staff) -> Scene:
    return Scene(
        handled=world.referred(workstation, members=[member], title="小区物业不作为"),
        unhandled=world.registered(workstation, title="老人助餐点太远"),
        elsewhere=world.registered(other_workstation, title="胡家庙群租房"),
    )


def get_pages(scene: Scene) -> dict[str, str]:
    case = scene.handled
    return {
        "dashboard": "/dashboard/",
        "visit_new": "/visits/new/",
        "visit_detail": f"/visits/{case.visit_id}/",
        "case_list": "/cases/",
        "export_csv": "/cases/export.csv",
        "export_xlsx": "/cases/export.xlsx",
        "case_detail": f"/cases/{case.number}/",
    }


def post_pages(scene: Scene) -> dict[str, str]:
    case = scene.handled
    return {
        "case_reveal": f"/cases/{case.number}/reveal/",
        "case_act": f"/cases/{case.number}/note/",
    }


# --- anonymous --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "dashboard",
        "visit_new",
        "visit_detail",
        "case_list",
        "export_csv",
        "export_xlsx",
        "case_detail",
    ],
)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(sign_in, scene, page):
    url = get_pages(scene)[page]

    response = sign_in(None).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={quote(url)}"


@pytest.mark.parametrize("page", ["case_reveal", "case_act"])
def test_an_anonymous_post_is_sent_to_sign_in_and_changes_nothing(sign_in, scene, page):
    url = post_pages(scene)[page]
    before = rows()

    response = sign_in(None).post(url, {"note-seen_status": "referred", "note-note": "匿名"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert rows() == before


def test_an_anonymous_visit_is_not_logged(sign_in, workstation):
    response = sign_in(None).post("/visits/new/", {"workstation": workstation.pk})

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/visits/new/"
    assert not Visit.objects.exists()


def test_an_anonymous_export_writes_no_audit_entry(sign_in, scene):
    sign_in(None).get("/cases/export.csv")

    assert not AuditEntry.objects.exists()


# --- methods --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*PERSONAS, None])
@pytest.mark.parametrize("page", ["case_reveal", "case_act"])
def test_a_get_on_a_page_that_changes_something_is_refused(request, sign_in, scene, persona, page):
    user = request.getfixturevalue(persona) if persona else None
    before = rows()

    response = sign_in(user).get(post_pages(scene)[page])

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert rows() == before


@pytest.mark.parametrize(
    "page", ["dashboard", "visit_detail", "case_list", "export_csv", "case_detail"]
)
def test_a_post_on_a_page_that_only_shows_is_refused(sign_in, staff, scene, page):
    before = rows()

    response = sign_in(staff).post(get_pages(scene)[page])

    assert response.status_code == 405
    assert rows() == before


# --- the case page, its steps and contact details -----------------------------------------


@pytest.mark.parametrize(
    ("persona", "case_name", "expected"),
    [
        ("administrator", "handled", 200),
        ("administrator", "elsewhere", 200),
        ("staff", "handled", 200),
        ("staff", "unhandled", 200),
        ("staff", "elsewhere", 404),
        ("other_staff", "handled", 404),
        ("other_staff", "unhandled", 404),
        ("other_staff", "elsewhere", 200),
        ("member_user", "handled", 200),
        ("member_user", "unhandled", 404),
        ("member_user", "elsewhere", 404),
    ],
)
def test_the_case_page_is_shown_only_within_the_users_scope(
    request, sign_in, scene, persona, case_name, expected
):
    case = getattr(scene, case_name)

    response = sign_in(request.getfixturevalue(persona)).get(f"/cases/{case.number}/")

    assert response.status_code == expected
    assert (case.title in html(response)) == (expected == 200)


@pytest.mark.parametrize(
    ("persona", "case_name"),
    [
        ("staff", "elsewhere"),
        ("other_staff", "handled"),
        ("member_user", "unhandled"),
        ("member_user", "elsewhere"),
    ],
)
@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("note", {"note": "越权备注"}),
        ("consult", {"method": "micro", "note": "越权协商"}),
        ("reject", {"reason": "越权"}),
        ("withdraw", {"confirm": "on"}),
    ],
)
def test_no_step_can_be_taken_on_a_case_outside_the_users_scope(
    request, sign_in, scene, persona, case_name, action, fields
):
    case = getattr(scene, case_name)
    before = rows()

    response = act(sign_in(request.getfixturevalue(persona)), case, action, **fields)

    assert response.status_code == 404
    assert case.title not in html(response)
    assert rows() == before


@pytest.mark.parametrize(
    ("persona", "case_name"),
    [("staff", "elsewhere"), ("other_staff", "handled"), ("member_user", "unhandled")],
)
def test_contact_details_outside_the_users_scope_cannot_be_revealed(
    request, sign_in, scene, persona, case_name
):
    case = getattr(scene, case_name)

    response = sign_in(request.getfixturevalue(persona)).post(f"/cases/{case.number}/reveal/")

    assert response.status_code == 404
    assert PHONE not in html(response)
    # Only the refusal's line (tests/audit/test_denied.py): no reveal.
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["denied"]


@pytest.mark.parametrize(
    ("persona", "case_name"),
    [
        ("administrator", "elsewhere"),
        ("staff", "unhandled"),
        ("other_staff", "elsewhere"),
        ("member_user", "handled"),
    ],
)
def test_those_who_handle_a_case_may_reveal_its_contact_details(
    request, sign_in, scene, persona, case_name
):
    user = request.getfixturevalue(persona)
    case = getattr(scene, case_name)

    response = sign_in(user).post(f"/cases/{case.number}/reveal/")

    assert response.status_code == 200
    assert PHONE in html(response)
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target) == (user, AuditEntry.Action.REVEAL, case.number)


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("consult", {"method": "mediation", "note": "委员主持调解"}),
        ("note", {"note": "委员电话回访居民"}),
    ],
)
def test_a_member_may_consult_and_note_on_a_case_they_handle(
    sign_in, member_user, scene, action, fields
):
    case = scene.handled

    response = act(sign_in(member_user), case, action, **fields)

    assert response.status_code == 302
    event = case.events.order_by("-pk").first()
    assert (event.actor, event.note.endswith(fields["note"])) == (member_user, True)
    assert AuditEntry.objects.get().user == member_user


@pytest.mark.parametrize(
    ("action", "fields"),
    [
        ("refer", {"department": "co", "role": "co"}),
        ("acknowledge", {"referral": "lead"}),
        ("reply", {"referral": "lead", "reply": "委员代录答复"}),
        ("return", {"referral": "lead", "reason": "委员退回"}),
        ("resolve", {"note": "委员办结"}),
        ("close", {"satisfaction": "satisfied"}),
        ("merge", {"into": "unhandled"}),
        ("reject", {"reason": "委员驳回"}),
        ("withdraw", {"confirm": "on"}),
        ("accept", {}),
    ],
)
def test_a_member_cannot_take_any_other_step_on_a_case_they_handle(
    sign_in, member_user, scene, departments, action, fields
):
    case = scene.handled
    lead = case.referrals.get(role="lead")
    named = {"co": departments[1].pk, "lead": lead.pk, "unhandled": scene.unhandled.number}
    before = rows()

    response = act(
        sign_in(member_user), case, action, **{k: named.get(v, v) for k, v in fields.items()}
    )

    assert response.status_code == 404
    assert rows() == before


def test_an_administrator_may_act_on_any_workstations_case(sign_in, administrator, scene):
    case = scene.elsewhere

    response = act(sign_in(administrator), case, "reject", reason="重复反映", confirm="on")

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.REJECTED


# --- visits ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "case_name", "expected"),
    [
        ("administrator", "elsewhere", 200),
        ("staff", "handled", 200),
        ("staff", "elsewhere", 404),
        ("other_staff", "handled", 404),
        ("member_user", "handled", 404),
    ],
)
def test_a_visits_page_is_shown_only_to_its_workstations_staff_and_administrators(
    request, sign_in, scene, persona, case_name, expected
):
    case = getattr(scene, case_name)

    response = sign_in(request.getfixturevalue(persona)).get(f"/visits/{case.visit_id}/")

    assert response.status_code == expected
    assert (case.number in html(response)) == (expected == 200)


@pytest.mark.parametrize(("persona", "expected"), [("member_user", 404), ("norole", 404)])
def test_only_staff_and_administrators_log_visits(request, sign_in, workstation, persona, expected):
    user = (
        UserFactory(username="norole") if persona == "norole" else request.getfixturevalue(persona)
    )
    client = sign_in(user)

    assert client.get("/visits/new/").status_code == expected
    assert client.post("/visits/new/", {"workstation": workstation.pk}).status_code == expected
    assert not Visit.objects.exists()


def test_an_administrator_logs_visits_for_any_active_workstation(
    sign_in, administrator, workstation, other_workstation
):
    response = sign_in(administrator).get("/visits/new/")

    offered = set(response.context["form"].fields["workstation"].queryset)
    assert offered == {workstation, other_workstation}


# --- lists and exports -----------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "visible"), SCOPES)
def test_the_case_list_shows_exactly_the_cases_in_the_users_scope(
    request, sign_in, scene, persona, visible
):
    response = sign_in(request.getfixturevalue(persona)).get("/cases/")

    assert sorted(listed(response)) == sorted(getattr(scene, n).number for n in visible)
    for name in {"handled", "unhandled", "elsewhere"} - visible:
        assert getattr(scene, name).title not in html(response)


@pytest.mark.parametrize(("persona", "visible"), SCOPES)
def test_an_export_contains_exactly_the_cases_in_the_users_scope(
    request, sign_in, scene, persona, visible
):
    response = sign_in(request.getfixturevalue(persona)).get("/cases/export.csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")

    for name in ("handled", "unhandled", "elsewhere"):
        assert (getattr(scene, name).number in content) == (name in visible)


@pytest.mark.parametrize(("persona", "visible"), SCOPES)
def test_the_dashboard_counts_and_lists_only_the_cases_in_the_users_scope(
    request, sign_in, scene, persona, visible
):
    response = sign_in(request.getfixturevalue(persona)).get("/dashboard/")

    assert f"Open cases: {len(visible)}" in html(response)
    for name in {"handled", "unhandled", "elsewhere"} - visible:
        assert getattr(scene, name).number not in html(response)


def test_a_search_by_tracking_number_does_not_find_another_workstations_case(sign_in, staff, scene):
    response = sign_in(staff).get("/cases/", {"q": scene.elsewhere.number})

    assert listed(response) == []


def test_a_member_cannot_filter_to_a_case_they_do_not_handle(sign_in, member_user, scene):
    response = sign_in(member_user).get("/cases/", {"q": scene.unhandled.number})

    assert listed(response) == []


def test_staff_of_two_workstations_see_the_cases_of_both(sign_in, staff, scene, other_workstation):
    other_workstation.staff.add(staff)

    response = sign_in(staff).get("/cases/")

    assert sorted(listed(response)) == sorted(
        [scene.handled.number, scene.unhandled.number, scene.elsewhere.number]
    )


def test_a_signed_in_user_without_a_role_sees_nothing(sign_in, scene):
    client = sign_in(UserFactory(username="clerk"))

    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "Open cases: 0" in html(dashboard)
    assert 'href="/visits/new/" accesskey' not in html(dashboard)
    assert listed(client.get("/cases/")) == []
    assert client.get(f"/cases/{scene.handled.number}/").status_code == 404
    assert client.get(f"/visits/{scene.handled.visit_id}/").status_code == 404


def test_a_deactivated_staff_account_sees_nothing(sign_in, staff, scene):
    client = sign_in(staff)
    staff.is_active = False
    staff.save()

    response = client.get(f"/cases/{scene.handled.number}/")

    # The session of an inactive user is no longer valid: back to signing in.
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_case_list_shows_no_contact_details_at_all(sign_in, staff, scene):
    page = html(sign_in(staff).get("/cases/"))

    assert PHONE not in page
    assert MASKED_PHONE not in page


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/cases/{}/"),
        ("post", "/cases/{}/reveal/"),
        ("post", "/cases/{}/note/"),
        ("post", "/cases/{}/proposals/new/"),
    ],
)
def test_a_case_number_holding_a_nul_character_is_not_found(
    sign_in, administrator, scene, method, path
):
    # PostgreSQL's text cannot hold NUL: looking such a number up raised DataError, a 500.
    client = sign_in(administrator, raise_request_exception=False)
    events = CaseEvent.objects.count()

    response = getattr(client, method)(path.format(quote(f"{scene.handled.number}\x00")))

    assert response.status_code == 404
    assert CaseEvent.objects.count() == events
    assert not AuditEntry.objects.exists()
