"""Personas and shared fixtures: administrator, staff of this workstation, staff of
another, member, anonymous; the calendars and deadlines cases count in, and the stories
that bring cases to a status (tests/stories.py)."""

import uuid
from collections.abc import Callable

import psycopg
import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from workdays.loading import load_year
from workstations import roles

from .factories import (
    DepartmentFactory,
    MemberFactory,
    UserFactory,
    WorkstationFactory,
    open_case,
)
from .signing import force_login
from .stories import World, tell

POSTGRES_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(autouse=True)
def tallies_in_step(request):
    """After every test that writes to the database, the tallies the figures read equal
    a recount of the cases and visits: whatever a test did, through whichever door, the
    counters followed."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in request.fixturenames:
        request.getfixturevalue("db")
    else:
        yield
        return
    yield
    from visits import tallies

    assert tallies.compare() == [], "the tallies no longer equal the cases and visits"


@pytest.fixture
def workstation(db):
    return WorkstationFactory(street="西一路街道", name="西一路街道委员工作室", slug="xiyilu")


@pytest.fixture
def other_workstation(db):
    return WorkstationFactory(street="胡家庙街道", name="胡家庙街道委员工作室", slug="hujiamiao")


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin", is_staff=True, role=roles.ADMINISTRATORS)


@pytest.fixture
def security_administrator(db):
    return UserFactory(username="security", is_staff=True, role=roles.SECURITY_ADMINISTRATORS)


@pytest.fixture
def auditor(db):
    return UserFactory(username="auditor", is_staff=True, role=roles.AUDITORS)


@pytest.fixture
def staff(workstation):
    user = UserFactory(username="liaison", role=roles.STAFF)
    workstation.staff.add(user)
    return user


@pytest.fixture
def other_staff(other_workstation):
    user = UserFactory(username="other-liaison", role=roles.STAFF)
    other_workstation.staff.add(user)
    return user


@pytest.fixture
def member_user(workstation):
    user = UserFactory(username="member", role=roles.MEMBERS)
    MemberFactory(name="李委员", home_workstation=workstation, user=user)
    return user


@pytest.fixture
def working_calendar(db):
    """The working-day calendar of last year, this year and next: deadlines count in it."""
    year = timezone.localdate().year
    return [load_year(y) for y in (year - 1, year, year + 1)]


@pytest.fixture
def calendar_2026(db):
    """The working-day calendar of 2026, the year the stories are told in."""
    return load_year(2026)


@pytest.fixture
def deadlines(settings):
    """Pin the deadlines the dates are counted with, whatever the environment says."""
    settings.ACCEPTANCE_WORKING_DAYS = 3
    settings.FIRST_HANDLING_WORKING_DAYS = 5
    settings.CONSULTATION_WORKING_DAYS = 10
    settings.ACKNOWLEDGEMENT_WORKING_DAYS = 2
    settings.REFERRAL_REPLY_WORKING_DAYS = 15
    settings.RESOLUTION_WORKING_DAYS = 5
    settings.FOLLOW_UP_WORKING_DAYS = 5


@pytest.fixture
def english():
    """Messages asserted in English, their msgids: the site itself speaks Chinese."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every persona gets a password; the production hasher would spend ~0.25 s on each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sign_in(db) -> Callable[..., Client]:
    """A fresh client signed in as `user` (anonymous for None), in English unless asked.

    English keeps the assertions readable; the Chinese default is tested on its own."""

    def sign_in(user=None, language: str = "en", **defaults) -> Client:
        client = Client(**defaults)
        if user is not None:
            force_login(client, user)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return sign_in


@pytest.fixture
def member(member_user):
    return member_user.member


@pytest.fixture
def other_member(other_workstation):
    return MemberFactory(name="胡委员", home_workstation=other_workstation)


@pytest.fixture
def departments(db):
    """The lead and the co-handling department of every case `world` refers."""
    return DepartmentFactory(name="区住建局"), DepartmentFactory(name="区消防救援大队")


@pytest.fixture
def world(staff, departments, working_calendar, deadlines) -> World:
    """Cases brought to a status now, by this workstation's staff (tests/stories.py)."""
    return World(staff, departments)


@pytest.fixture
def story(staff, workstation, calendar_2026, deadlines):
    """`story(situation)`: one case played from 2 March 2026 to a situation of
    `stories.SITUATIONS`, each step by this workstation's staff."""
    return lambda situation: tell(situation, staff, workstation)


@pytest.fixture
def case(workstation, staff):
    """A case registered at this workstation by its staff: the one a proposal is drafted
    from, unless a module tells its own."""
    return open_case(workstation=workstation, actor=staff, title="老旧小区电梯停运")


@pytest.fixture
def lead(workstation):
    """The member of this workstation who leads the proposals a test drafts."""
    return MemberFactory(name="张建国", home_workstation=workstation)


@pytest.fixture
def admin_client(sign_in, administrator):
    """The district administrator signed in, in English (not pytest-django's superuser)."""
    return sign_in(administrator)


@pytest.fixture
def auditor_client(sign_in, auditor):
    """The auditor signed in, in English: the one who reads the whole audit log."""
    return sign_in(auditor)


@pytest.fixture
def empty_shared_cache(db):
    """The database cache (stored pages, rate-limit counters) outlives a test's
    transaction: a test that asks starts and ends without it."""
    cache.clear()
    yield
    cache.clear()


# The liaisons of the two departments the stories refer cases to.
@pytest.fixture
def liaison(departments):
    lead_department, _co = departments
    user = UserFactory(
        username="housing-liaison",
        last_name="刘",
        first_name="建华",
        role=roles.DEPARTMENT_LIAISONS,
    )
    lead_department.liaisons.add(user)
    return user


@pytest.fixture
def other_liaison(departments):
    _lead, co_department = departments
    user = UserFactory(username="fire-liaison", role=roles.DEPARTMENT_LIAISONS)
    co_department.liaisons.add(user)
    return user


@pytest.fixture
def new_database(tmp_path):
    """Makes databases of their own for the product's processes a test starts (workers,
    servers, backups), of the engine the suite runs on: each call, a new empty one, its
    URL. They are dropped afterwards."""
    postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    made = []

    def make() -> str:
        name = f"processes_{uuid.uuid4().hex[:8]}"
        made.append(name)
        if not postgres:
            return f"sqlite:///{tmp_path / name}.sqlite3"
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as server:
            server.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:5432/{name}"

    yield make
    if postgres:
        with psycopg.connect(POSTGRES_SERVER, autocommit=True) as server:
            for name in made:
                server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(new_database):
    """One database of its own (`new_database`)."""
    return new_database()


@pytest.fixture
def redis_url():
    """A database of the Redis at 127.0.0.1:6379 for one test, emptied before and after
    (1-14: `make test` runs the notification tests on RQ in database 15)."""
    url = f"redis://127.0.0.1:6379/{uuid.uuid4().int % 14 + 1}"
    connection = redis.Redis.from_url(url)
    connection.flushdb()
    yield url
    connection.flushdb()
