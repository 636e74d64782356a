"""An security_administrator ends a user's sessions in admin, with the user page's button or the
list's action "End sessions": every browser the user is signed in on is anonymous at its
next request, the security_administrator's own session stays, and each end is in the audit log.
Who may is asked of `roles.may_end_sessions` alone. Each session row names its user
(base/sessions.py), so ending them is one statement, however many sessions there are."""

import pytest
from django.urls import reverse

from audit.models import AuditAction, AuditEntry
from base.models import Session
from base.sessions import end_sessions
from workstations import roles

from .pages import still_signed_in


def end_url(user) -> str:
    return reverse("admin:auth_user_end_sessions", args=[user.pk])


def change_page(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def test_the_button_ends_every_session_of_the_user_and_keeps_the_administrators(
    sign_in, security_administrator, staff
):
    admin, desk, phone = sign_in(security_administrator), sign_in(staff), sign_in(staff)

    response = admin.post(end_url(staff), follow=True)

    assert response.redirect_chain == [(change_page(staff), 302)]
    assert "2 sessions were ended." in response.content.decode()
    assert not still_signed_in(desk) and not still_signed_in(phone)
    assert desk.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"
    assert still_signed_in(admin)
    entry = AuditEntry.objects.get(action=AuditAction.SECURITY)
    assert (entry.user, entry.target, entry.detail) == (
        security_administrator,
        f"user {staff.pk}",
        "ended 2 sessions",
    )


def test_the_action_ends_the_sessions_of_every_user_chosen_and_audits_each(
    sign_in, security_administrator, staff, member_user, other_staff
):
    admin = sign_in(security_administrator)
    desk, member, other = sign_in(staff), sign_in(member_user), sign_in(other_staff)

    response = admin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "end_sessions", "_selected_action": [staff.pk, member_user.pk]},
        follow=True,
    )

    assert "2 sessions were ended." in response.content.decode()
    assert not still_signed_in(desk) and not still_signed_in(member)
    assert still_signed_in(other) and still_signed_in(admin)
    assert sorted(
        AuditEntry.objects.filter(action=AuditAction.SECURITY).values_list("target", "detail")
    ) == sorted(
        [(f"user {staff.pk}", "ended 1 session"), (f"user {member_user.pk}", "ended 1 session")]
    )


def test_an_administrator_ending_their_own_sessions_stays_signed_in_here(
    sign_in, security_administrator
):
    here, elsewhere = sign_in(security_administrator), sign_in(security_administrator)

    here.post(end_url(security_administrator))

    assert still_signed_in(here) and not still_signed_in(elsewhere)
    assert AuditEntry.objects.get(action=AuditAction.SECURITY).detail == "ended 1 session"


@pytest.mark.parametrize("persona", ["staff", "member_user", "liaison", None])
def test_nobody_else_reaches_it(sign_in, request, persona, staff):
    someone = sign_in(request.getfixturevalue(persona) if persona else None)
    desk = sign_in(staff)

    response = someone.post(end_url(staff))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert still_signed_in(desk)
    assert not AuditEntry.objects.filter(action=AuditAction.SECURITY).exists()


def test_a_get_ends_nothing(sign_in, security_administrator, staff):
    desk = sign_in(staff)

    assert sign_in(security_administrator).get(end_url(staff)).status_code == 405
    assert still_signed_in(desk)


def test_the_button_and_the_action_are_offered_to_whom_may_end_sessions(
    sign_in, security_administrator, staff
):
    admin = sign_in(security_administrator)

    assert 'id="end-sessions"' in admin.get(change_page(staff)).content.decode()
    changelist = admin.get(reverse("admin:auth_user_changelist"))
    assert "end_sessions" in dict(changelist.context["action_form"].fields["action"].choices)


def test_who_may_end_sessions_is_decided_in_one_place(
    monkeypatch, sign_in, security_administrator, staff
):
    monkeypatch.setattr(roles, "may_end_sessions", lambda user: False)
    admin, desk = sign_in(security_administrator), sign_in(staff)

    page = admin.get(change_page(staff)).content.decode()
    changelist = admin.get(reverse("admin:auth_user_changelist"))
    refused = admin.post(end_url(staff))

    assert 'id="end-sessions"' not in page
    assert "end_sessions" not in dict(changelist.context["action_form"].fields["action"].choices)
    assert refused.status_code == 403
    assert still_signed_in(desk)


def test_each_session_row_names_the_user_signed_in_to_it(sign_in, staff):
    anonymous = sign_in(None).session  # saved at once, nobody signed in to it
    desk = sign_in(staff)

    assert Session.objects.get(pk=desk.session.session_key).user == staff
    assert Session.objects.get(pk=anonymous.session_key).user is None
    desk.post("/logout/")
    assert not Session.objects.filter(user=staff).exists()


def test_ending_a_users_sessions_is_one_statement_among_many_sessions(
    sign_in, staff, other_staff, django_assert_num_queries
):
    for _ in range(5):
        sign_in(staff), sign_in(other_staff)

    with django_assert_num_queries(1):
        assert end_sessions([staff.pk]) == 5

    assert Session.objects.filter(user=other_staff).count() == 5
