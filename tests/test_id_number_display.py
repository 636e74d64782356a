"""A visitor's ID number shown masked everywhere (visits/masking.py: 6101**********002X,
the first four and the last four): on the case and visit pages, in admin, in exports;
in full only after a reveal by someone who handles the case, which the audit log records
without the number. A department never sees it, not even with the contacts shared."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from visits import lifecycle
from visits.masking import mask_id_number
from visits.models import ReferralRole, Visit
from workstations import roles

from .admin_pages import admin_url
from .factories import MemberFactory, UserFactory
from .pages import html
from .visits.test_exports import body, by_number, rows_of

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

NUMBER = "11010519491231002X"
MASKED = "1101**********002X"


def _holds_the_number(text: str) -> bool:
    return any(part in text for part in (NUMBER, NUMBER[6:14], NUMBER[4:14]))


@pytest.fixture
def case(world, workstation, member):
    case = world.referred(workstation, members=[member])
    visit = case.visit
    visit.visitor_id_number = NUMBER
    visit.save(update_fields=["visitor_id_number"])
    return case


def test_the_mask_keeps_the_first_four_and_the_last_four():
    assert mask_id_number(NUMBER) == MASKED
    assert mask_id_number("") == ""
    assert mask_id_number("12345") == "*****"


@pytest.mark.parametrize("persona", ["administrator", "staff"])
def test_those_who_handle_the_case_see_it_masked_until_they_reveal_it(
    sign_in, request, case, persona
):
    client = sign_in(request.getfixturevalue(persona))

    page = html(client.get(f"/cases/{case.number}/"))
    assert MASKED in page and not _holds_the_number(page)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()

    shown = html(client.post(f"/cases/{case.number}/reveal/"))
    assert NUMBER in shown


def test_a_member_handling_the_case_sees_the_contacts_but_never_the_whole_number(
    sign_in, member_user, case
):
    shown = html(sign_in(member_user).post(f"/cases/{case.number}/reveal/"))

    assert case.visit.visitor_phone in shown
    assert MASKED in shown and not _holds_the_number(shown)


def test_the_reveal_is_audited_without_the_number(sign_in, staff, case):
    sign_in(staff).post(f"/cases/{case.number}/reveal/")

    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL)
    assert (entry.user, entry.target) == (staff, case.number)
    assert entry.detail == "visitor's contact details and ID number"
    assert not any(_holds_the_number(e.detail + e.target) for e in AuditEntry.objects.all())


@pytest.fixture
def member_elsewhere(other_workstation):
    """A member who does not handle the case."""
    user = UserFactory(username="other-member", role=roles.MEMBERS)
    MemberFactory(name="胡委员", home_workstation=other_workstation, user=user)
    return user


@pytest.mark.parametrize("persona", ["other_staff", "member_elsewhere", "liaison"])
def test_anyone_else_finds_no_case_page_and_no_reveal(sign_in, request, case, persona):
    client = sign_in(request.getfixturevalue(persona))

    for response in (
        client.get(f"/cases/{case.number}/"),
        client.post(f"/cases/{case.number}/reveal/"),
    ):
        assert response.status_code == 404
        assert not _holds_the_number(html(response))


def test_anonymous_visitors_are_sent_to_sign_in(client, case):
    for response in (
        client.get(f"/cases/{case.number}/"),
        client.post(f"/cases/{case.number}/reveal/"),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert NUMBER not in response["Location"]


def test_the_department_is_never_shown_it_even_with_the_contacts_shared(
    sign_in, administrator, liaison, case
):
    lead = case.referrals.get(role=ReferralRole.LEAD)
    lifecycle.referral_share_contact(referral=lead, actor=administrator, reason="需上门核实")
    client = sign_in(liaison)

    for response in (
        client.get(f"/department/referrals/{lead.pk}/"),
        client.post(f"/department/referrals/{lead.pk}/reveal/"),
    ):
        assert response.status_code == 200
        assert MASKED not in html(response) and not _holds_the_number(html(response))


def test_the_visit_page_shows_it_masked(sign_in, staff, case):
    page = html(sign_in(staff).get(f"/visits/{case.visit.pk}/"))

    assert MASKED in page and not _holds_the_number(page)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("contacts", ["", "1"])
@pytest.mark.parametrize("persona", ["administrator", "staff", "member_user"])
def test_exports_mask_it_even_with_the_contacts_in_full(
    sign_in, request, case, fmt, contacts, persona
):
    client = sign_in(request.getfixturevalue(persona))

    response = client.get(f"/cases/export.{fmt}", {"contacts": contacts})

    assert by_number(rows_of(response, fmt))[case.number]["ID number"] == MASKED
    if fmt == "csv":
        export = client.get("/cases/export.csv", {"contacts": contacts})
        assert not _holds_the_number(body(export).decode("utf-8-sig"))


def test_admin_pages_show_it_masked(admin_client, case):
    for url in (
        admin_url(Visit, "change", case.visit.pk),
        admin_url(Visit, "changelist"),
        admin_url(case.__class__, "change", case.pk),
    ):
        page = admin_client.get(url).content.decode()
        assert not _holds_the_number(page), url
    assert MASKED in admin_client.get(admin_url(Visit, "change", case.visit.pk)).content.decode()


def test_admin_reveals_and_corrects_it_on_the_contact_page_audited(admin_client, case):
    url = reverse("admin:visits_visit_contact", args=[case.visit.pk])

    shown = admin_client.post(url).content.decode()
    corrected = admin_client.post(url, {"_save": "1", **_contact(case.visit, "610102199001011231")})

    assert f'value="{NUMBER}"' in shown
    assert corrected.status_code == 302
    assert Visit.objects.get(pk=case.visit.pk).visitor_id_number == "610102199001011231"
    assert not any(_holds_the_number(e.detail) for e in AuditEntry.objects.all())
    assert not any("19900101" in e.detail for e in AuditEntry.objects.all())


def test_admin_refuses_a_bad_one_next_to_the_field_and_keeps_the_old(admin_client, case):
    url = reverse("admin:visits_visit_contact", args=[case.visit.pk])

    response = admin_client.post(url, {"_save": "1", **_contact(case.visit, "610102199001011232")})

    assert set(response.context["form"].errors) == {"visitor_id_number"}
    assert Visit.objects.get(pk=case.visit.pk).visitor_id_number == NUMBER


def _contact(visit: Visit, number: str) -> dict:
    return {
        "visitor_name": visit.visitor_name,
        "visitor_phone": visit.visitor_phone,
        "visitor_address": visit.visitor_address,
        "visitor_id_number": number,
    }
