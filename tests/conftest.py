"""Personas and shared fixtures: administrator, staff of this workstation, staff of
another, member, anonymous."""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from workdays.loading import load_year
from workstations import roles

from .factories import MemberFactory, UserFactory, WorkstationFactory


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
            client.force_login(user)
        if language:
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        return client

    return sign_in


@pytest.fixture
def member(member_user):
    return member_user.member
