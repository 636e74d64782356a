"""Signing in with a second factor: the password, then the authenticator app's code (or a
recovery code, once). Administrators must have one; anyone else may."""

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from audit.models import AuditAction, AuditEntry

from .helpers import code_of, give_factor, with_password


@pytest.fixture
def clock(time_machine):
    """A clock that moves only when the test says (the app's code changes every 30 s)."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def _signed_in_fully(client) -> bool:
    return client.get("/dashboard/").status_code == 200 and not client.session.get(
        second_factor.DUE
    )


def test_a_password_alone_leaves_an_administrator_at_the_second_step(clock, administrator):
    give_factor(administrator)
    client, _response = with_password(administrator, next="/admin/")

    # Signing in sends to where they were going; every page sends on to the second step.
    assert client.session.get(second_factor.DUE)
    for page in ("/admin/", "/dashboard/", "/account/second-factor/", "/login/"):
        answer = client.get(page)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/login/second-factor/?next=")
    # A form posted before the second step is not taken either.
    assert client.post("/account/second-factor/recovery-codes/").status_code == 302
    assert second_factor.recovery_codes_left(administrator) == 10


def test_the_apps_code_finishes_signing_in_and_returns_where_they_were_going(clock, administrator):
    give_factor(administrator)
    client, _response = with_password(administrator)
    before = client.session.session_key

    response = client.post(
        "/login/second-factor/", {"code": code_of(administrator), "next": "/admin/"}
    )

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # More than a password's worth now: a new session key.
    assert client.session.session_key != before
    entry = AuditEntry.objects.get(action=AuditAction.SIGN_IN, detail="second factor")
    assert entry.user == administrator


def test_a_wrong_code_is_refused_beside_the_field_and_logged(clock, administrator):
    give_factor(administrator)
    client, _response = with_password(administrator)

    response = client.post("/login/second-factor/", {"code": "000000"})

    assert response.status_code == 200
    assert "That code is not right" in str(response.context["form"].errors["code"])
    assert client.session.get(second_factor.DUE)
    assert client.get("/admin/").status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, user=administrator, detail="wrong second-factor code"
    ).exists()


def test_a_code_signs_in_once_then_the_next_one_is_needed(clock, administrator):
    give_factor(administrator)
    code = code_of(administrator)
    first, _ = with_password(administrator)
    assert first.post("/login/second-factor/", {"code": code}).status_code == 302

    second, _ = with_password(administrator)
    replayed = second.post("/login/second-factor/", {"code": code})

    assert replayed.status_code == 200 and second.session.get(second_factor.DUE)
    clock.shift(30)
    assert second.post("/login/second-factor/", {"code": code_of(administrator)}).status_code == 302


def test_a_recovery_code_signs_in_once(clock, administrator):
    codes = give_factor(administrator)
    # As printed: in two groups, and typed in capitals.
    typed = second_factor.shown_in_groups(codes[3]).upper()
    first, _ = with_password(administrator)

    assert first.post("/login/second-factor/", {"code": typed}).status_code == 302
    assert _signed_in_fully(first)
    assert second_factor.recovery_codes_left(administrator) == 9

    second, _ = with_password(administrator)
    assert second.post("/login/second-factor/", {"code": typed}).status_code == 200
    assert second.session.get(second_factor.DUE)


def test_five_wrong_codes_then_a_pause_even_for_the_right_code(clock, administrator):
    give_factor(administrator)
    client, _ = with_password(administrator)
    for _ in range(5):
        assert client.post("/login/second-factor/", {"code": "123456"}).status_code == 200

    paused = client.post("/login/second-factor/", {"code": code_of(administrator)})

    assert paused.status_code == 200
    assert "Try again in 60 seconds" in str(paused.context["form"].errors["code"])
    assert client.session.get(second_factor.DUE)
    clock.shift(60)
    assert client.post("/login/second-factor/", {"code": code_of(administrator)}).status_code == 302


def test_the_pause_holds_for_a_new_sign_in_of_the_same_account(clock, administrator):
    give_factor(administrator)
    guesser, _ = with_password(administrator)
    for _ in range(6):
        guesser.post("/login/second-factor/", {"code": "123456"})

    again, _ = with_password(administrator)
    refused = again.post("/login/second-factor/", {"code": code_of(administrator)})

    assert "Try again in" in str(refused.context["form"].errors["code"])


def test_an_administrator_without_a_factor_sets_one_up_before_anything_else(clock, administrator):
    client, _ = with_password(administrator)

    step = client.get("/login/second-factor/?next=/admin/")

    assert step.status_code == 302
    assert step["Location"] == "/account/second-factor/set-up/?next=%2Fadmin%2F"
    page = client.get(step["Location"])
    assert page.status_code == 200
    # Not yet signed in fully: no staff menu to pages that would send them back.
    assert b"staff-nav" not in page.content
    assert not TOTPDevice.objects.filter(user=administrator).exists()


def test_staff_without_a_factor_sign_in_with_the_password_alone(clock, staff):
    client, response = with_password(staff)

    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert not client.session.get(second_factor.DUE)
    assert _signed_in_fully(client)


def test_staff_who_set_up_a_factor_need_it_too(clock, staff):
    give_factor(staff)
    client, _ = with_password(staff)

    assert client.get("/dashboard/").status_code == 302
    client.post("/login/second-factor/", {"code": code_of(staff)})
    assert _signed_in_fully(client)


def test_the_password_alone_cannot_add_a_factor_to_an_account_that_has_one(clock, administrator):
    give_factor(administrator)
    client, _ = with_password(administrator)

    response = client.get("/account/second-factor/set-up/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/second-factor/")
    assert TOTPDevice.objects.filter(user=administrator).count() == 1


def test_where_they_were_going_must_be_on_this_site(clock, administrator):
    give_factor(administrator)
    client, _ = with_password(administrator)

    response = client.post(
        "/login/second-factor/",
        {"code": code_of(administrator), "next": "https://evil.example/"},
    )

    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_admins_own_sign_in_page_leads_to_the_second_step(clock, administrator):
    give_factor(administrator)
    client, response = with_password(administrator, url="/admin/login/?next=/admin/")

    assert response.status_code == 302
    answer = client.get(response["Location"])
    assert answer.status_code == 302
    assert answer["Location"] == "/login/second-factor/?next=%2Fadmin%2F"


def test_the_office_may_switch_the_rule_off(clock, administrator, settings):
    settings.SECOND_FACTOR_FOR_ADMINISTRATORS = False
    client, _ = with_password(administrator)

    assert not client.session.get(second_factor.DUE)
    assert client.get("/admin/").status_code == 200


def test_signing_out_is_open_before_the_second_step(clock, administrator):
    give_factor(administrator)
    client, _ = with_password(administrator)

    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session
