"""The column page (/): 今日值班 first (who is on duty at which workstation today, only
published members by name), the nine workstations in brief, this week's duty one click
away (/duty/), the list of workstations (/workstations/); in care mode (适老化) only the
three big actions, today's duty in brief and the way back. The clock is pinned: today is
Wednesday 17 June 2026, whatever the real date."""

from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from public.preferences import CARE_COOKIE
from rosters.models import Attendance

from ..factories import (
    ActivityGroupFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    WorkstationFactory,
)
from .test_pages import CACHE_SET, ESCAPED_SCRIPT, ESCAPED_SPAM, SCRIPT, SPAM, published

TODAY = date(2026, 6, 17)  # a Wednesday
MONDAY = date(2026, 6, 15)

# The nine streets of Xincheng District, in the office's order.
STREETS = [
    ("西一路街道", "xiyilu"),
    ("长乐中路街道", "changle-middle-road"),
    ("中山门街道", "zhongshanmen"),
    ("韩森寨街道", "hansenzhai"),
    ("解放门街道", "jiefangmen"),
    ("自强路街道", "ziqianglu"),
    ("太华路街道", "taihualu"),
    ("长乐西路街道", "changle-west-road"),
    ("胡家庙街道", "hujiamiao"),
]


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 17, 10, 0)), tick=False)
    return time_machine


@pytest.fixture
def visitor(clock) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def care_visitor(visitor) -> Client:
    visitor.cookies[CARE_COOKIE] = "1"
    return visitor


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, heading_id: str) -> str:
    """The <section> labelled by the heading `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


def shift(workstation, day: date, *people, starts=9, theme="", substituted=()):
    """A shift from `starts` o'clock for two and a half hours, `people` on it (names of
    published members, or (name, fields) pairs), and for each pair of `substituted` a
    member on leave and the member standing in; every member of this workstation's street."""
    made = DutyShiftFactory(
        workstation=workstation,
        date=day,
        starts_at=time(starts),
        ends_at=time(starts + 2, 30),
        holding_group=ActivityGroupFactory(name="法制组"),
        theme=theme,
    )

    def person(spec):
        name, fields = (spec, {}) if isinstance(spec, str) else spec
        return MemberFactory(
            name=name, home_workstation=workstation, **{"is_published": True, **fields}
        )

    for spec in people:
        DutyAssignmentFactory(shift=made, member=person(spec))
    for absent, substitute in substituted:
        DutyAssignmentFactory(
            shift=made,
            member=person(absent),
            attendance=Attendance.SUBSTITUTED,
            substitute=person(substitute),
        )
    return made


UNPUBLISHED = {"is_published": False}


@pytest.fixture
def nine(clock):
    """The nine workstations in the office's order, and a closed one."""
    places = [
        WorkstationFactory(street=street, name=f"{street}委员工作室", slug=slug, ordering=n)
        for n, (street, slug) in enumerate(STREETS)
    ]
    WorkstationFactory(street="已撤销街道", name="已撤销的委员工作室", is_active=False)
    return places


@pytest.fixture
def duty_world(nine):
    """Members on duty today at 西一路 (morning and afternoon) and 太华路; yesterday's and
    tomorrow's duty at 西一路; today's duty at the closed workstation."""
    xiyilu, taihualu = nine[0], nine[6]
    shift(
        xiyilu,
        TODAY,
        "张明德",
        ("未公开的委员", UNPUBLISHED),
        ("离任的委员", {"is_active": False}),
        theme="物业管理答疑",
        substituted=[("请假的委员", "顶班的委员")],
    )
    shift(xiyilu, TODAY, "王秀兰", starts=14)
    shift(taihualu, TODAY, "李建国", theme="法律咨询轮值日")
    shift(xiyilu, TODAY - timedelta(days=1), "昨天的委员", theme="昨天的主题")
    shift(xiyilu, TODAY + timedelta(days=1), "明天的委员", theme="明天的主题")
    closed = WorkstationFactory(street="旧街道", name="关闭的委员工作室", is_active=False)
    shift(closed, TODAY, "关闭处的委员")
    return nine


# --- 今日值班 -----------------------------------------------------------------------------


def test_todays_duty_comes_first_and_names_the_published_members_on_duty_today(visitor, duty_world):
    html = text(visitor.get(reverse("public:column")))
    today = section(html, "today-heading")

    assert html.index('id="today-heading"') < html.index('id="workstations-heading"')
    assert 'datetime="2026-06-17"' in today
    # 西一路 first (the office's order), its two shifts, then 太华路.
    assert today.index("西一路街道委员工作室") < today.index("太华路街道委员工作室")
    assert today.index("09:00–11:30") < today.index("14:00–16:30")
    assert "物业管理答疑" in today and "法律咨询轮值日" in today
    for name in ("张明德", "顶班的委员", "王秀兰", "李建国"):
        assert name in today
    herself = duty_world[0].shifts.get(date=TODAY, starts_at=time(9)).members.get(name="张明德")
    assert f'href="{reverse("public:member", args=[herself.pk])}"' in today
    # The unpublished and the inactive member are counted, not named; the one on leave is
    # not on duty.
    assert "and 2 other members" in today
    for hidden in ("未公开的委员", "离任的委员", "请假的委员"):
        assert hidden not in html


def test_todays_duty_leaves_out_yesterday_tomorrow_and_closed_workstations(visitor, duty_world):
    html = text(visitor.get(reverse("public:column")))

    for elsewhere in ("昨天的委员", "昨天的主题", "明天的委员", "明天的主题"):
        assert elsewhere not in html
    assert "关闭的委员工作室" not in html and "关闭处的委员" not in html


def test_a_shift_with_only_unpublished_members_counts_them(visitor, nine):
    shift(nine[2], TODAY, ("甲委员", UNPUBLISHED), ("乙委员", UNPUBLISHED))

    today = section(text(visitor.get(reverse("public:column"))), "today-heading")

    assert "中山门街道委员工作室" in today
    assert "2 members" in today
    assert "甲委员" not in today and "乙委员" not in today


def test_a_day_without_duty_says_so_and_still_links_the_week(visitor, nine):
    shift(nine[0], TODAY + timedelta(days=1), "明天的委员")

    today = section(text(visitor.get(reverse("public:column"))), "today-heading")

    assert "No member is on duty at a workstation today." in today
    assert f'href="{reverse("public:duty")}"' in today


# --- the nine workstations in brief ---------------------------------------------------------


def test_the_column_lists_the_nine_workstations_in_brief_with_todays_duty(visitor, duty_world):
    html = text(visitor.get(reverse("public:column")))
    listed = section(html, "workstations-heading")

    rows = listed.split("<li>")[1:]
    assert len(rows) == 9
    for row, place in zip(rows, duty_world, strict=True):
        assert f'href="{reverse("public:workstation", args=[place.slug])}"' in row
        assert place.name in row and place.street in row
        on_duty = place.street in ("西一路街道", "太华路街道")
        assert ("On duty today" in row, "No duty today" in row) == (on_duty, not on_duty)
    assert "已撤销的委员工作室" not in html
    # In brief: the addresses are one click away.
    assert duty_world[0].address not in html
    assert f'href="{reverse("public:workstations")}"' in listed


def test_the_list_of_workstations_gives_where_when_and_todays_duty(visitor, duty_world):
    xiyilu = duty_world[0]
    xiyilu.opening_hours = "周一至周五 9:00–17:00"
    xiyilu.phone = "029-87654321"
    xiyilu.save()

    html = text(visitor.get(reverse("public:workstations")))

    assert html.count('class="ws-card"') == 9
    for fact in (xiyilu.address, "周一至周五 9:00–17:00", "029-87654321"):
        assert fact in html
    xiyilu_card = html[html.index(xiyilu.name) : html.index("长乐中路街道委员工作室")]
    assert "On duty today" in xiyilu_card and "14:00–16:30" in xiyilu_card
    assert "No duty today" in html[html.index("长乐中路街道委员工作室") :]
    assert "已撤销的委员工作室" not in html
    assert "张明德" not in html  # who is on duty is on the column and the week


# --- this week, one click away ----------------------------------------------------------


def test_this_weeks_duty_shows_monday_to_sunday_with_published_names(visitor, duty_world):
    xiyilu, zhongshanmen = duty_world[0], duty_world[2]
    shift(zhongshanmen, MONDAY, "周一的委员", theme="周一的主题")
    shift(zhongshanmen, MONDAY + timedelta(days=6), "周日的委员", theme="周日的主题")
    shift(zhongshanmen, MONDAY - timedelta(days=1), "上周的委员", theme="上周的主题")
    shift(zhongshanmen, MONDAY + timedelta(days=7), "下周的委员", theme="下周的主题")

    column = text(visitor.get(reverse("public:column")))
    html = text(visitor.get(reverse("public:duty")))

    assert f'href="{reverse("public:duty")}"' in column
    days = [MONDAY + timedelta(days=n) for n in range(7)]
    positions = [html.index(f'id="day-{day:%Y-%m-%d}"') for day in days]
    assert positions == sorted(positions)
    for name in ("周一的委员", "周日的委员", "昨天的委员", "张明德", "顶班的委员", "明天的委员"):
        assert name in html
    for theme in ("周一的主题", "周日的主题", "昨天的主题", "物业管理答疑"):
        assert theme in html
    for elsewhere in ("上周的委员", "上周的主题", "下周的委员", "下周的主题", "关闭处的委员"):
        assert elsewhere not in html
    for hidden in ("未公开的委员", "离任的委员", "请假的委员"):
        assert hidden not in html
    today = section(html, "day-2026-06-17")
    assert "Today" in today and xiyilu.name in today


# --- care mode -----------------------------------------------------------------------------


def test_care_mode_gives_three_big_actions_first(care_visitor, duty_world):
    html = text(care_visitor.get(reverse("public:column")))

    start = html.index('class="care-actions"')
    actions = html[start : html.index("</nav>", start)]
    targets = [reverse("public:submit"), reverse("public:track"), reverse("public:workstations")]
    positions = [actions.index(f'href="{target}"') for target in targets]
    assert positions == sorted(positions)
    for title in ("Send an opinion", "Track progress", "Find a workstation"):
        assert title in actions
    assert html.index("care-actions") < html.index('id="today-heading"')


def test_care_mode_keeps_todays_duty_in_brief_and_the_way_back(care_visitor, duty_world):
    html = text(care_visitor.get(reverse("public:column")))
    today = section(html, "today-heading")

    assert "西一路街道委员工作室" in today and "太华路街道委员工作室" in today
    assert "09:00–11:30" in today and "14:00–16:30" in today
    assert "张明德" not in html  # names are one click away, on the workstation's page
    assert f'href="{reverse("public:duty")}"' in today
    assert "/preferences/?care=off&amp;next=/" in html.split("</header>", 1)[1]


def test_care_mode_leaves_out_the_long_sections(care_visitor, duty_world, working_calendar):
    published(duty_world[0], summary="电梯已修好，恢复运行")

    html = text(care_visitor.get(reverse("public:column")))

    assert 'class="public care"' in html
    assert "电梯已修好，恢复运行" not in html
    for absent in ('id="cases-heading"', 'id="headline-heading"', 'id="workstations-heading"'):
        assert absent not in html
    assert "胡家庙街道委员工作室" not in html  # no duty today: on the list of workstations
    assert "The network in" not in html


def test_care_mode_does_not_compute_the_figures(
    care_visitor, duty_world, django_assert_num_queries
):
    # 1 the page cache: a miss; 2-4 the workstations, today's shifts, their people;
    # then storing the page.
    with django_assert_num_queries(4 + CACHE_SET):
        care_visitor.get(reverse("public:column"))


def test_the_standard_column_still_has_the_results(visitor, duty_world, working_calendar):
    published(duty_world[0], summary="电梯已修好，恢复运行")

    html = text(visitor.get(reverse("public:column")))

    assert "电梯已修好，恢复运行" in section(html, "cases-heading")
    assert "The network in 2026" in html
    assert "care-actions" not in html


# --- the page cache and the date ---------------------------------------------------------


def test_at_midnight_the_cached_column_turns_to_the_new_days_duty(visitor, nine, clock):
    shift(nine[0], TODAY, "今天的委员")
    shift(nine[0], TODAY + timedelta(days=1), "明天的委员")
    clock.move_to(timezone.make_aware(datetime(2026, 6, 17, 23, 59, 30)), tick=False)

    before = visitor.get(reverse("public:column"))
    assert before["X-Page-Cache"] == "miss" and "今天的委员" in text(before)
    # Browsers and proxies keep it no later than midnight either.
    assert "max-age=30" in before["Cache-Control"]

    clock.move_to(timezone.make_aware(datetime(2026, 6, 18, 0, 0, 10)), tick=False)
    after = visitor.get(reverse("public:column"))

    assert after["X-Page-Cache"] == "miss"
    assert "明天的委员" in text(after) and "今天的委员" not in text(after)
    assert 'datetime="2026-06-18"' in text(after)


def test_the_week_page_turns_on_monday(visitor, nine, clock):
    shift(nine[0], TODAY, "本周的委员")
    shift(nine[0], MONDAY + timedelta(days=7), "下周的委员")
    assert "本周的委员" in text(visitor.get(reverse("public:duty")))

    clock.move_to(timezone.make_aware(datetime(2026, 6, 22, 8, 0)), tick=False)
    html = text(visitor.get(reverse("public:duty")))

    assert "下周的委员" in html and "本周的委员" not in html


def test_the_new_pages_run_a_fixed_number_of_queries(visitor, nine, django_assert_num_queries):
    for place in nine:
        for n in range(5):
            shift(place, MONDAY + timedelta(days=n), f"{place.slug}-{n}", starts=9)
            shift(place, MONDAY + timedelta(days=n), f"{place.slug}-{n}-pm", starts=14)

    # 1 the page cache; 2 the shifts of the week with workstation and group; 3 the people;
    # then storing the page.
    with django_assert_num_queries(3 + CACHE_SET):
        visitor.get(reverse("public:duty"))
    # 1 the page cache; 2 the workstations; 3 today's shifts; 4 the people; storing it.
    with django_assert_num_queries(4 + CACHE_SET):
        visitor.get(reverse("public:workstations"))


# --- nothing typed renders as markup -------------------------------------------------------


def test_markup_typed_into_any_field_is_shown_as_text_on_the_week_and_the_list(visitor, clock):
    place = WorkstationFactory(
        street=f"{SCRIPT}街",
        name=f"{SCRIPT}站",  # 60 characters at most; the spam link goes in the longer fields
        address=f"{SCRIPT}址{SPAM}",
        opening_hours=f"{SCRIPT}时{SPAM}",
    )
    made = shift(place, TODAY, f"{SCRIPT}员", theme=f"{SCRIPT}题{SPAM}")

    for url, values in (
        (reverse("public:duty"), [place.name, made.theme, f"{SCRIPT}员"]),
        (reverse("public:workstations"), [place.name, place.street, place.address]),
        (reverse("public:column"), [place.name, place.street, made.theme, f"{SCRIPT}员"]),
    ):
        html = text(visitor.get(url))
        assert "<script" not in html and 'href="http://spam.example"' not in html
        assert ESCAPED_SCRIPT in html and ESCAPED_SPAM in html
        for value in values:
            assert escape(value) in html
