"""The web servers and a database that is slow or gone: a statement past its limit fails
fast (PostgreSQL's statement_timeout, set by config/wsgi.py for the web servers only),
and a database host that accepts connections but never answers is a 503 page after the
connect timeout, not a worker stuck on it."""

import socket
import time

import pytest
from django.db import OperationalError, connection, transaction

from base import errors, web_database

from .processes import environment, run

PRODUCTION = {
    "SECRET_KEY": "web-database-" + "k3Pw7" * 10,
    "ALLOWED_HOSTS": "testserver",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "CRITICAL",  # the 503 is logged as an error; not this test's output
}


def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("statement_timeout is PostgreSQL's; SQLite has no statement limit")


def test_a_statement_past_the_web_limit_fails_fast_and_the_connection_serves_on(db, settings):
    postgres_only()
    settings.WEB_STATEMENT_TIMEOUT = 1
    web_database.limit_statements(sender=None, connection=connection)
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        took = time.monotonic() - started

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert 1 <= took < 3


SHOW_LIMIT = """
import django
{setup}
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
"""


def test_only_the_web_servers_limit_their_statements(database_url):
    postgres_only()
    env = environment(database_url, **PRODUCTION)

    served = run(env, "-c", SHOW_LIMIT.format(setup="import config.wsgi"))
    command = run(env, "-c", SHOW_LIMIT.format(setup="django.setup()"))

    assert served.stdout.strip() == "10s"
    assert command.stdout.strip() == "0"  # migrations, backups, bulk loads may run long


A_PAGE_WHILE_THE_DATABASE_IS_SILENT = """
import time
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.get("/stats/")  # the first request of a process imports and compiles much
started = time.monotonic()
response = client.get("/")
print(response.status_code, response["Retry-After"], time.monotonic() - started)
"""


def test_a_database_host_that_never_answers_is_a_503_after_the_connect_timeout():
    # A listening socket that nobody reads: the connection is made, no answer ever comes,
    # as with a database server that hangs or a host behind a dropping firewall.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"postgres://postgres@127.0.0.1:{silent.getsockname()[1]}/xincheng"
        answer = run(environment(url, **PRODUCTION), "-c", A_PAGE_WHILE_THE_DATABASE_IS_SILENT)

    status, retry_after, seconds = answer.stdout.split()
    assert (status, retry_after) == ("503", str(errors.RETRY_AFTER_SECONDS))
    # psycopg waits at least 2 seconds for a connection (its floor for connect_timeout).
    assert float(seconds) < 2.5
