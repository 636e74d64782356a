"""A signed-in session ends 30 minutes after its last request, but its row is written at
most once a minute (base/idle_sessions.py), not on every request."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from base.models import Session
from tests.signing import force_login


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def session_end(client):
    return Session.objects.get(pk=client.session.session_key).expire_date


def session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if Session._meta.db_table in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def test_pages_within_a_minute_of_the_last_write_do_not_write_the_session(client, staff, clock):
    force_login(client, staff)
    client.get("/dashboard/")  # the header's unread count goes into the session
    written_until = session_end(client)
    clock.shift(timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 1))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
        assert client.get("/cases/").status_code == 200
    assert session_writes(queries) == []
    assert session_end(client) == written_until


def test_a_page_a_minute_after_the_last_write_pushes_the_end_back(client, staff, clock):
    force_login(client, staff)
    clock.shift(timedelta(seconds=settings.SESSION_REFRESH_SECONDS))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    assert len(session_writes(queries)) == 1
    assert session_end(client) == timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # ... and the minute starts again from that write.
    clock.shift(timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        client.get("/dashboard/")
    assert session_writes(queries) == []


def test_pages_every_few_minutes_keep_a_session_alive_past_thirty_minutes(client, staff, clock):
    force_login(client, staff)
    for _ in range(8):
        clock.shift(timedelta(minutes=5))
        assert client.get("/dashboard/").status_code == 200
    # Forty minutes after signing in, and still in.
    assert client.get("/cases/").status_code == 200


def test_thirty_idle_minutes_end_the_session_even_within_the_minute_of_a_write(
    client, staff, clock
):
    force_login(client, staff)
    client.get("/dashboard/")
    clock.shift(timedelta(seconds=50))
    client.get("/dashboard/")  # not written: the last write was 50 s ago
    clock.shift(timedelta(seconds=settings.SESSION_COOKIE_AGE - 49))
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()


def test_the_keep_alive_address_pushes_the_end_back_at_once(client, staff, clock):
    force_login(client, staff)
    clock.shift(timedelta(seconds=10))
    response = client.post("/session/keep-alive/")
    assert response.status_code == 200
    assert session_end(client) == timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_page_that_writes_the_session_anyway_restarts_the_minute(client, staff, clock):
    """A session changed by the page is saved with it; the mark rides along, so the pages
    of the next minute write nothing."""
    force_login(client, staff)
    client.get("/dashboard/")
    clock.shift(timedelta(seconds=30))
    client.get("/inbox/")  # counts the unread messages again, into the session
    clock.shift(timedelta(seconds=settings.SESSION_REFRESH_SECONDS - 5))
    with CaptureQueriesContext(connection) as queries:
        client.get("/cases/")
    assert session_writes(queries) == []
