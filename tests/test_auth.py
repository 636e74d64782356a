"""Signing in and staying signed in: the Chinese sign-in page, the lockout after five
failed attempts for one username from one address (django-axes), and the idle session
that ends after 30 minutes."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.utils import timezone

from base.models import Session

from .factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def liaison(staff):
    return staff


def attempt(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- the sign-in page --------------------------------------------------------------------


def test_the_sign_in_page_speaks_chinese_even_to_a_browser_asking_for_english(client, db):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in page
    assert response["Content-Language"] == "zh-hans"
    assert "工作人员登录" in page
    assert "用户名" in page and "密码" in page
    assert "Staff sign-in" not in page
    assert "Sign in" not in page


def test_choosing_english_with_the_language_switch_gives_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    page = client.get("/login/").content.decode()

    assert '<html lang="en">' in page
    assert "Staff sign-in" in page


def test_the_right_password_signs_in_and_lands_on_the_dashboard(client, liaison):
    response = attempt(client, "liaison", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert signed_in(client)


def test_signing_in_returns_to_the_page_asked_for(client, liaison):
    response = client.post(
        "/login/", {"username": "liaison", "password": PASSWORD, "next": "/cases/"}
    )

    assert response["Location"] == "/cases/"


def test_signing_in_never_sends_the_user_to_another_site(client, liaison):
    response = client.post(
        "/login/",
        {"username": "liaison", "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == "/dashboard/"


def test_a_wrong_password_is_refused_with_a_message(client, liaison):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = attempt(client, "liaison", "wrong")

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert not signed_in(client)


def test_signing_out_takes_a_post_and_ends_the_session(client, liaison):
    attempt(client, "liaison", PASSWORD)

    assert client.get("/logout/").status_code == 405
    assert signed_in(client)
    response = client.post("/logout/")

    assert response["Location"] == "/login/"
    assert not signed_in(client)
    assert client.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"


# --- the lockout ----------------------------------------------------------------------------


def fail(client: Client, times: int, username: str = "liaison", **extra) -> list[int]:
    return [attempt(client, username, "wrong", **extra).status_code for _ in range(times)]


def test_five_failed_attempts_lock_the_username_from_that_address(client, liaison):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    codes = fail(client, 5)
    sixth = attempt(client, "liaison", PASSWORD)

    assert codes == [200, 200, 200, 200, 429]
    assert sixth.status_code == 429
    assert "Too many failed sign-in attempts" in sixth.content.decode()
    assert not signed_in(client)
    assert (
        AccessAttempt.objects.get(username="liaison", ip_address="127.0.0.1").failures_since_start
        >= 5
    )


def test_four_failed_attempts_do_not_lock(client, liaison):
    fail(client, 4)

    assert attempt(client, "liaison", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_same_username_from_another_address_is_not_locked(client, liaison):
    fail(client, 5)
    elsewhere = Client(REMOTE_ADDR="10.0.0.2")

    response = attempt(elsewhere, "liaison", PASSWORD)

    assert response.status_code == 302
    assert signed_in(elsewhere)


def test_another_username_from_the_locked_address_is_not_locked(client, liaison, other_staff):
    fail(client, 5)

    response = attempt(client, "other-liaison", PASSWORD)

    assert response.status_code == 302


def test_the_lock_lasts_fifteen_minutes(client, liaison):
    fail(client, 5)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert attempt(client, "liaison", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "liaison", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_clears_the_failures_before_it(client, liaison):
    fail(client, 4)
    attempt(client, "liaison", PASSWORD)
    client.post("/logout/")

    assert fail(client, 4) == [200, 200, 200, 200]
    assert attempt(client, "liaison", PASSWORD).status_code == 302


def test_failures_for_a_username_that_does_not_exist_lock_it_too(client, db):
    # Otherwise the lockout would tell which usernames exist.
    assert fail(client, 5, username="nobody")[-1] == 429


def test_behind_a_proxy_the_lock_follows_the_address_the_proxy_reports(client, liaison, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    fail(client, 5, HTTP_X_REAL_IP="203.0.113.7")

    assert attempt(client, "liaison", PASSWORD, HTTP_X_REAL_IP="203.0.113.7").status_code == 429
    other_citizen = attempt(client, "liaison", PASSWORD, HTTP_X_REAL_IP="203.0.113.8")
    assert other_citizen.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"


def test_a_proxy_header_that_is_not_an_address_falls_back_to_the_connection(
    client, liaison, settings
):
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"

    codes = fail(client, 5, HTTP_X_FORWARDED_FOR="not-an-address")

    assert codes[-1] == 429
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


# --- the idle session ------------------------------------------------------------------------


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_lasts_thirty_minutes_and_ends_with_the_browser(client, liaison):
    attempt(client, "liaison", PASSWORD)

    response = client.get("/dashboard/")

    assert client.session.get_expiry_age() == 30 * 60
    assert client.session.get_expire_at_browser_close()
    remaining = session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]


def test_a_request_after_29_idle_minutes_pushes_the_end_back_to_thirty_minutes(
    client, liaison, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    attempt(client, "liaison", PASSWORD)
    client.get("/cases/")
    time_machine.shift(timedelta(minutes=29))

    assert client.get("/cases/").status_code == 200

    remaining = session_row(client).expire_date - timezone.now()
    assert remaining == timedelta(minutes=30)


def test_after_thirty_idle_minutes_the_next_request_must_sign_in_again(client, liaison):
    attempt(client, "liaison", PASSWORD)
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get("/cases/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/cases/"


def test_a_deactivated_user_is_signed_out_on_the_next_request(client, db):
    user = UserFactory(username="leaver")
    attempt(client, "leaver", PASSWORD)
    user.is_active = False
    user.save()

    assert client.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"
