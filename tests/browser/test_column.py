"""The column page in Chromium, at a desk (1366 px) and on a phone (390 px), standard and
in care mode (适老化), over a network like the real one: nine workstations, members on
duty today at three of them and all week at the others, ten published cases and a year's
figures. The page must stay short (today it was 4,600 px at a desk and 11,900 px on a
phone, 23,000 px in care mode), never scroll sideways, pass axe-core, and keep its way
from care mode back to the standard page. Photographed in each case, as are the week's
duty and the list of workstations it links to."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from workdays.loading import load_year

from ..factories import (
    ActivityGroupFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    SectorFactory,
    WorkstationFactory,
)
from ..public.test_pages import answered, published
from .test_public import AXE, AXE_URL, check_accessibility

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
# The longest the column may be, in CSS pixels.
LIMITS = {
    ("standard", "desktop"): 2000,
    ("standard", "phone"): 4500,
    ("care", "desktop"): 2500,
    ("care", "phone"): 2500,
}
TODAY = date(2026, 6, 17)  # a Wednesday
MONDAY = TODAY - timedelta(days=TODAY.weekday())

STREETS = [
    ("西一路街道", "xiyilu", "新城区西一路与北新街十字东南角西一路街道办事处二楼"),
    ("长乐中路街道", "changle-middle-road", "新城区长乐中路街道党群服务中心一楼"),
    ("中山门街道", "zhongshanmen", "新城区中山门街道党群服务中心三楼"),
    ("韩森寨街道", "hansenzhai", "新城区韩森寨街道办事处一楼东侧"),
    ("解放门街道", "jiefangmen", "新城区解放门街道党群服务中心二楼"),
    ("自强路街道", "ziqianglu", "新城区自强东路某委员单位会议室"),
    ("太华路街道", "taihualu", "新城区太华路街道办事处三楼"),
    ("长乐西路街道", "changle-west-road", "新城区长乐西路街道党群服务中心二楼"),
    ("胡家庙街道", "hujiamiao", "新城区胡家庙街道办事处一楼"),
]
GROUPS = ["法制组", "经济组", "教育文化组", "医疗卫生组", "社会事业组", "城建环保组"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "秀兰", "德明", "淑芬", "文博", "丽娟", "浩然", "雅琴", "振宇", "玉梅"]
SUMMARIES = [
    "西一路街道：小区物业服务不到位，已协调更换物业公司。",
    "长乐中路街道：老旧小区加装电梯，已完成协商并开工。",
    "中山门街道：小学放学时段接送难，已增设临时停车区。",
    "韩森寨街道：群租房消防隐患，已联合消防部门整治。",
    "解放门街道：独居老人紧急呼叫设备，已安装到位。",
    "自强路街道：社区助餐点供餐不足，已增加供餐时段。",
    "太华路街道：邻里漏水纠纷，已调解并完成维修。",
    "长乐西路街道：早教机构欠费关停，已协助家长退费。",
    "胡家庙街道：失业人员求职难，已对接招聘会岗位。",
    "西一路街道：背街小巷路灯损坏，已全部修复。",
]


@pytest.fixture
def clock(time_machine):
    # Ticking: the browser, its timeouts and the server go on as usual, from this moment.
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 17, 10, 0)), tick=True)
    return time_machine


@pytest.fixture
def network(clock):
    """Nine workstations, two shifts a weekday at each (each workstation on duty three days
    a week: today at 西一路, 解放门 and 太华路), two members a shift (one in four not
    published), ten published cases and some answers on the spot."""
    load_year(2026)  # a resolved case's follow-up is due in working days
    groups = [ActivityGroupFactory(name=name) for name in GROUPS]
    sector = SectorFactory(name="法律界")
    places = []
    for n, (street, slug, address) in enumerate(STREETS):
        place = WorkstationFactory(
            street=street,
            name=f"{street}委员工作室",
            slug=slug,
            address=address,
            opening_hours="周一至周五 9:00–12:00，14:30–17:30",
            phone=f"029-8{n + 1:03d}0005",
            has_reading_corner=True,
            ordering=n,
        )
        places.append(place)
    people = iter(range(1000))
    for n, place in enumerate(places):
        days = [d for d in (0, 1, 3, 4) if (d + n) % 4]  # three weekdays, Wednesday apart
        if n in (0, 4, 6):
            days = sorted([*days[:2], TODAY.weekday()])
        for day in days:
            for starts, ends in ((time(9), time(11, 30)), (time(14, 30), time(17))):
                group = groups[(n + day) % len(groups)]
                shift = DutyShiftFactory(
                    workstation=place,
                    date=MONDAY + timedelta(days=day),
                    starts_at=starts,
                    ends_at=ends,
                    holding_group=group,
                    theme=f"{group.name}轮值日",
                )
                for _ in range(2):
                    k = next(people)
                    DutyAssignmentFactory(
                        shift=shift,
                        member=MemberFactory(
                            name=SURNAMES[k % 20] + GIVEN[k // 20 % 10],
                            home_workstation=place,
                            sector=sector,
                            activity_group=group,
                            is_published=k % 4 != 3,
                        ),
                    )
    start = timezone.now() - timedelta(days=40)
    for n, summary in enumerate(SUMMARIES):
        published(places[n % 9], summary=summary, now=start + timedelta(days=3 * n))
    for n in range(6):
        answered(places[n])
    return places


@pytest.fixture
def column_page(page: Page, live_server, watch):
    page.route(
        f"**{AXE_URL}", lambda route: route.fulfill(path=AXE, content_type="text/javascript")
    )
    return page


def measure(page: Page, base: str, viewport: dict) -> int:
    """Open the column at `viewport`: the document's height, after checking it never
    scrolls sideways."""
    page.set_viewport_size(viewport)
    page.goto(base + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{width} px wide at {viewport['width']} px"
    return page.evaluate("document.documentElement.scrollHeight")


def test_the_column_is_short_at_a_desk_and_on_a_phone_in_both_modes(
    column_page: Page, live_server, network, watch, screenshot
):
    page, base = column_page, live_server.url
    heights = {}
    for mode in ("standard", "care"):
        if mode == "care":
            page.set_viewport_size(DESKTOP)
            page.goto(base + "/")
            with page.expect_navigation():
                page.locator("header .preferences a[href*='care=on']").click()
            expect(page.locator("body")).to_have_class(re.compile(r"\bcare\b"))
        for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            heights[mode, device] = measure(page, base, viewport)
            main = page.locator("main")
            expect(main.locator("#today-heading")).to_contain_text("今日值班")
            expect(main.locator(".today-place")).to_have_count(3)
            if mode == "standard":
                expect(main.locator(".ws-list > li")).to_have_count(9)
                expect(main.locator(".case-item")).to_have_count(10)
            else:
                actions = main.locator(".care-actions a")
                expect(actions).to_have_text(
                    [re.compile("^提交意见"), re.compile("^进度查询"), re.compile("^找工作室")]
                )
                expect(main.locator(".ws-list, .case-list, .figures")).to_have_count(0)
                # Big enough to hit and to read: at least 20 px text, 64 px targets.
                sizes = actions.evaluate_all(
                    "links => links.map(a => [a.getBoundingClientRect().height,"
                    " parseFloat(getComputedStyle(a.querySelector('.care-action-title')).fontSize)])"
                )
                assert all(height >= 64 and size >= 20 for height, size in sizes), sizes
            check_accessibility(page)
            screenshot(page, f"column-{mode}-{device}")
    print("column heights:", heights)
    for key, limit in LIMITS.items():
        assert heights[key] <= limit, f"{key}: {heights[key]} px, more than {limit} px"
    # Care mode is the shorter page.
    assert heights["care", "phone"] < heights["standard", "phone"]

    # The way back, from care mode's page itself.
    with page.expect_navigation():
        page.locator("main .care-back a").click()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bcare\b"))
    expect(page.locator("main .ws-list > li")).to_have_count(9)
    watch.assert_clean()


def test_the_week_and_the_workstations_are_one_click_away(
    column_page: Page, live_server, network, watch, screenshot
):
    page, base = column_page, live_server.url
    for device, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.goto(base + "/")
        with page.expect_navigation():
            page.locator("main .week-link a").click()
        assert page.url == base + "/duty/"
        expect(page.locator("main h2")).to_have_count(7)
        expect(page.locator("main .duty-day.today .today-place")).to_have_count(3)
        check_accessibility(page)
        screenshot(page, f"duty-week-{device}")

        page.goto(base + "/")
        with page.expect_navigation():
            page.locator("main a[href='/workstations/']").first.click()
        expect(page.locator("main .ws-card")).to_have_count(9)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"]
        check_accessibility(page)
        screenshot(page, f"workstation-list-{device}")
    watch.assert_clean()
