"""The citizen's form and the public shifts speak plain Chinese: the street select starts
with 请选择, not Django's dashes, and a label's colon is the full-width one."""

from django.test import Client

from rosters.models import DutyShift

from ..factories import ActivityGroupFactory, DutyShiftFactory
from ..pages import html


def test_the_street_select_asks_to_choose_in_chinese(workstation):
    page = html(Client().get("/submit/"))

    assert "---------" not in page
    assert '<option value="" selected>请选择</option>' in page


def test_a_public_shift_names_its_group_with_a_full_width_colon(workstation):
    shift: DutyShift = DutyShiftFactory(
        workstation=workstation, holding_group=ActivityGroupFactory(name="法制组"), theme="普法"
    )

    page = html(Client().get(f"/workstations/{workstation.slug}/?date={shift.date}"))

    assert "：法制组" in page and "：普法" in page
    assert ": 法制组" not in page
