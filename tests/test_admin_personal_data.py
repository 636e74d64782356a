"""Citizens' personal data in admin: masked on every page, shown in full only after a
reveal that is written to the audit log, and edited only on the revealed form."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from visits.models import Visit

from .admin_pages import admin_url, management_data
from .factories import VisitFactory, open_case

NAME, PHONE, ADDRESS = "王小明", "13812345678", "新城区西一路8号3单元"


@pytest.fixture
def admin_client(sign_in, administrator):
    return sign_in(administrator, REMOTE_ADDR="10.20.30.40")


@pytest.fixture
def visit(workstation):
    return VisitFactory(
        workstation=workstation, visitor_name=NAME, visitor_phone=PHONE, visitor_address=ADDRESS
    )


def _contact_url(visit: Visit) -> str:
    return reverse("admin:visits_visit_contact", args=[visit.pk])


def _holds_personal_data(text: str) -> bool:
    return any(value in text for value in (NAME, PHONE, ADDRESS, PHONE[-8:]))


def test_the_visit_change_page_shows_the_visitors_name_phone_and_address_masked(
    admin_client, visit
):
    page = admin_client.get(admin_url(Visit, "change", visit.pk)).content.decode()

    assert not _holds_personal_data(page)
    assert "王**" in page and "138****5678" in page and "***" in page
    assert f'action="{_contact_url(visit)}"' in page
    assert not AuditEntry.objects.exists()


def test_the_case_pages_in_admin_show_nothing_of_the_visitors_contact(admin_client, visit, staff):
    case = open_case(visit=visit, actor=staff, title="电梯停运")

    for url in (
        admin_url(case.__class__, "change", case.pk),
        admin_url(case.__class__, "changelist"),
        admin_url(Visit, "changelist"),
    ):
        assert not _holds_personal_data(admin_client.get(url).content.decode()), url


def test_revealing_a_visitors_contact_in_admin_shows_it_and_is_audited(
    admin_client, administrator, visit
):
    response = admin_client.post(_contact_url(visit))

    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{NAME}"' in page and f'value="{PHONE}"' in page and ADDRESS in page
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.ip_address) == (
        administrator,
        AuditEntry.Action.REVEAL,
        f"visit {visit.pk}",
        "10.20.30.40",
    )
    assert not _holds_personal_data(entry.detail)


def test_the_reveal_answers_only_a_post(admin_client, visit):
    response = admin_client.get(_contact_url(visit))

    assert response.status_code == 405
    assert not AuditEntry.objects.exists()


def test_the_reveal_of_a_visit_that_does_not_exist_is_not_found(admin_client, db):
    assert (
        admin_client.post(reverse("admin:visits_visit_contact", args=[999999])).status_code == 404
    )
    assert not AuditEntry.objects.exists()


def test_an_administrator_corrects_a_visitors_phone_on_the_revealed_form(admin_client, visit):
    response = admin_client.post(
        _contact_url(visit),
        {
            "_save": "1",
            "visitor_name": NAME,
            "visitor_phone": "13900001111",
            "visitor_address": ADDRESS,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == admin_url(Visit, "change", visit.pk)
    visit.refresh_from_db()
    assert (visit.visitor_name, visit.visitor_phone, visit.visitor_address) == (
        NAME,
        "13900001111",
        ADDRESS,
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target) == (AuditEntry.Action.ADMIN, f"visit {visit.pk}")
    assert entry.detail == "changed: Visitor's phone"
    assert "13900001111" not in entry.detail and not _holds_personal_data(entry.detail)


def test_a_bad_phone_on_the_revealed_form_is_refused_next_to_the_field_and_changes_nothing(
    admin_client, visit
):
    response = admin_client.post(
        _contact_url(visit),
        {"_save": "1", "visitor_name": NAME, "visitor_phone": "12", "visitor_address": ""},
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"visitor_phone"}
    visit.refresh_from_db()
    assert (visit.visitor_phone, visit.visitor_address) == (PHONE, ADDRESS)
    assert not AuditEntry.objects.exists()


def test_the_change_form_cannot_change_the_visitors_contact_without_a_reveal(admin_client, visit):
    change_page = admin_client.get(admin_url(Visit, "change", visit.pk))

    response = admin_client.post(
        admin_url(Visit, "change", visit.pk),
        {
            "workstation": visit.workstation.pk,
            "visited_at_0": "2026-11-02",
            "visited_at_1": "09:30:00",
            "channel": Visit.Channel.PHONE,
            "visitor_name": "李四",
            "visitor_phone": "13900002222",
            "visitor_address": "",
            "visitor_count": "1",
            "summary": "补充说明",
            **management_data(change_page),
        },
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.summary, visit.channel) == ("补充说明", Visit.Channel.PHONE)
    assert (visit.visitor_name, visit.visitor_phone, visit.visitor_address) == (
        NAME,
        PHONE,
        ADDRESS,
    )


def test_the_add_page_takes_the_visitors_contact_as_typed(admin_client, workstation):
    form = admin_client.get(admin_url(Visit, "add")).context["adminform"].form

    assert {"visitor_name", "visitor_phone", "visitor_address"} <= set(form.fields)


@pytest.mark.parametrize("persona", ["staff", "member_user"])
def test_a_liaison_or_member_with_staff_status_cannot_reveal_in_admin(
    sign_in, request, persona, visit
):
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save(update_fields=["is_staff"])

    response = sign_in(user).post(_contact_url(visit))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not _holds_personal_data(response.content.decode())
    assert not AuditEntry.objects.exists()


def test_anonymous_visitors_are_sent_to_the_admin_login_from_the_reveal(client, visit):
    response = client.post(_contact_url(visit))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not AuditEntry.objects.exists()
