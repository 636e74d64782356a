"""Personas and shared fixtures: administrator, staff of this workstation, staff of
another, member, anonymous."""

import pytest

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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Every persona gets a password; the production hasher would spend ~0.25 s on each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
