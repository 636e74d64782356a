"""The case list's search (`visits.search`): every word must match, anywhere in the
number, title, description or a note on the timeline (a department's reply included),
in Chinese words of two characters or more, a single character, Latin words in any case
and parts of a tracking number; newest first. The suite runs on SQLite (an FTS5 table)
and on PostgreSQL (a GIN full-text index): the same queries, the same answers."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from visits import lifecycle, search
from visits.models import Case, CaseSearchText

from ..factories import DepartmentFactory, open_case
from ..pages import listed
from ..stories import days_ago

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")


@pytest.fixture
def cases(workstation, other_workstation, staff):
    """Opened oldest first; each name says what only it holds."""
    made = {
        "stairs_and_fire": open_case(
            workstation=workstation, actor=staff, now=days_ago(9), title="楼道堆物",
            description="存在消防隐患，物业不管",
        ),
        "stairs_light": open_case(
            workstation=workstation, actor=staff, now=days_ago(8), title="楼道灯坏了",
            description="晚上看不见路",
        ),
        "fire_lane": open_case(
            workstation=workstation, actor=staff, now=days_ago(7), title="消防通道被占",
        ),
        "lift_in_note": open_case(
            workstation=workstation, actor=staff, now=days_ago(6), title="小区设施老化",
        ),
        "reply_only": open_case(
            workstation=workstation, actor=staff, now=days_ago(5), title="路面坑洼",
        ),
        "latin": open_case(
            workstation=workstation, actor=staff, now=days_ago(4), title="社区WiFi信号差",
        ),
        "address": open_case(
            workstation=workstation, actor=staff, now=days_ago(4), title="单元门坏了",
            description="13号楼5单元门禁失灵",
        ),
        "elsewhere": open_case(
            workstation=other_workstation, actor=staff, now=days_ago(3), title="楼道消防",
            description="楼道堆物",
        ),
    }  # fmt: skip
    lifecycle.case_note(
        case=made["lift_in_note"], actor=staff, note="已联系物业，电梯下周更换", now=days_ago(6)
    )
    referral = lifecycle.case_refer(
        case=made["reply_only"],
        actor=staff, department=DepartmentFactory(name="区市政局"), now=days_ago(5),
    )  # fmt: skip
    lifecycle.referral_reply(
        referral=referral, actor=staff, reply="已安排沥青修补", now=days_ago(4)
    )
    return made


def found(client, q: str) -> list[str]:
    response = client.get("/cases/", {"q": q})
    assert response.status_code == 200
    return listed(response)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("楼道 消防", ["stairs_and_fire"]),  # both words, in the title and the description
        ("消防 楼道", ["stairs_and_fire"]),  # in any order
        ("楼道", ["stairs_light", "stairs_and_fire"]),  # newest first
        ("消防", ["fire_lane", "stairs_and_fire"]),
        ("消防通道", ["fire_lane"]),
        ("通道消防", []),  # a word's characters in its order
        ("电梯", ["lift_in_note"]),  # in a handling note
        ("物业 电梯", ["lift_in_note"]),  # both in the note
        ("沥青", ["reply_only"]),  # in the department's reply
        ("灯", ["stairs_light"]),  # a single character
        ("wifi", ["latin"]),
        ("WIFI 信号", ["latin"]),
        ("ＷＩＦＩ", ["latin"]),  # full-width, as a Chinese input method types it
        ("13号楼", ["address"]),
        ("１３号楼", ["address"]),
        ("3号楼", ["address"]),  # the end of a number (13)
        ("13号", ["address"]),  # the start of a bigram (号楼)
        ("号楼5单元", ["address"]),
        ("5单元", ["address"]),
        ("楼5", ["address"]),
        ("楼道 电梯", []),  # no case holds both
        ("14号楼", []),
        ("养老院", []),
        ("，。！", None),  # punctuation only: no filter at all
    ],
)
def test_every_word_must_match_somewhere_in_the_case(client, cases, q, expected):
    names = {case.number: name for name, case in cases.items()}
    got = [names[number] for number in found(client, q)]
    if expected is None:
        expected = [n for n in reversed(list(cases)) if n != "elsewhere"]
    assert got == expected


def test_parts_of_a_tracking_number_find_its_case(client, cases):
    number = cases["fire_lane"].number
    assert found(client, number) == [number]
    assert found(client, number.lower()) == [number]
    assert found(client, number[-4:]) == [number]  # the end, no prefix of a token
    year_prefix = number[:8]  # XC-2026-
    own = {c.number for n, c in cases.items() if n != "elsewhere"}
    assert set(found(client, year_prefix)) == {n for n in own if n.startswith(year_prefix)}


def test_a_corrected_title_is_found_and_the_old_text_of_the_description_is_not(
    client, cases, staff
):
    case = cases["stairs_light"]
    lifecycle.case_edit(
        case=case, actor=staff, title="路灯不亮", category=case.category, description="夜里漆黑"
    )
    assert found(client, "路灯") == [case.number]
    assert found(client, "看不见") == []
    assert found(client, "漆黑") == [case.number]


def test_the_search_tokens_equal_a_rebuild_from_what_each_case_holds(cases):
    for case in Case.objects.all():
        held = case.events.exclude(note="").order_by("pk").values_list("note", flat=True)
        assert case.search_text.tokens == search.text_of(case, held)


def test_rebuild_search_writes_every_cases_tokens_again(client, cases):
    CaseSearchText.objects.all().delete()
    assert found(client, "沥青") == []
    call_command("rebuild_search", stdout=StringIO())
    assert found(client, "沥青") == [cases["reply_only"].number]
    assert found(client, "楼道 消防") == [cases["stairs_and_fire"].number]
    assert CaseSearchText.objects.count() == Case.objects.count()


def test_a_search_takes_no_query_of_its_own(client, cases):
    client.get("/cases/")
    with CaptureQueriesContext(connection) as plain:
        client.get("/cases/")
    with CaptureQueriesContext(connection) as searched:
        client.get("/cases/", {"q": "楼道 消防 灯 XC-2026"})
    assert len(searched) == len(plain)


def test_bigrams_of_a_chinese_run_and_latin_words_in_lower_case():
    assert search.tokens_of("楼道消防 WiFi，XC-2026-000123 灯") == [
        "楼道", "道消", "消防", "wifi", "xc", "2026", "000123", "灯",
    ]  # fmt: skip


def test_every_case_has_its_search_row_and_no_other_row_exists(cases):
    assert CaseSearchText.objects.count() == Case.objects.count()
    assert not CaseSearchText.objects.filter(~Q(case__in=Case.objects.all())).exists()
