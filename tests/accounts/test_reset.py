"""A lost phone: an security_administrator resets a user's second factor in admin. The app and the
recovery codes go, the user's sessions end, and the reset is audited."""

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken

from accounts import second_factor
from audit.models import AuditAction, AuditEntry
from tests.factories import UserFactory
from workstations import roles

from .helpers import give_factor, with_password

CHANGELIST = "/admin/auth/user/"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def _reset(client: Client, *users):
    return client.post(
        CHANGELIST,
        {"action": "reset_second_factor", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_an_administrator_resets_a_lost_phone(clock, sign_in, security_administrator, staff):
    give_factor(staff)
    staff_browser = sign_in(staff)
    office = sign_in(security_administrator)

    response = _reset(office, staff)

    assert "The second factor of 1 user was reset." in response.content.decode()
    assert not second_factor.has_factor(staff)
    assert not StaticToken.objects.filter(device__user=staff).exists()
    # Whoever holds the phone is signed out; the office stays.
    assert staff_browser.get("/dashboard/").status_code == 302
    assert office.get(CHANGELIST).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.SECURITY, detail="second factor reset")
    assert (entry.user, entry.target) == (security_administrator, f"user {staff.pk}")


def test_an_administrator_whose_factor_was_reset_sets_up_a_new_one(
    clock, sign_in, security_administrator
):
    other = UserFactory(username="admin2", is_staff=True, role=roles.ADMINISTRATORS)
    give_factor(other)

    _reset(sign_in(security_administrator), other)

    client, _ = with_password(other)
    step = client.get("/login/second-factor/")
    assert step["Location"].startswith("/account/second-factor/set-up/")


def test_a_user_without_a_factor_is_left_alone(clock, sign_in, security_administrator, staff):
    response = _reset(sign_in(security_administrator), staff)

    assert "The second factors of 0 users were reset." in response.content.decode()
    assert not AuditEntry.objects.filter(detail="second factor reset").exists()


def test_the_users_list_says_who_has_one(clock, sign_in, security_administrator, staff):
    give_factor(staff)

    rows = sign_in(security_administrator).get(CHANGELIST).context["cl"].result_list

    assert {user.username: user.second_factor for user in rows} == {
        "security": True,  # given one by signing in
        "liaison": True,
    }


def test_without_the_permission_there_is_no_reset(
    clock, sign_in, security_administrator, staff, monkeypatch
):
    give_factor(staff)
    monkeypatch.setattr(roles, "may_reset_second_factors", lambda user: False)
    office = sign_in(security_administrator)

    assert "reset_second_factor" not in office.get(CHANGELIST).content.decode()
    _reset(office, staff)
    assert second_factor.has_factor(staff)


@pytest.mark.parametrize("persona", ["staff", "member_user", "liaison", None])
def test_nobody_else_reaches_it(clock, sign_in, request, staff, persona):
    give_factor(staff)
    user = request.getfixturevalue(persona) if persona else None

    response = sign_in(user).post(
        CHANGELIST, {"action": "reset_second_factor", "_selected_action": [staff.pk]}
    )

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert second_factor.has_factor(staff)
