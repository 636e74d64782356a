"""The visits pages are driven by staff of this workstation; the cases they show are told
by the stories of tests/stories.py (fixtures `world` and `story`), and the case list's
by `listing`."""

from dataclasses import dataclass, field

import pytest

from members.models import Member
from visits.models import Case

from ..factories import MemberFactory
from ..stories import answered, days_ago


@pytest.fixture
def client(sign_in, staff):
    """Staff of this workstation, signed in, reading the pages in English."""
    return sign_in(staff)


@dataclass
class Listing:
    """Cases at both workstations, each of which one filter of the case list singles out."""

    property_case: Case
    overdue_case: Case
    elderly_case: Case
    answered_case: Case
    elsewhere: Case
    members: dict[str, Member] = field(default_factory=dict)

    def number(self, name: str) -> str:
        return getattr(self, name).number


@pytest.fixture
def listing(world, staff, workstation, other_workstation, member, settings) -> Listing:
    # First handling within 20 working days here: of the open cases, only the referred one
    # sixty days ago is late.
    settings.FIRST_HANDLING_WORKING_DAYS = 20
    second_member = MemberFactory(name="赵委员", home_workstation=workstation)
    property_case = world.registered(
        workstation,
        at=days_ago(10),
        title="小区物业不作为",
        description="电梯长期停运",
        members=[member],
    )
    overdue_case = world.overdue(
        workstation,
        title="群租房消防隐患",
        category=Case.Category.FIRE_SAFETY,
        description="楼道堆放杂物，物业不管",
        members=[second_member],
    )
    elderly_case = world.consulting(
        workstation, at=days_ago(3), title="老人助餐点太远", category=Case.Category.ELDERLY_CARE
    )
    answered_case = answered(
        workstation=workstation,
        actor=staff,
        note="已解答",
        title="失业金申领",
        category=Case.Category.EMPLOYMENT,
    )
    elsewhere = world.registered(other_workstation, title="胡家庙小区物业费上涨", at=days_ago(10))
    return Listing(
        property_case,
        overdue_case,
        elderly_case,
        answered_case,
        elsewhere,
        {"member": member, "second": second_member},
    )
