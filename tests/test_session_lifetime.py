"""However active its user, a session ends SESSION_ABSOLUTE_SECONDS (10 hours) after
signing in (base/session_lifetime.py): the next request is anonymous, sent to sign in
with a message, and a staff form posted then is kept through signing in again, as after
an idle expiry."""

import json
import re
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from base.models import Session
from visits.models import Visit

from .posts import visit_data
from .stories import NAME, SHANGHAI

START = datetime(2026, 3, 2, 8, 0, tzinfo=SHANGHAI)
# A request every twenty minutes: the idle limit (thirty) never ends the session.
EVERY = timedelta(minutes=20)
KEPT_SCRIPT = re.compile(r'<script id="kept-input" type="application/json">(.*?)</script>', re.S)
ENDED = "You were signed in for 10 hours: please sign in again."

pytestmark = pytest.mark.usefixtures("calendar_2026")


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def busy_for(client, clock, page: str, duration: timedelta) -> None:
    """Pages every twenty minutes from now, each signed in, until `duration` from now."""
    end = timezone.now() + duration
    while timezone.now() + EVERY < end:
        clock.shift(EVERY)
        assert client.get(page).status_code == 200
    clock.move_to(end)


PAGES = [
    pytest.param("staff", "/dashboard/", "/login/", id="staff page"),
    pytest.param("member_user", "/dashboard/", "/login/", id="member"),
    pytest.param("liaison", "/department/", "/login/", id="department liaison"),
    pytest.param("administrator", "/admin/", "/admin/login/", id="admin"),
]


def test_the_lifetime_is_ten_hours():
    assert settings.SESSION_ABSOLUTE_SECONDS == 10 * 3600


@pytest.mark.parametrize(("persona", "page", "sign_in_page"), PAGES)
def test_nine_hours_fifty_nine_minutes_of_activity_are_still_signed_in(
    request, sign_in, clock, persona, page, sign_in_page
):
    client = sign_in(request.getfixturevalue(persona))
    busy_for(client, clock, page, timedelta(hours=9, minutes=59))

    response = client.get(page)

    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated


@pytest.mark.parametrize(("persona", "page", "sign_in_page"), PAGES)
def test_ten_hours_and_a_minute_after_signing_in_the_user_signs_in_again(
    request, sign_in, clock, persona, page, sign_in_page
):
    client = sign_in(request.getfixturevalue(persona))
    old_key = client.session.session_key
    busy_for(client, clock, page, timedelta(hours=9, minutes=59))
    clock.shift(timedelta(minutes=2))

    response = client.get(page)

    assert response.status_code == 302
    assert response["Location"] == f"{sign_in_page}?next={page}"
    assert not response.wsgi_request.user.is_authenticated
    assert not Session.objects.filter(pk=old_key).exists()  # flushed, not left to expire
    assert ENDED in client.get(response["Location"]).content.decode()
    assert client.get(page).status_code == 302  # and it stays ended


def test_signing_in_again_starts_ten_new_hours(sign_in, staff, clock):
    client = sign_in(staff)
    busy_for(client, clock, "/dashboard/", timedelta(hours=9, minutes=59))
    clock.shift(timedelta(minutes=2))
    assert client.get("/dashboard/").status_code == 302

    client.force_login(staff)
    busy_for(client, clock, "/dashboard/", timedelta(hours=9, minutes=59))

    assert client.get("/dashboard/").status_code == 200


def test_a_visit_saved_after_ten_hours_is_kept_through_signing_in_again(
    sign_in, staff, workstation, clock
):
    client = sign_in(staff)
    busy_for(client, clock, "/visits/new/", timedelta(hours=9, minutes=59))
    clock.shift(timedelta(minutes=2))

    too_late = client.post(
        "/visits/new/", visit_data(workstation), HTTP_REFERER="http://testserver/visits/new/"
    )
    client.force_login(staff)
    form = client.get("/visits/new/").content.decode()

    assert too_late["Location"] == "/login/?next=/visits/new/"
    assert not Visit.objects.exists()
    kept = json.loads(KEPT_SCRIPT.search(form).group(1))
    assert kept["fields"]["visitor_name"] == [NAME]
