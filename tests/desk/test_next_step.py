"""The case page's one obvious next step: the step the case expects now is the only form
shown open with the large primary button; every other step this user may take sits under
“Other steps” (其他操作), the steps that end a case unresolved (reject, merge, withdraw)
set apart and confirmed with a box the server checks; a refused form is shown open with
its errors. Who sees the page and which steps are offered is unchanged."""

import pytest

from visits import lifecycle
from visits.models import CaseStatus, EventKind

from ..form_pages import Element, squash, tree
from ..pages import errors_next_to, html, offered_actions
from ..posts import act
from ..stories import rows

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

S = CaseStatus
CONFIRM = "Tick the box to confirm."


def step_forms(page: Element) -> dict[str, Element]:
    """The case page's step forms (<details id="action-…">), by action."""
    return {
        d.attrs["id"].removeprefix("action-"): d
        for d in page.select("details", class_="action")
        if d.attrs.get("id", "").startswith("action-")
    }


def where(details: Element) -> str:
    """Where a step form sits: the next step, under “Other steps”, or elsewhere."""
    for ancestor in details.ancestors():
        if "next-step" in ancestor.classes:
            return "next"
        if ancestor.attrs.get("id") == "other-steps":
            return "other"
    return "elsewhere"


def button(details: Element) -> Element:
    return details.one("button", type="submit")


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("submitted", "accept"),
        ("registered", "refer"),
        ("consulting", "refer"),
        ("referred", "reply"),
        ("replied", "resolve"),
        ("resolved", "close"),
    ],
)
def test_the_step_the_case_expects_is_the_one_open_primary_form_and_the_rest_are_other_steps(
    client, world, workstation, make, expected
):
    case = getattr(world, make)(workstation)

    response = client.get(f"/cases/{case.number}/")

    assert response.status_code == 200
    page = tree(response)
    assert page.select("p", class_="refused-step") == []
    forms = step_forms(page)
    placed = {action: where(details) for action, details in forms.items()}
    assert [a for a, p in placed.items() if p == "next"] == [expected]
    assert {a for a, p in placed.items() if p != "next"} == set(forms) - {expected}
    assert all(p in ("next", "other") for p in placed.values()), placed
    # Open, with the one large primary button of the page's steps.
    primary = forms[expected]
    assert primary.has("open")
    assert {"primary", "large"} <= button(primary).classes
    others = [d for a, d in forms.items() if a != expected]
    assert not any(d.has("open") for d in others)
    assert not any("primary" in button(d).classes for d in others)
    assert not page.one("details", id="other-steps").has("open")
    # The status line points to it, for a phone where the steps come after the timeline.
    link = page.one("a", class_="next-step-link")
    assert link.attrs["href"] == "#next-step"
    assert squash(link.text()).endswith(primary.child("summary").text())


def test_an_ended_case_has_no_next_step_and_its_note_sits_under_other_steps(
    client, world, workstation
):
    case = world.closed(workstation)

    page = tree(client.get(f"/cases/{case.number}/"))

    forms = step_forms(page)
    assert {a: where(d) for a, d in forms.items()} == {"note": "other"}
    assert page.select("div", class_="next-step") == []
    assert page.select("a", class_="next-step-link") == []


@pytest.mark.parametrize("make", ["submitted", "registered", "consulting"])
def test_the_steps_that_end_a_case_unresolved_are_set_apart_and_ask_for_confirmation(
    client, world, workstation, make
):
    case = getattr(world, make)(workstation)

    page = tree(client.get(f"/cases/{case.number}/"))

    forms = step_forms(page)
    ending = {a for a, d in forms.items() if d.attrs.get("data-step") == "ending"}
    assert ending == {"reject", "merge", "withdraw"}
    for action in ending:
        details = forms[action]
        assert where(details) == "other"
        assert button(details).classes == {"danger"}
        assert details.select("p", class_="ending-warning")
        box = details.one("input", name=f"{action}-confirm")
        assert box.attrs["type"] == "checkbox" and box.has("required")
    for action in set(forms) - ending:
        assert "danger" not in button(forms[action]).classes
        assert not forms[action].select("input", name=f"{action}-confirm")


def test_accepting_and_rejecting_no_longer_look_alike(client, world, workstation):
    case = world.submitted(workstation)

    forms = step_forms(tree(client.get(f"/cases/{case.number}/")))

    assert button(forms["accept"]).classes == {"primary", "large"}
    assert button(forms["reject"]).classes == {"danger"}
    assert where(forms["accept"]) == "next" and where(forms["reject"]) == "other"


def test_the_other_steps_are_offered_in_chinese_as_其他操作(sign_in, staff, world, workstation):
    case = world.registered(workstation)

    page = tree(sign_in(staff, language="zh-hans").get(f"/cases/{case.number}/"))

    assert squash(page.one("details", id="other-steps").child("summary").text()) == "其他操作"
    assert (
        squash(page.one("div", class_="next-step").one("details").child("summary").text())
        == "转办至部门"
    )


@pytest.mark.parametrize(
    ("make", "action", "fields"),
    [
        ("registered", "reject", {"reason": "属于诉讼程序，不予受理"}),
        ("consulting", "withdraw", {"note": "居民已自行解决"}),
        ("submitted", "merge", {"into": "other"}),
    ],
)
def test_an_ending_step_without_its_confirmation_is_refused_next_to_the_box_and_changes_nothing(
    client, world, workstation, make, action, fields
):
    case = getattr(world, make)(workstation)
    other = world.registered(workstation)
    values = {k: other.number if v == "other" else v for k, v in fields.items()}
    before = rows()
    timeline = list(case.events.values_list("kind", flat=True))

    response = act(client, case, action, **values)

    assert response.status_code == 400
    assert errors_next_to(response, f"id_{action}-confirm") == [CONFIRM]
    assert rows() == before
    case.refresh_from_db()
    assert case.status == S(make)
    assert list(case.events.values_list("kind", flat=True)) == timeline
    # The refused form is shown open where it stands, under the opened “Other steps”.
    page = tree(response)
    details = step_forms(page)[action]
    assert details.has("open") and where(details) == "other"
    assert page.one("details", id="other-steps").has("open")
    # The top of the page says so, and leads to the reason (far below on a phone).
    notice = page.one("p", class_="refused-step").one("a")
    assert notice.attrs["href"] == f"#action-{action}-errors"
    assert details.one("div", class_="error-summary").attrs["id"] == f"action-{action}-errors"


@pytest.mark.parametrize(
    ("make", "action", "fields", "status", "event"),
    [
        ("registered", "reject", {"reason": "属于诉讼程序，不予受理"}, S.REJECTED, "rejected"),
        ("consulting", "withdraw", {"note": "居民已自行解决"}, S.WITHDRAWN, "withdrawn"),
        ("submitted", "merge", {"into": "other"}, S.MERGED, "merged"),
    ],
)
def test_an_ending_step_with_its_confirmation_is_taken(
    client, world, workstation, make, action, fields, status, event
):
    case = getattr(world, make)(workstation)
    other = world.registered(workstation)
    values = {k: other.number if v == "other" else v for k, v in fields.items()}

    response = act(client, case, action, confirm="on", **values)

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == status
    assert case.events.order_by("-at", "-pk").first().kind == EventKind(event)


def test_a_refused_next_step_is_shown_open_with_its_errors_and_a_summary_linking_to_them(
    client, world, workstation
):
    case = world.registered(workstation)
    before = rows()

    response = act(client, case, "refer", department="999999", role="lead")

    assert response.status_code == 400
    assert rows() == before
    page = tree(response)
    details = step_forms(page)["refer"]
    assert where(details) == "next" and details.has("open")
    summary = details.one("div", class_="error-summary")
    links = {a.attrs["href"]: squash(a.text()) for a in summary.select("a")}
    assert list(links) == ["#id_refer-department"]
    assert links["#id_refer-department"].startswith("Department:")
    assert page.select(id="id_refer-department")
    assert errors_next_to(response, "id_refer-department")


def test_a_step_the_lifecycle_refuses_says_why_at_the_top_of_its_form(
    client, staff, world, workstation, departments
):
    case = world.registered(workstation)
    lifecycle.case_consult(case=case, actor=staff, note="另一位联络员已组织协商")

    response = act(
        client, case, "refer", seen_status=S.REGISTERED, department=departments[0].pk, role="lead"
    )

    assert response.status_code == 400
    summary = step_forms(tree(response))["refer"].one("div", class_="error-summary")
    assert summary.attrs["role"] == "alert"
    assert "Someone else changed this case meanwhile" in squash(summary.text())
    assert summary.select("a") == []


def test_a_member_is_still_offered_only_to_consult_and_note_consulting_being_the_next_step(
    sign_in, member, world, workstation
):
    case = world.registered(workstation, members=[member])

    response = sign_in(member.user).get(f"/cases/{case.number}/")

    assert offered_actions(response) == {"consult", "note"}
    placed = {a: where(d) for a, d in step_forms(tree(response)).items()}
    assert placed == {"consult": "next", "note": "other"}
    assert "correction-" not in html(response)


def test_staff_of_another_workstation_still_get_no_case_page(
    sign_in, other_staff, world, workstation
):
    case = world.registered(workstation)

    assert sign_in(other_staff).get(f"/cases/{case.number}/").status_code == 404
    response = act(sign_in(other_staff), case, "reject", reason="越权", confirm="on")
    assert response.status_code == 404
    assert case.events.count() == 1
