"""Refusals in the audit log (AuditAction.DENIED, audit.denials): a signed-in user asking
for a record that exists but is not theirs (the same 404 as for one that does not
exist), a step the lifecycle refused, a reveal of contact details not allowed. Who tried
and which record, never what it holds; an unknown record or an anonymous visitor leaves
no line."""

import re

import pytest

from audit.models import AuditAction, AuditEntry
from visits.models import ReferralRole

from ..pages import html
from ..posts import act
from ..stories import ADDRESS, NAME, PHONE, rows

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

TITLE = "电梯停运三周"
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def case(world, workstation):
    """A case of this workstation, referred to the liaison's department."""
    return world.referred(workstation, title=TITLE)


def denied() -> list[tuple]:
    return list(
        AuditEntry.objects.filter(action=AuditAction.DENIED)
        .order_by("pk")
        .values_list("user__username", "target", "detail")
    )


def assert_no_personal_data() -> None:
    for target, detail in AuditEntry.objects.values_list("target", "detail"):
        for secret in (NAME, PHONE, ADDRESS, TITLE):
            assert secret not in target + detail


# --- another workstation's record -------------------------------------------------------


def test_another_workstations_case_is_a_404_and_the_attempt_is_logged(sign_in, other_staff, case):
    response = sign_in(other_staff).get(f"/cases/{case.number}/")

    assert response.status_code == 404
    assert TITLE not in html(response)
    assert denied() == [("other-liaison", case.number, "case: out of scope")]
    assert_no_personal_data()


def test_the_404_of_another_workstations_case_is_that_of_an_unknown_one(sign_in, other_staff, case):
    client = sign_in(other_staff)
    unknown = client.get("/cases/XC-2099-999999/")
    refused = client.get(f"/cases/{case.number}/")

    assert (refused.status_code, unknown.status_code) == (404, 404)
    assert page(refused, case.number) == page(unknown, "XC-2099-999999")


def page(response, number: str) -> str:
    """The page without what differs by request: the number asked for, the CSRF token."""
    return CSRF_TOKEN.sub("", html(response).replace(number, ""))


def test_a_case_that_does_not_exist_leaves_no_line(sign_in, other_staff, case):
    assert sign_in(other_staff).get("/cases/XC-2099-999999/").status_code == 404

    assert denied() == []


def test_an_anonymous_visitor_is_sent_to_sign_in_and_not_logged(sign_in, case):
    response = sign_in(None).get(f"/cases/{case.number}/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert denied() == []


def test_a_step_on_another_workstations_case_is_logged_as_the_case_out_of_scope(
    sign_in, other_staff, case
):
    before = rows()

    response = act(sign_in(other_staff), case, "note", note="试图留言")

    assert response.status_code == 404
    assert rows() == before
    assert denied() == [("other-liaison", case.number, "case: out of scope")]


def test_another_workstations_visit_is_logged_by_kind_and_number(sign_in, other_staff, case):
    assert sign_in(other_staff).get(f"/visits/{case.visit_id}/").status_code == 404

    assert denied() == [("other-liaison", f"visit {case.visit_id}", "visit: out of scope")]
    assert_no_personal_data()


def test_another_departments_referral_is_logged_by_kind_and_number(sign_in, liaison, case):
    co = case.referrals.get(role=ReferralRole.CO)

    assert sign_in(liaison).get(f"/department/referrals/{co.pk}/").status_code == 404

    assert denied() == [("housing-liaison", f"referral {co.pk}", "referral: out of scope")]
    assert_no_personal_data()


def test_an_unknown_referral_leaves_no_line(sign_in, liaison, case):
    assert sign_in(liaison).get("/department/referrals/999999/").status_code == 404

    assert denied() == []


# --- a refused step ---------------------------------------------------------------------


def test_a_step_the_lifecycle_refuses_is_logged_with_the_step_and_changes_nothing(
    sign_in, staff, case
):
    before = rows()

    response = act(sign_in(staff), case, "resolve", note="想直接办结")

    assert response.status_code == 400
    assert rows() == before
    # Written after the lifecycle's transaction rolled back: it stayed.
    assert denied() == [("liaison", case.number, "resolve: refused")]
    assert_no_personal_data()


def test_a_step_taken_leaves_no_refusal(sign_in, staff, case):
    assert act(sign_in(staff), case, "note", note="电话联系物业").status_code == 302

    assert denied() == []


# --- a refused reveal -------------------------------------------------------------------


def test_a_reveal_the_office_did_not_allow_is_logged(sign_in, liaison, case):
    lead = case.referrals.get(role=ReferralRole.LEAD)

    response = sign_in(liaison).post(f"/department/referrals/{lead.pk}/reveal/")

    assert response.status_code == 404
    assert PHONE not in html(response)
    assert denied() == [("housing-liaison", case.number, "reveal of the visitor's contact details")]
    assert not AuditEntry.objects.filter(action=AuditAction.REVEAL).exists()
    assert_no_personal_data()


def test_a_reveal_of_another_workstations_case_is_logged_as_out_of_scope(
    sign_in, other_staff, case
):
    response = sign_in(other_staff).post(f"/cases/{case.number}/reveal/")

    assert response.status_code == 404
    assert denied() == [("other-liaison", case.number, "case: out of scope")]
