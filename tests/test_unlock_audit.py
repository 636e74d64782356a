"""Lifting a sign-in lockout is a security act in the audit log, "unlocked sign-in", with
the account ("user <id>") or, when no account has it, the name typed: deleting the
attempt in admin (its page or the list's action) or axes' reset commands. A successful
sign-in clearing its own failures unlocks nothing and is not recorded as such."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from audit.models import AuditAction, AuditEntry

PASSWORD = "correct horse battery staple"


def lock_out(client, username: str) -> AccessAttempt:
    for _ in range(5):
        client.post("/login/", {"username": username, "password": "wrong guess"})
    attempt = AccessAttempt.objects.get(username=username)
    assert attempt.failures_since_start == 5
    return attempt


def unlocks() -> list[tuple]:
    return sorted(
        AuditEntry.objects.filter(action=AuditAction.SECURITY).values_list(
            "user__username", "target", "detail"
        )
    )


def test_deleting_the_attempt_on_its_page_unlocks_the_account_and_is_audited(
    sign_in, security_administrator, staff
):
    desk = sign_in(None)
    attempt = lock_out(desk, "liaison")
    assert desk.post("/login/", {"username": "liaison", "password": PASSWORD}).status_code == 429

    response = sign_in(security_administrator).post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert unlocks() == [("security", f"user {staff.pk}", "unlocked sign-in")]
    assert desk.post("/login/", {"username": "liaison", "password": PASSWORD}).status_code == 302


def test_deleting_attempts_by_the_lists_action_audits_each_one(
    sign_in, security_administrator, staff
):
    lock_out(sign_in(None), "liaison")
    lock_out(sign_in(None, REMOTE_ADDR="10.1.1.1"), "no-such-account")

    sign_in(security_administrator).post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert not AccessAttempt.objects.exists()
    assert unlocks() == [
        ("security", "no-such-account", "unlocked sign-in"),
        ("security", f"user {staff.pk}", "unlocked sign-in"),
    ]


@pytest.mark.parametrize("persona", ["staff", "member_user", "liaison", None])
def test_nobody_else_can_delete_an_attempt(sign_in, request, persona, staff):
    attempt = lock_out(sign_in(None), "liaison")
    someone = sign_in(request.getfixturevalue(persona) if persona else None)

    response = someone.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert unlocks() == []


def test_axes_reset_commands_audit_each_account_they_unlock(sign_in, staff, member_user):
    lock_out(sign_in(None), "liaison")
    lock_out(sign_in(None, REMOTE_ADDR="10.1.1.1"), "member")
    lock_out(sign_in(None), "no-such-account")
    lock_out(sign_in(None), "nor-this-one")

    call_command("axes_reset_username", "liaison")
    call_command("axes_reset_ip", "10.1.1.1")
    call_command("axes_reset")

    assert not AccessAttempt.objects.exists()
    assert unlocks() == sorted(
        [
            (None, "no-such-account", "unlocked sign-in"),
            (None, "nor-this-one", "unlocked sign-in"),
            (None, f"user {member_user.pk}", "unlocked sign-in"),
            (None, f"user {staff.pk}", "unlocked sign-in"),
        ]
    )


def test_a_reset_with_nothing_to_reset_records_nothing(db):
    call_command("axes_reset")

    assert unlocks() == []


def test_signing_in_after_failures_clears_them_without_an_unlock_row(sign_in, staff):
    desk = sign_in(None)
    desk.post("/login/", {"username": "liaison", "password": "wrong guess"})

    assert desk.post("/login/", {"username": "liaison", "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.exists()
    assert unlocks() == []
