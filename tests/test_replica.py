"""With a read replica (REPLICA_URL), the public pages and statistics read the published
data from it, while the staff pages, and on every page the session, the signed-in user
and the cache, read the primary. The replica here is a second database alias of its own,
migrated but not replicated, so that a row found on a page says which database it came
from."""

import environ
import psycopg
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from base.replica import PUBLISHED_APPS, REPLICA
from workstations.models import Workstation

from .conftest import POSTGRES_SERVER
from .factories import open_case
from .processes import environment, run

ONLY_ON_REPLICA = "副本街道委员工作室"

# The alias is made before each test's databases are chosen (a module's fixture comes
# first), so that "__all__" takes it in and each test's writes to it are rolled back.
pytestmark = [pytest.mark.django_db(databases="__all__"), pytest.mark.usefixtures("replica_alias")]


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, tmp_path_factory):
    """A database of its own, migrated by the product (a process of its own, outside the
    tests' transactions), under the alias "replica" that settings make from REPLICA_URL;
    made after the test databases (`django_db_setup`), which it is not one of."""
    postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    if postgres:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as server:
            server.execute('CREATE DATABASE "replica_test"')
        url = "postgres://postgres@127.0.0.1:5432/replica_test"
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('replica') / 'replica.sqlite3'}"
    run(environment(url), "manage.py", "migrate", "--noinput", "-v", "0")
    configured = connections.configure_settings(
        {"default": connections.settings["default"], REPLICA: environ.Env.db_url_config(url)}
    )
    connections.settings[REPLICA] = configured[REPLICA]
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
    if postgres:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as server:
            server.execute('DROP DATABASE "replica_test" WITH (FORCE)')


@pytest.fixture
def replica(replica_alias, db, settings):
    """The router installed, and a workstation that only the replica has."""
    settings.DATABASE_ROUTERS = ["base.replica.ReplicaRouter"]
    Workstation.objects.using(REPLICA).create(
        street="副本街道", name=ONLY_ON_REPLICA, slug="replica-only", address="新城区副本路1号"
    )
    return connections[REPLICA]


def _tables(queries) -> set[str]:
    """The apps of the tables the queries name."""
    return {
        app
        for query in queries
        for app in {"auth", "base", "django_cache", *PUBLISHED_APPS}
        if f'"{app}_' in query["sql"] or f'"{app}"' in query["sql"]
    }


@pytest.mark.parametrize("page", ["/workstations/", "/"])
def test_a_public_page_reads_the_published_data_from_the_replica(replica, workstation, page):
    with CaptureQueriesContext(replica) as on_replica:
        response = Client().get(page)

    assert response.status_code == 200
    text = response.content.decode()
    assert ONLY_ON_REPLICA in text
    assert workstation.name not in text  # on the primary only
    assert on_replica.captured_queries
    assert _tables(on_replica.captured_queries) <= PUBLISHED_APPS


def test_the_statistics_are_added_up_on_the_replica(replica, staff, workstation):
    open_case(workstation=workstation, actor=staff)  # counted on the primary only

    with CaptureQueriesContext(replica) as on_replica:
        response = Client().get("/stats/")

    assert response.status_code == 200
    assert any("visits_casetally" in q["sql"] for q in on_replica.captured_queries)
    # The case opened on the primary is not counted: the replica's tallies are empty.
    assert [count for _, count in response.context["statuses"]] == [0] * len(
        response.context["statuses"]
    )


def test_a_signed_in_visitor_stays_signed_in_on_a_page_read_from_the_replica(
    replica, sign_in, staff
):
    client = sign_in(staff)

    with CaptureQueriesContext(replica) as on_replica:
        response = client.get("/workstations/")

    assert ONLY_ON_REPLICA in response.content.decode()
    assert response.context["user"] == staff  # read from the primary, where it was written
    assert _tables(on_replica.captured_queries) <= PUBLISHED_APPS


def test_the_staff_pages_read_the_primary(replica, sign_in, staff, workstation):
    case = open_case(workstation=workstation, actor=staff, title="楼道堆物")

    with CaptureQueriesContext(replica) as on_replica:
        response = sign_in(staff).get("/cases/")

    assert response.status_code == 200
    assert case.number in response.content.decode()
    assert on_replica.captured_queries == []


def test_without_a_router_the_public_pages_read_the_primary(workstation):
    response = Client().get("/workstations/")

    assert workstation.name in response.content.decode()
    assert ONLY_ON_REPLICA not in response.content.decode()


def test_replica_url_makes_the_alias_and_installs_the_router(tmp_path):
    shown = run(
        environment(
            f"sqlite:///{tmp_path / 'primary.sqlite3'}",
            REPLICA_URL="postgres://reader@10.0.0.2:5432/workstations",
            DEBUG="true",
        ),
        "manage.py", "shell", "-v", "0", "-c",
        "from django.conf import settings; r = settings.DATABASES['replica'];"
        "print(r['HOST'], r['NAME'], r['USER'], settings.DATABASE_ROUTERS)",
    )  # fmt: skip
    assert shown.stdout.split() == [
        "10.0.0.2", "workstations", "reader", "['base.replica.ReplicaRouter']"
    ]  # fmt: skip

    without = run(environment(f"sqlite:///{tmp_path / 'primary.sqlite3'}", DEBUG="true"),
        "manage.py", "shell", "-v", "0", "-c",
        "from django.conf import settings; print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS)",
    )  # fmt: skip
    assert without.stdout.split() == ["['default']", "[]"]
