"""On paper, as Chromium prints: the week roster is one A4 door poster (the workstation's
name, address and phone, and no name or time broken across lines), the report card has
the office's letterhead and the day it was printed, and both receipts box the number and
the code, promise a time limit, carry a QR code of /track/ and no address with the code,
and have a print button that prints. Photographed on screen and as printed, at a phone's
width and a desktop's."""

import io
import re
import unicodedata
from datetime import date, datetime, time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from activities.models import Activity
from members.models import Member
from rosters.models import Attendance, DutyAssignment
from visits.models import Case
from workdays.loading import load_year

from ..factories import (
    ActivityGroupFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    UserFactory,
    VisitFactory,
    open_case,
)
from ..points.test_cards import make_bands, make_rules
from .conftest import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# The printable width of an A4 page under print-roster.css's margins (210 − 2 × 14 mm), in
# CSS pixels: a print-emulated page this wide lays out as the paper does.
A4_POSTER_WIDTH = round((210 - 28) / 25.4 * 96)
# Monday 8 June 2026, an ordinary working week.
MONDAY = datetime(2026, 6, 8, 10, 0)
PRINT_STUB = "window.__printed = 0; window.print = function () { window.__printed += 1; };"

# Long-ish names, one as long as a minority name written in Chinese (阿依古丽·买买提): it
# must move to the next line whole, never break inside.
NAMES = [
    "欧阳明德", "司马晓燕", "诸葛文华", "上官秀英", "李建国", "王秀兰", "张伟民", "赵淑芬",
    "慕容志强", "皇甫丽娟", "刘德厚", "陈玉梅", "阿依古丽·买买提", "令狐佳怡", "周建平", "孙桂芳",
]  # fmt: skip
# The longest leave the names and times less room: the table must wrap the themes instead.
THEMES = [
    "老旧小区加装电梯、屋面防水维修与物业服务收费标准政策咨询及居民议事协商",
    "群租房消防安全隐患排查与居民调解",
    "",
    "灵活就业人员社保缴费与创业扶持政策解答",
]


@pytest.fixture
def clock(time_machine):
    # Ticking: the browser, its timeouts and the server go on as usual, from this moment.
    time_machine.move_to(timezone.make_aware(MONDAY), tick=True)
    return time_machine


def pdf_pages(page: Page) -> list[str]:
    """The page printed by Chromium to an A4 PDF, as the text of each sheet (NFKC, no
    white space)."""
    pdf = page.pdf(format="A4", print_background=True)
    return [
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", sheet.extract_text()))
        for sheet in PdfReader(io.BytesIO(pdf)).pages
    ]


def on_paper(text: str, sheet: str) -> bool:
    """Whether `text` is printed on `sheet`. The CJK font's glyphs are shared with radical
    forms, and the PDF names some by the radical (⼈ for 人, which NFKC folds back; ⺠ for
    民, which it does not): a character of the radicals supplement stands for any."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    pattern = "".join(f"(?:{re.escape(c)}|[\u2e80-\u2eff])" for c in folded)
    return re.search(pattern, sheet) is not None


def broken_across_lines(page: Page, selector: str) -> list[str]:
    """The texts of `selector` that the layout broke onto more than one line (an inline
    box broken in two has two client rectangles; a block, a height of two lines)."""
    return page.locator(selector).evaluate_all(
        """elements => elements.filter(element => {
             const style = getComputedStyle(element);
             const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
             const range = document.createRange();
             range.selectNodeContents(element);
             const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
             return lines.size > 1 || element.getBoundingClientRect().height > lineHeight * 1.5;
           }).map(element => element.textContent)"""
    )


def assert_printed_once(page: Page) -> None:
    button = page.locator("button[data-print]")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.__printed") == 1


# --- the week roster ----------------------------------------------------------------


@pytest.fixture
def roster_week(workstation, staff):
    """A week of fourteen shifts, two a day, two or three members on each, at a
    workstation with its address, phone and opening hours."""
    workstation.address = "西安市新城区西一路街道办事处二楼（西一路238号）"
    workstation.phone = "029-87654321"
    workstation.opening_hours = "周一至周五 9:00–12:00，14:30–17:30"
    workstation.save()
    groups = [ActivityGroupFactory(name=n) for n in ("法制组", "经济组", "教科文卫体组")]
    members = [
        MemberFactory(name=name, home_workstation=workstation, activity_group=groups[i % 3])
        for i, name in enumerate(NAMES)
    ]
    slots = [(time(9), time(12)), (time(14, 30), time(17, 30))]
    turn = 0
    for day in range(7):
        for slot, (starts, ends) in enumerate(slots):
            shift = DutyShiftFactory(
                workstation=workstation,
                date=date(2026, 6, 8 + day),
                starts_at=starts,
                ends_at=ends,
                holding_group=groups[(day + slot) % 3],
                theme=THEMES[(day * 2 + slot) % len(THEMES)],
            )
            for _ in range(2 + (day + slot) % 2):
                DutyAssignmentFactory(shift=shift, member=members[turn % len(members)])
                turn += 1
    return workstation


@pytest.mark.usefixtures("clock")
def test_the_week_roster_prints_as_one_a4_door_poster_with_no_name_or_time_broken(
    page: Page, live_server, staff, roster_week, watch, screenshot
):
    page.add_init_script(PRINT_STUB)
    sign_in_as(page, live_server.url, staff)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/rosters/{roster_week.slug}/week/?date=2026-06-08")
    expect(page.locator(".roster-poster")).to_be_hidden()
    screenshot(page, "paper-roster-desktop")
    assert_printed_once(page)

    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_POSTER_WIDTH, "height": 1123})
    poster = page.locator(".roster-poster")
    expect(page.locator(".roster-week")).to_be_hidden()
    expect(page.locator("button[data-print]")).to_be_hidden()
    expect(poster).to_contain_text(roster_week.name)
    expect(poster).to_contain_text("西一路238号")
    expect(poster).to_contain_text("029-87654321")
    assert poster.locator("tbody tr").count() == 14
    assert poster.locator(".poster-people li").count() == 35
    assert broken_across_lines(page, ".poster-people li") == []
    assert broken_across_lines(page, ".poster-time span") == []
    assert broken_across_lines(page, ".poster-day span") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_POSTER_WIDTH
    screenshot(page, "paper-roster-print")

    sheets = pdf_pages(page)
    assert len(sheets) == 1
    for text in (roster_week.name, "029-87654321", "西一路238号", "欧阳明德", "14:30"):
        assert on_paper(text, sheets[0]), text

    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "paper-roster-390")
    watch.assert_clean()


# --- the report card ----------------------------------------------------------------


@pytest.mark.usefixtures("clock")
def test_the_report_card_prints_with_the_offices_letterhead_and_the_day(
    page: Page, live_server, member_user, workstation, watch, screenshot
):
    make_rules(2026)
    make_bands(2026, excellent="10", competent="3", incompetent="0")
    member = Member.objects.get(user=member_user)
    DutyAssignment.objects.create(
        shift=DutyShiftFactory(workstation=workstation, date=date(2026, 3, 4)),
        member=member,
        attendance=Attendance.ATTENDED,
    )
    consultation = Activity.objects.create(
        kind=Activity.Kind.MICRO_CONSULTATION,
        title="老旧小区加装电梯微协商",
        date=date(2026, 5, 6),
        organiser=UserFactory(),
    )
    consultation.participants.add(member)
    page.add_init_script(PRINT_STUB)
    sign_in_as(page, live_server.url, member_user)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/my/report-card/")
    letterhead = page.locator(".card-letterhead")
    expect(letterhead).to_be_hidden()
    screenshot(page, "paper-card-desktop")
    assert_printed_once(page)

    page.emulate_media(media="print")
    expect(letterhead).to_be_visible()
    expect(letterhead).to_contain_text("中国人民政治协商会议西安市新城区委员会")
    expect(letterhead).to_contain_text("打印日期：2026年6月8日")
    expect(page.locator("button[data-print]")).to_be_hidden()
    screenshot(page, "paper-card-print")

    sheets = pdf_pages(page)
    assert on_paper("中国人民政治协商会议西安市新城区委员会", sheets[0])
    assert on_paper("打印日期：2026年6月8日", sheets[0])
    assert on_paper("老旧小区加装电梯微协商", "".join(sheets))

    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "paper-card-390")
    watch.assert_clean()


# --- the receipts -------------------------------------------------------------------


def addresses_seen(page: Page, requested: list[str]) -> list[str]:
    """Every address the page names or loaded: its own, its links, sources and form
    actions, and every request it made."""
    named = page.evaluate(
        """() => Array.from(document.querySelectorAll("[href], [src], [action]"),
             element => element.getAttribute("href") || element.getAttribute("src")
               || element.getAttribute("action"))"""
    )
    return [page.url, *named, *requested]


def check_receipt(page: Page, number_id: str, code_id: str, sentence: str) -> str:
    """The boxed number and code, the time limit, the QR code; returns the code."""
    for box_id in (number_id, code_id):
        value = page.locator(f"#{box_id}")
        box = page.locator(f".code-box:has(#{box_id})")
        expect(box).to_be_visible()
        assert float(box.evaluate("e => parseFloat(getComputedStyle(e).borderTopWidth)")) >= 2
        assert value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 24
        assert broken_across_lines(page, f"#{box_id}") == []
    expect(page.locator("#receipt-limit")).to_have_text(sentence)
    qr = page.locator("svg.qr")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 100
    return page.locator(f"#{code_id}").inner_text().strip()


@pytest.mark.usefixtures("clock")
def test_the_online_receipt_boxes_the_code_promises_a_limit_and_prints(
    page: Page, live_server, workstation, settings, watch, screenshot
):
    settings.ACCEPTANCE_WORKING_DAYS = 3
    load_year(2026)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(PRINT_STUB)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/submit/")
    form = page.locator("main form")
    form.locator("[name=workstation]").select_option(str(workstation.pk))
    form.locator("[name=category]").select_option("property")
    form.locator("[name=text]").fill("小区楼道堆满杂物，存在消防隐患，物业一直不管。")
    form.locator("[name=name]").fill("孙桂芳")
    form.locator("[name=phone]").fill("13800001234")
    form.locator("[name=consent_to_processing]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    code = check_receipt(
        page,
        "receipt-number",
        "receipt-code",
        "工作室将在 3 个工作日内受理（最迟 2026年6月11日）。",
    )
    expect(page.locator("main")).to_contain_text(f"{live_server.url}/track/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "paper-receipt-390")
    assert_printed_once(page)
    assert [address for address in addresses_seen(page, requested) if code in address] == []

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("button[data-print]")).to_be_hidden()
    expect(page.locator("svg.qr")).to_be_visible()
    # A phone's "save as PDF" too: the two boxes go one under the other.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "paper-receipt-390-print")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "paper-receipt-desktop-print")
    sheets = pdf_pages(page)
    assert len(sheets) == 1 and on_paper(code, sheets[0])
    page.emulate_media(media="screen")
    screenshot(page, "paper-receipt-desktop")
    watch.assert_clean()


@pytest.mark.usefixtures("clock")
def test_the_desk_slip_boxes_the_code_says_accepted_and_prints(
    page: Page, live_server, workstation, staff, watch, screenshot
):
    load_year(2026)
    workstation.phone = "029-87654321"
    workstation.save()
    case = open_case(visit=VisitFactory(workstation=workstation), actor=staff)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.add_init_script(PRINT_STUB)
    sign_in_as(page, live_server.url, staff)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/cases/{case.number}/receipt/")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()  # a new code, shown once

    due = case.next_due_on  # registered: its first handling is due
    code = check_receipt(
        page,
        "slip-number",
        "slip-code",
        f"您的诉求已受理，下一步办理期限为 {due.year}年{due.month}月{due.day}日。",
    )
    screenshot(page, "paper-slip-desktop")
    assert_printed_once(page)
    assert [address for address in addresses_seen(page, requested) if code in address] == []
    assert Case.objects.get(pk=case.pk).lookup_code  # kept as a hash only: nothing to compare

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".receipt-slip svg.qr")).to_be_visible()
    screenshot(page, "paper-slip-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "paper-slip-390")
    watch.assert_clean()
