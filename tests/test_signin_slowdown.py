"""Guessing one account's password from many addresses is slowed, never locked: django-axes
locks a username at one address after five failures; past ten failures from anywhere,
every further attempt at that account waits a delay that doubles with each failure (at
most five minutes), and the right password signs in once the wait is over."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from base import signin

PASSWORD = "correct horse battery staple"


@pytest.fixture
def clock(time_machine):
    """The test's clock: it moves only when the test says so (no sleeping)."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def _from(address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _sign_in(address: str, password: str, url: str = "/login/", username: str = "liaison"):
    return _from(address).post(url, {"username": username, "password": password})


def _signed_in(response) -> bool:
    return response.status_code == 302


def test_forty_addresses_guessing_five_times_each_slow_the_account_until_the_wait_is_over(
    clock, staff
):
    # A guesser with forty addresses, one attempt a second from one or another.
    for n in range(40):
        for _ in range(5):
            _sign_in(f"10.0.{n}.1", "guess")
            clock.shift(1)

    refused = _sign_in("192.0.2.201", PASSWORD)

    assert refused.status_code == 200 and not _signed_in(refused)
    page = refused.content.decode()
    assert "many failed sign-in attempts" in page
    wait = signin.PASSWORDS.wait_seconds("liaison")
    assert 0 < wait <= signin.PASSWORDS.max_delay
    assert f"{wait} seconds" in page
    clock.shift(wait)
    assert _signed_in(_sign_in("192.0.2.202", PASSWORD))


def test_a_few_failures_from_many_addresses_do_not_slow_the_account(clock, staff):
    for n in range(signin.PASSWORDS.free_failures - 1):
        _sign_in(f"10.1.{n}.1", "guess")

    assert signin.PASSWORDS.wait_seconds("liaison") == 0
    assert _signed_in(_sign_in("192.0.2.1", PASSWORD))


def test_attempts_refused_for_now_do_not_lengthen_the_wait(clock, staff):
    for n in range(signin.PASSWORDS.free_failures + 3):
        clock.shift(signin.PASSWORDS.max_delay)  # each guess waits its turn, so each one counts
        _sign_in(f"10.2.{n}.1", "guess")
    wait = signin.PASSWORDS.wait_seconds("liaison")
    assert wait > 0

    for n in range(50):
        assert not _signed_in(_sign_in(f"10.3.{n}.1", PASSWORD))

    assert signin.PASSWORDS.wait_seconds("liaison") == wait
    clock.shift(wait)
    assert _signed_in(_sign_in("192.0.2.9", PASSWORD))


def test_the_wait_doubles_with_each_further_failure_up_to_five_minutes():
    failures = signin.PASSWORDS.free_failures
    assert signin.PASSWORDS.delay_after(failures - 1) == 0
    assert [signin.PASSWORDS.delay_after(failures + k) for k in range(4)] == [2, 4, 8, 16]
    assert signin.PASSWORDS.delay_after(failures + 30) == signin.PASSWORDS.max_delay == 300


def test_the_count_is_kept_per_account_whatever_the_letter_case(clock, staff, other_staff):
    for n in range(signin.PASSWORDS.free_failures + 1):
        _sign_in(f"10.4.{n}.1", "guess", username="LIAISON" if n % 2 else "liaison")

    assert signin.PASSWORDS.wait_seconds("Liaison") > 0
    assert signin.PASSWORDS.wait_seconds("other-liaison") == 0
    assert _signed_in(_sign_in("192.0.2.3", PASSWORD, username="other-liaison"))


def test_a_successful_sign_in_clears_the_count(clock, staff):
    for n in range(signin.PASSWORDS.free_failures - 1):
        _sign_in(f"10.5.{n}.1", "guess")
    assert _signed_in(_sign_in("192.0.2.4", PASSWORD))

    for n in range(signin.PASSWORDS.free_failures - 1):
        _sign_in(f"10.6.{n}.1", "guess")

    assert signin.PASSWORDS.wait_seconds("liaison") == 0


def test_the_count_is_forgotten_a_day_after_the_last_failure(clock, staff):
    for n in range(signin.PASSWORDS.free_failures + 5):
        _sign_in(f"10.7.{n}.1", "guess")

    clock.shift(24 * 3600 + 1)

    assert signin.PASSWORDS.wait_seconds("liaison") == 0


def test_the_admin_sign_in_is_slowed_alike(clock, administrator):
    url = reverse("admin:login")
    for n in range(signin.PASSWORDS.free_failures + 1):
        _sign_in(f"10.8.{n}.1", "guess", url=url, username="admin")

    refused = _sign_in("192.0.2.5", PASSWORD, url=url, username="admin")

    assert refused.status_code == 200
    assert "many failed sign-in attempts" in refused.content.decode()
    clock.shift(signin.PASSWORDS.wait_seconds("admin"))
    assert _signed_in(_sign_in("192.0.2.6", PASSWORD, url=url, username="admin"))


def test_an_unknown_username_is_slowed_like_a_real_one(clock, db):
    # Otherwise the slow-down would tell which usernames exist.
    for n in range(signin.PASSWORDS.free_failures + 1):
        _sign_in(f"10.9.{n}.1", "guess", username="nobody")

    assert signin.PASSWORDS.wait_seconds("nobody") > 0
