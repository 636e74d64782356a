from unittest import mock

import pytest
from django.db import OperationalError

from base.models import Session


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_healthz_answers_a_probe_without_a_session_over_plain_http(client, db, settings):
    # A load balancer probes over HTTP with no cookies: no login, no HTTPS redirect, no session.
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/admin/").status_code == 301  # any other page goes to HTTPS

    response = client.get("/healthz")

    assert response.status_code == 200 and response.content == b"ok\n"
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()
    assert client.head("/healthz").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_healthz_refuses_every_method_that_could_change_something(client, db, method):
    response = getattr(client, method)("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
