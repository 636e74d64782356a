"""Correcting what was logged about a case (title, category, description) from its page.
The timeline keeps who changed what, with the old and new title and category; of the
description, which may hold what the citizen wrote about themselves, only that it
changed. Refusals (nothing changed, a stale page, an ended case, bad input) change nothing."""

import pytest

from visits import lifecycle
from visits.lifecycle import CaseError
from visits.models import Case, CaseCategory, CaseStatus, EventKind

from ..pages import errors_next_to, html
from ..posts import act
from ..stories import record

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

DESCRIPTION = "我是王小明，住3号楼502，电话13812345678。电梯停了三周。"


@pytest.fixture
def case(world, workstation):
    return world.registered(
        workstation, title="电梯停运", category=CaseCategory.PROPERTY, description=DESCRIPTION
    )


def edited_event(case: Case):
    return case.events.get(kind=EventKind.EDITED)


def test_staff_correct_the_details_and_the_timeline_keeps_the_old_and_new_title_and_category(
    sign_in, staff, case
):
    response = act(
        sign_in(staff),
        case,
        "edit",
        title="3号楼电梯停运三周",
        category=CaseCategory.RENOVATION,
        description="电梯停运三周，老人出行困难。",
    )

    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    case.refresh_from_db()
    assert (case.title, case.category) == ("3号楼电梯停运三周", CaseCategory.RENOVATION)
    assert case.description == "电梯停运三周，老人出行困难。"
    assert case.status == CaseStatus.REGISTERED
    event = edited_event(case)
    assert event.actor == staff
    assert (event.from_status, event.to_status) == (CaseStatus.REGISTERED,) * 2
    # The timeline is kept in the office's language.
    assert "标题：“电梯停运” → “3号楼电梯停运三周”" in event.note
    assert "类别：物业治理 → 老旧小区改造" in event.note
    assert "描述已修改" in event.note and "老人出行困难" not in event.note


def test_the_description_is_recorded_as_changed_without_its_old_or_new_text(sign_in, staff, case):
    act(
        sign_in(staff),
        case,
        "edit",
        title=case.title,
        category=case.category,
        description="电梯停运三周。",
    )

    note = edited_event(case).note
    assert "13812345678" not in note and "王小明" not in note and "电梯停运三周。" not in note
    assert "描述已修改" in note


def test_a_title_holding_a_phone_number_is_corrected_without_keeping_the_number(
    world, staff, workstation
):
    case = world.registered(workstation, title="电梯停运，联系13812345678")

    lifecycle.case_edit(
        case=case, actor=staff, title="电梯停运", category=case.category, description=""
    )

    note = edited_event(case).note
    assert "13812345678" not in note and "标题已修改" in note
    assert Case.objects.get(pk=case.pk).title == "电梯停运"


def test_the_case_page_shows_the_correction_in_the_timeline(sign_in, staff, case):
    client = sign_in(staff)
    act(client, case, "edit", title="电梯停运三周", category=case.category, description="")

    page = html(client.get(f"/cases/{case.number}/"))

    assert "Details corrected" in page and "电梯停运三周" in page


def test_an_edit_that_changes_nothing_is_refused_and_writes_no_event(sign_in, staff, case):
    before = record(case)

    response = act(
        sign_in(staff),
        case,
        "edit",
        title=case.title,
        category=case.category,
        description=case.description,
    )

    assert response.status_code == 400 and "Nothing was changed" in html(response)
    assert record(case) == before


def test_an_edit_from_a_page_left_open_while_the_case_moved_is_refused(sign_in, staff, case):
    lifecycle.case_consult(case=case, actor=staff, note="约物业协商")
    before = record(case)

    response = act(
        sign_in(staff),
        case,
        "edit",
        seen_status=CaseStatus.REGISTERED,
        title="新标题",
        category=case.category,
        description="",
    )

    assert response.status_code == 400 and "changed this case meanwhile" in html(response)
    assert record(case) == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "id_edit-title", "This field is required."),
        ({"title": "长" * 101}, "id_edit-title", "at most 100 characters"),
        ({"category": "bribery"}, "id_edit-category", "Select a valid choice"),
        ({"description": "长" * 4001}, "id_edit-description", "at most 4000 characters"),
    ],
)
def test_bad_input_is_an_error_next_to_the_field_and_changes_nothing(
    sign_in, staff, case, fields, field, message
):
    before = record(case)
    data = {"title": "新标题", "category": case.category, "description": ""} | fields

    response = act(sign_in(staff), case, "edit", **data)

    assert response.status_code == 400
    assert any(message in error for error in errors_next_to(response, field))
    assert record(case) == before


def test_an_ended_case_cannot_be_edited(world, staff, workstation):
    case = world.closed(workstation)
    before = record(case)

    with pytest.raises(CaseError, match="ended"):
        lifecycle.case_edit(
            case=case, actor=staff, title="改标题", category=case.category, description=""
        )

    assert record(case) == before


def test_markup_in_a_corrected_title_comes_out_escaped(sign_in, staff, case):
    client = sign_in(staff)
    act(client, case, "edit", title="<b>电梯</b>", category=case.category, description="")

    page = html(client.get(f"/cases/{case.number}/"))

    assert "<b>电梯</b>" not in page and "&lt;b&gt;电梯&lt;/b&gt;" in page
