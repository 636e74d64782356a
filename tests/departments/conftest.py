"""The liaisons of the two departments the stories refer cases to."""

import pytest

from workstations import roles

from ..factories import UserFactory


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
