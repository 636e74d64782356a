"""What the sign-in lockout (django-axes) records of an attempt: the username typed, cut
to the longest an account can have, so that no username fails to save."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

LONG = "x" * 300
LONGEST = 150  # the User model's username column


@pytest.fixture
def visitor(db) -> Client:
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "en"
    return client


def test_a_300_character_username_is_refused_like_a_wrong_password(visitor):
    # axes saved the username whole in a 255-character column: on PostgreSQL, a 500.
    response = visitor.post("/login/", {"username": LONG, "password": "whatever"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in visitor.session
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == LONG[:LONGEST]


def test_a_long_username_is_still_locked_out_after_five_failures(visitor, staff):
    for _ in range(5):
        visitor.post("/login/", {"username": LONG, "password": "whatever"})

    response = visitor.post("/login/", {"username": LONG, "password": "whatever"})

    assert response.status_code == 429
    assert AccessAttempt.objects.count() == 1


def test_an_accounts_own_username_is_recorded_whole(visitor, staff):
    visitor.post("/login/", {"username": staff.username, "password": "wrong"})

    assert AccessAttempt.objects.get().username == staff.username
