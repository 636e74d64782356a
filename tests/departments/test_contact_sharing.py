"""What the workstation shares with a department: the citizen's contact details only once
the district office recorded why the department needs them (petition confidentiality),
each reveal audited; and the handling notes marked for the departments, no other."""

import pytest

from audit.models import AuditEntry
from visits import lifecycle
from visits.models import CaseEvent, EventKind, Referral, ReferralRole

from ..pages import errors_next_to, html
from ..stories import ADDRESS, NAME, PHONE

REASON = "需上门核实电梯维修情况，须联系居民"


@pytest.fixture
def referred(world, workstation):
    return world.referred(workstation, title="电梯停运三周")


@pytest.fixture
def lead(referred) -> Referral:
    return referred.referrals.get(role=ReferralRole.LEAD)


def detail(referral) -> str:
    return f"/department/referrals/{referral.pk}/"


def reveal(client, referral):
    return client.post(f"{detail(referral)}reveal/")


def share(client, referral, reason=REASON):
    return client.post(
        f"/cases/{referral.case.number}/referrals/{referral.pk}/share-contact/",
        {f"share-{referral.pk}-reason": reason},
    )


# --- the office shares them ------------------------------------------------------------


def test_the_office_shares_the_contact_details_for_a_recorded_reason(
    admin_client, administrator, lead
):
    response = share(admin_client, lead)

    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.contact_share_reason == REASON and lead.contact_shared_by == administrator
    event = CaseEvent.objects.get(kind=EventKind.CONTACT_SHARED)
    assert event.referral == lead and event.note == REASON


def test_sharing_without_a_reason_is_refused_next_to_the_field(admin_client, lead):
    response = share(admin_client, lead, reason=" ")

    assert response.status_code == 400
    assert errors_next_to(response, f"id_share-{lead.pk}-reason")
    lead.refresh_from_db()
    assert not lead.shares_contact_details
    assert not CaseEvent.objects.filter(kind=EventKind.CONTACT_SHARED).exists()


@pytest.mark.parametrize("persona", ["staff", "other_staff", "member_user", "liaison"])
def test_only_the_office_shares_them(request, sign_in, lead, persona):
    response = share(sign_in(request.getfixturevalue(persona)), lead)

    assert response.status_code == 404
    lead.refresh_from_db()
    assert not lead.shares_contact_details


def test_the_office_is_offered_the_form_and_the_desk_is_not(admin_client, sign_in, staff, lead):
    form_url = f"/cases/{lead.case.number}/referrals/{lead.pk}/share-contact/"

    assert form_url in html(admin_client.get(f"/cases/{lead.case.number}/"))
    assert form_url not in html(sign_in(staff).get(f"/cases/{lead.case.number}/"))


# --- the department reveals them -----------------------------------------------------


def test_unshared_the_department_can_neither_see_nor_reveal_them(sign_in, liaison, lead):
    client = sign_in(liaison)

    page = html(client.get(detail(lead)))
    assert "reveal/" not in page
    assert reveal(client, lead).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_shared_they_stay_masked_until_revealed_and_each_reveal_is_audited(
    sign_in, administrator, liaison, lead
):
    lifecycle.referral_share_contact(referral=lead, actor=administrator, reason=REASON)
    client = sign_in(liaison)

    masked = html(client.get(detail(lead)))
    assert REASON in masked and NAME[0] + "*" in masked
    for personal in (NAME, PHONE, ADDRESS):
        assert personal not in masked

    shown = html(reveal(client, lead))

    for personal in (NAME, PHONE, ADDRESS):
        assert personal in shown
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL)
    assert entry.user == liaison and entry.target == lead.case.number
    assert PHONE not in entry.detail and NAME not in entry.detail


def test_another_departments_liaison_cannot_reveal_them(
    sign_in, administrator, other_liaison, lead
):
    lifecycle.referral_share_contact(referral=lead, actor=administrator, reason=REASON)

    assert reveal(sign_in(other_liaison), lead).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_sharing_with_one_department_shares_nothing_with_the_other(
    sign_in, administrator, other_liaison, lead, referred
):
    lifecycle.referral_share_contact(referral=lead, actor=administrator, reason=REASON)
    co = referred.referrals.get(role=ReferralRole.CO)
    client = sign_in(other_liaison)

    page = html(client.get(detail(co)))
    assert REASON not in page and NAME[0] + "*" not in page
    assert reveal(client, co).status_code == 404


# --- notes for the departments -------------------------------------------------------


def test_the_department_reads_the_notes_marked_for_it_and_no_other(
    sign_in, staff, liaison, lead, referred
):
    client = sign_in(staff)
    for note, marked in (("居民白天不在家，请晚上联系社区", True), ("内部：该居民多次来访", False)):
        data = {"note-seen_status": referred.status, "note-note": note}
        if marked:
            data["note-for_departments"] = "on"
        assert client.post(f"/cases/{referred.number}/note/", data).status_code == 302

    page = html(sign_in(liaison).get(detail(lead)))

    assert "居民白天不在家，请晚上联系社区" in page
    assert "内部：该居民多次来访" not in page
    marked = CaseEvent.objects.get(kind=EventKind.NOTE, for_departments=True)
    assert marked.note == "居民白天不在家，请晚上联系社区"


def test_sharing_with_a_department_that_sent_the_referral_back_is_refused(
    admin_client, liaison, lead
):
    lifecycle.referral_return(referral=lead, actor=liaison, reason="不属于本部门职责")

    response = share(admin_client, lead)

    assert response.status_code == 400
    lead.refresh_from_db()
    assert not lead.shares_contact_details


def test_sharing_twice_is_refused_and_keeps_the_first_reason(admin_client, administrator, lead):
    lifecycle.referral_share_contact(referral=lead, actor=administrator, reason=REASON)

    response = share(admin_client, lead, reason="另一个理由")

    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.contact_share_reason == REASON
    assert CaseEvent.objects.filter(kind=EventKind.CONTACT_SHARED).count() == 1


def test_once_the_department_sent_it_back_it_reveals_nothing_more(
    sign_in, administrator, liaison, lead
):
    lifecycle.referral_share_contact(referral=lead, actor=administrator, reason=REASON)
    lifecycle.referral_return(
        referral=Referral.objects.get(pk=lead.pk), actor=liaison, reason="不属于本部门职责"
    )
    client = sign_in(liaison)

    assert "reveal/" not in html(client.get(detail(lead)))
    assert reveal(client, lead).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REVEAL).exists()


def test_a_note_for_the_departments_with_a_phone_is_refused_next_to_the_field(
    sign_in, staff, referred
):
    response = sign_in(staff).post(
        f"/cases/{referred.number}/note/",
        {
            "note-seen_status": referred.status,
            "note-note": "请联系居民 13812345678",
            "note-for_departments": "on",
        },
    )

    assert response.status_code == 400
    assert errors_next_to(response, "id_note-note")
    assert not CaseEvent.objects.filter(kind=EventKind.NOTE).exists()
