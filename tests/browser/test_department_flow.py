"""The departments in the loop, in a real browser: the workstation's liaison refers a
case to a lead and a co-handling department; each department's liaison signs in and
signs for it (签收); the co-handling department sends it back with a reason (退回) and
the liaison re-dispatches it to the right department; the lead asks for more time (延期)
and the district office grants it in admin; the lead's reply is recorded by the
department itself; the re-dispatched referral passes its date, the office opens a
supervision (督办单) from its supervision list, and that department answers it.

The clock stands on Monday 15 June 2026 (a ticking clock: the server and the browser go
on as usual from there), then moves a week on for the lateness. Fields are found by their
form names (each checked to carry a label), texts in Chinese, the site's language; a
label the lifecycle gives is looked up in that language rather than copied here.

Screenshots: department-<n>-<name>-<width>.png of the departments' list and referral
pages at 1366 and 390 px, and of the office's supervision list.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from visits.models import (
    Case,
    CaseEvent,
    EventKind,
    Extension,
    Referral,
    ReferralRole,
    ReferralState,
    Supervision,
    SupervisionLevel,
    SupervisionState,
)
from visits.supervising import ANSWER_WITHIN_WORKING_DAYS
from workdays.calendar import add_working_days
from workstations import roles

from ..factories import UserFactory
from ..stories import ADDRESS, NAME, PHONE, World
from .conftest import sign_in_as
from .test_case_flow import field, open_action, referral_rows, status_badge, submit, timeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
MONDAY = datetime(2026, 6, 15, 9, 0)

HOUSING, CITY, FIRE = "区住房和城乡建设局", "区城市管理和综合执法局", "区消防救援大队"
TITLE = "楼道堆放杂物，电梯停运"
RETURN_REASON = "楼道堆物属消防安全监管范围，不属我局职责，请转消防救援大队。"
EXTENSION_REASON = "需会同街道和物业公司现场勘察，维修资金审批需要时间。"
REPLY = "已责成物业公司修复电梯，楼道杂物由物业三日内清理。"
SUPERVISION_NOTE = "请于限期内签收并报告处理进展。"
SUPERVISION_ANSWER = "已签收，已安排消防监督员现场检查。"


def label(choice) -> str:
    """A choice's label as the site shows it, in its language."""
    with translation.override("zh-hans"):
        return str(choice.label)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.make_aware(MONDAY), tick=True)
    return time_machine


@pytest.fixture
def scene(clock, desk, deadlines):
    """The desk of 15 June 2026, a registered case with the citizen's contact details,
    and a liaison for each of the three departments."""
    housing, city, fire = desk.departments
    liaisons = {}
    for department, username in (
        (housing, "dept-housing"),
        (city, "dept-city"),
        (fire, "dept-fire"),
    ):
        user = UserFactory(username=username, role=roles.DEPARTMENT_LIAISONS)
        department.liaisons.add(user)
        liaisons[department.name] = user
    case = World(desk.staff, (housing, city)).registered(
        desk.workstation, title=TITLE, description="3号楼楼道堆满杂物，电梯停运两周。"
    )
    return desk, case, liaisons


def log_in(page: Page, base_url: str, user, password: str) -> None:
    """Sign in through the form, as a person does."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    submit(page, page.locator("main form"))


def step_form(page: Page, action: str) -> Locator:
    """One of the department's steps on its referral page, unfolded."""
    details = page.locator(f"details#step-{action}")
    if details.get_attribute("open") is None:
        details.locator("> summary").click()
    expect(details).to_have_attribute("open", "")
    return details.locator("form")


def referral_state(page: Page) -> Locator:
    return page.locator("#referral-state")


def waiting_rows(page: Page) -> Locator:
    return page.locator("section:has(#waiting-heading) tbody tr")


def answered_rows(page: Page) -> Locator:
    return page.locator("section:has(#answered-heading) tbody tr")


def no_contact_details(page: Page) -> None:
    """A department never sees who the citizen is (no reason was recorded)."""
    main = page.locator("main")
    for personal in (NAME, PHONE, ADDRESS, PHONE[-4:]):
        expect(main).not_to_contain_text(personal)


def test_departments_sign_return_extend_reply_and_answer_a_supervision(
    page: Page, live_server, scene, administrator, clock, watch, screenshot
):
    desk, case, liaisons = scene
    base = live_server.url
    case_url = f"{base}/cases/{case.number}/"
    shots = iter(range(1, 100))

    def shoot(name: str, widths=WIDTHS) -> None:
        """Screenshots of the page at each width; none may push the page sideways."""
        n = next(shots)
        for width_name, size in widths.items():
            page.set_viewport_size(size)
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= size["width"], f"{name} is {wide}px wide at {size['width']}px"
            screenshot(page, f"department-{n:02d}-{name}-{width_name}")
        page.set_viewport_size(WIDTHS["desktop"])

    def desktop_only(name: str) -> None:
        shoot(name, {"desktop": WIDTHS["desktop"]})

    page.set_viewport_size(WIDTHS["desktop"])
    today = timezone.localdate()
    assert today == MONDAY.date()

    # --- the workstation's liaison refers the case to a lead and a co-handling department
    sign_in_as(page, base, desk.staff)
    page.goto(case_url)
    expect(status_badge(page)).to_have_text("已登记")
    form = open_action(page, "refer")
    expect(field(form, "refer-role")).to_have_value("lead")
    field(form, "refer-department").select_option(label=HOUSING)
    field(form, "refer-note").fill("请核实电梯停运原因并督促维修。")
    submit(page, form)
    form = open_action(page, "refer")
    expect(field(form, "refer-role")).to_have_value("co")
    field(form, "refer-department").select_option(label=CITY)
    field(form, "refer-note").fill("请清理楼道堆放的杂物。")
    submit(page, form)
    expect(status_badge(page)).to_have_text("已转办")
    expect(referral_rows(page)).to_have_count(2)
    lead = Referral.objects.get(case=case, department__name=HOUSING)
    co = Referral.objects.get(case=case, department__name=CITY)
    assert (lead.role, lead.state) == (ReferralRole.LEAD, ReferralState.SENT)
    assert (co.role, co.state) == (ReferralRole.CO, ReferralState.SENT)
    signed_by = add_working_days(today, 2)  # the pinned time limits (conftest `deadlines`)
    reply_due = add_working_days(today, 15)
    assert (lead.acknowledge_due_on, lead.due_on) == (signed_by, reply_due)
    lead_url, co_url = (f"{base}/department/referrals/{r.pk}/" for r in (lead, co))

    # --- the lead department's liaison signs in and signs for it
    log_in(page, base, liaisons[HOUSING], desk.password)
    expect(page).to_have_url(f"{base}/department/")
    expect(page.locator("h1")).to_have_text("本部门转办件")
    expect(waiting_rows(page)).to_have_count(1)
    expect(waiting_rows(page).locator("td")).to_have_text(
        [case.number, TITLE, desk.workstation.name, "主办", "待签收", f"{signed_by:%Y-%m-%d} 签收"]
    )
    expect(answered_rows(page)).to_have_count(1)  # the "none yet" line
    expect(answered_rows(page).locator("a")).to_have_count(0)
    no_contact_details(page)
    shoot("housing-list-new")
    waiting_rows(page).locator("a").click()
    expect(page).to_have_url(lead_url)
    expect(page.locator("h1")).to_have_text(f"{case.number} {TITLE}")
    expect(referral_state(page)).to_have_text("待签收")
    expect(page.locator("main")).to_contain_text("请核实电梯停运原因并督促维修。")
    no_contact_details(page)
    shoot("housing-referral-new")
    form = step_form(page, "acknowledge")
    expect(form.locator("button[type=submit]")).to_have_text("签收此转办件")
    submit(page, form)
    expect(page).to_have_url(lead_url)
    expect(referral_state(page)).to_have_text("已签收")
    expect(page.locator("details#step-acknowledge")).to_have_count(0)
    lead.refresh_from_db()
    assert lead.state == ReferralState.ACKNOWLEDGED and lead.acknowledged_at is not None

    # --- the co-handling department's liaison signs for it, then sends it back
    log_in(page, base, liaisons[CITY], desk.password)
    expect(page).to_have_url(f"{base}/department/")
    expect(waiting_rows(page)).to_have_count(1)
    expect(waiting_rows(page).locator("td").nth(3)).to_have_text("协办")
    assert page.request.get(lead_url).status == 404  # not their department's
    page.goto(co_url)
    submit(page, step_form(page, "acknowledge"))
    expect(referral_state(page)).to_have_text("已签收")
    form = step_form(page, "return")
    expect(form.locator("button[type=submit]")).to_have_text("退回并说明理由")
    field(form, "return-reason").fill(RETURN_REASON)
    submit(page, form)
    expect(page).to_have_url(co_url)
    expect(referral_state(page)).to_have_text("已退回")
    expect(page.locator("main")).to_contain_text(RETURN_REASON)
    expect(page.locator("aside form")).to_have_count(0)  # nothing more is asked of them
    co.refresh_from_db()
    assert co.state == ReferralState.RETURNED and co.return_reason == RETURN_REASON
    page.goto(f"{base}/department/")
    expect(waiting_rows(page).locator("a")).to_have_count(0)
    expect(answered_rows(page)).to_have_count(1)
    expect(answered_rows(page).locator("td").nth(4)).to_have_text("已退回")
    # When it was sent back, in place of a due date.
    returned_on = timezone.localdate(co.returned_at)
    expect(answered_rows(page).locator("td").nth(5)).to_have_text(f"{returned_on:%Y-%m-%d}")

    # --- the workstation's liaison sees why and re-dispatches it to the fire brigade
    sign_in_as(page, base, desk.staff)
    page.goto(case_url)
    city_row = referral_rows(page).filter(has_text=CITY)
    expect(city_row.locator("td").nth(2)).to_contain_text("已退回")
    expect(city_row.locator("td").nth(2)).to_contain_text(RETURN_REASON)
    form = open_action(page, "refer")
    expect(field(form, "refer-role")).to_have_value("co")  # the lead is still on it
    field(form, "refer-department").select_option(label=FIRE)
    field(form, "refer-note").fill("住建局主办，请消防救援大队核查楼道堆物的消防隐患。")
    submit(page, form)
    expect(referral_rows(page)).to_have_count(3)
    expect(referral_rows(page).filter(has_text=FIRE).locator("td").nth(2)).to_contain_text("待签收")
    expect(status_badge(page)).to_have_text("已转办")
    fire = Referral.objects.get(case=case, department__name=FIRE)
    assert (fire.role, fire.state, fire.acknowledge_due_on) == (
        ReferralRole.CO,
        ReferralState.SENT,
        signed_by,
    )
    fire_url = f"{base}/department/referrals/{fire.pk}/"

    # --- the lead asks for more time
    later = add_working_days(reply_due, 10)
    sign_in_as(page, base, liaisons[HOUSING])
    page.goto(lead_url)
    form = step_form(page, "extend")
    expect(form.locator("button[type=submit]")).to_have_text("申请延期")
    field(form, "extend-due_on").fill(f"{later:%Y-%m-%d}")
    field(form, "extend-reason").fill(EXTENSION_REASON)
    submit(page, form)
    expect(page).to_have_url(lead_url)
    extensions = page.locator("#extensions > li")
    expect(extensions).to_have_count(1)
    expect(extensions).to_contain_text(later.strftime("%Y-%m-%d"))
    expect(extensions).to_contain_text("待审批")
    expect(extensions).to_contain_text(EXTENSION_REASON)
    expect(page.locator("details#step-extend")).to_have_count(0)  # one request at a time
    extension = Extension.objects.get()
    assert (extension.referral, extension.state, extension.due_on, extension.previous_due_on) == (
        lead,
        Extension.State.PENDING,
        later,
        reply_due,
    )
    assert Referral.objects.get(pk=lead.pk).due_on == reply_due  # not before the office says

    # --- the district office grants it in admin
    sign_in_as(page, base, administrator)
    page.goto(f"{base}/admin/visits/extension/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(EXTENSION_REASON)
    expect(rows).to_contain_text("待审批")
    rows.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("grant")
    desktop_only("office-extension-to-grant")
    with page.expect_navigation():
        page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".messagelist .error")).to_have_count(0)
    expect(rows).to_contain_text("已批准")
    extension.refresh_from_db()
    assert (extension.state, extension.decided_by) == (Extension.State.GRANTED, administrator)
    lead.refresh_from_db()
    assert lead.due_on == later

    # --- the lead department sees the new date, and sends its reply
    sign_in_as(page, base, liaisons[HOUSING])
    page.goto(lead_url)
    expect(page.locator("main dl.facts").first).to_contain_text(f"{later:%Y-%m-%d}")
    expect(page.locator("main dl.facts").first).not_to_contain_text(f"{reply_due:%Y-%m-%d}")
    expect(extensions).to_contain_text("已批准")
    form = step_form(page, "reply")
    expect(form.locator("button[type=submit]")).to_have_text("提交本部门答复")
    field(form, "reply-reply").fill(REPLY)
    submit(page, form)
    expect(referral_state(page)).to_have_text("已答复")
    expect(page.locator("#referral-reply")).to_have_text(REPLY)
    expect(page.locator("aside form")).to_have_count(0)
    no_contact_details(page)
    shoot("housing-referral-replied")
    page.locator("main a[href='/department/']").click()
    expect(waiting_rows(page).locator("a")).to_have_count(0)
    expect(answered_rows(page)).to_have_count(1)
    expect(answered_rows(page).locator("td").nth(4)).to_have_text("已答复")
    shoot("housing-list-replied")
    lead.refresh_from_db()
    assert (lead.state, lead.reply) == (ReferralState.REPLIED, REPLY)
    assert Case.objects.get(pk=case.pk).status == Case.Status.REPLIED

    # --- a week on, the fire brigade has not signed for it: the office supervises it
    clock.move_to(timezone.make_aware(MONDAY + timedelta(days=7)), tick=True)
    today = timezone.localdate()
    assert fire.acknowledge_due_on < today
    sign_in_as(page, base, administrator)
    page.goto(f"{base}/office/supervision/")
    late = page.locator("#late-referrals tbody tr")
    expect(late).to_have_count(1)
    expect(late.locator("td").first).to_have_text(case.number)
    expect(late).to_contain_text(FIRE)
    expect(late.locator(".badge-overdue")).to_have_text(f"{fire.acknowledge_due_on:%Y-%m-%d}")
    expect(page.locator("#late-referrals")).not_to_contain_text(HOUSING)  # it replied
    shoot("office-supervision-late")
    with page.expect_navigation():
        late.locator(f"a[href='/office/supervision/referrals/{fire.pk}/']").click()
    answer_by = add_working_days(today, ANSWER_WITHIN_WORKING_DAYS)
    form = page.locator("main form")
    expect(page.locator("main dl.facts")).to_contain_text(FIRE)
    shoot("office-supervision-form")
    # The office gives three working days: the form proposes that day.
    expect(field(form, "due_on")).to_have_value(f"{answer_by:%Y-%m-%d}")
    field(form, "level").select_option(SupervisionLevel.PRIORITY.value)
    field(form, "note").fill(SUPERVISION_NOTE)
    submit(page, form)
    expect(page).to_have_url(f"{base}/office/supervision/")
    expect(page.locator("#late-referrals tbody tr a")).to_have_count(0)  # supervised now
    opened = page.locator("section:has(#open-supervisions-heading) tbody tr")
    expect(opened).to_have_count(1)
    expect(opened).to_contain_text(FIRE)
    expect(opened).to_contain_text(label(SupervisionLevel.PRIORITY))
    expect(opened).to_contain_text(f"{answer_by:%Y-%m-%d}")
    shoot("office-supervision-opened")
    supervision = Supervision.objects.get()
    assert (
        supervision.case_id,
        supervision.referral,
        supervision.level,
        supervision.due_on,
        supervision.note,
        supervision.state,
    ) == (case.pk, fire, SupervisionLevel.PRIORITY, answer_by, SUPERVISION_NOTE, "open")

    # --- the fire brigade's liaison signs in: the supervised, late referral comes first
    log_in(page, base, liaisons[FIRE], desk.password)
    expect(page).to_have_url(f"{base}/department/")
    expect(waiting_rows(page)).to_have_count(1)
    row = waiting_rows(page)
    expect(row.locator("td").nth(1).locator(".badge-overdue")).to_be_visible()  # 督办
    expect(row.locator("td").nth(5)).to_have_text(f"{fire.acknowledge_due_on:%Y-%m-%d} 已逾期 签收")
    no_contact_details(page)
    shoot("fire-list-supervised")
    row.locator("a").click()
    expect(page).to_have_url(fire_url)
    supervised = page.locator(f"li#supervision-{supervision.pk}")
    expect(supervised).to_contain_text(label(SupervisionLevel.PRIORITY))
    expect(supervised).to_contain_text(SUPERVISION_NOTE)
    expect(page.locator("main")).to_contain_text(
        "住建局主办，请消防救援大队核查楼道堆物的消防隐患。"
    )
    no_contact_details(page)
    shoot("fire-referral-supervised")
    submit(page, step_form(page, "acknowledge"))
    expect(referral_state(page)).to_have_text("已签收")
    answer = supervised.locator("form")
    field(answer, f"supervision-{supervision.pk}-answer").fill(SUPERVISION_ANSWER)
    submit(page, answer)
    expect(page).to_have_url(fire_url)
    expect(supervised).to_contain_text(SUPERVISION_ANSWER)
    expect(supervised.locator("form")).to_have_count(0)
    shoot("fire-referral-answered")
    supervision.refresh_from_db()
    assert supervision.state == SupervisionState.ANSWERED and supervision.answered_in_time()
    assert supervision.answer == SUPERVISION_ANSWER
    fire.refresh_from_db()
    assert fire.state == ReferralState.ACKNOWLEDGED

    # --- the whole story in the case's timeline, each entry with its department
    kinds = [
        (EventKind.REGISTERED, None),
        (EventKind.REFERRED, HOUSING),
        (EventKind.REFERRED, CITY),
        (EventKind.ACKNOWLEDGED, HOUSING),
        (EventKind.ACKNOWLEDGED, CITY),
        (EventKind.RETURNED, CITY),
        (EventKind.REFERRED, FIRE),
        (EventKind.EXTENSION_REQUESTED, HOUSING),
        (EventKind.EXTENSION_GRANTED, HOUSING),
        (EventKind.REPLIED, HOUSING),
        (EventKind.SUPERVISED, FIRE),
        (EventKind.ACKNOWLEDGED, FIRE),
        (EventKind.SUPERVISION_ANSWERED, FIRE),
    ]
    events = list(
        CaseEvent.objects.filter(case=case)
        .order_by("at", "pk")
        .values_list("kind", "referral__department__name", "actor__username")
    )
    assert [(kind, department) for kind, department, _actor in events] == kinds
    assert [actor for *_rest, actor in events] == [
        desk.staff.username,
        desk.staff.username,
        desk.staff.username,
        "dept-housing",
        "dept-city",
        "dept-city",
        desk.staff.username,
        "dept-housing",
        administrator.username,
        "dept-housing",
        administrator.username,
        "dept-fire",
        "dept-fire",
    ]
    sign_in_as(page, base, desk.staff)
    page.goto(case_url)
    entries = timeline(page)
    expect(entries.locator("strong")).to_have_text([label(kind) for kind, _ in kinds])
    for n, (_kind, department) in enumerate(kinds):
        if department:
            expect(entries.nth(n)).to_contain_text(department)
    expect(entries.nth(5)).to_contain_text(RETURN_REASON)
    expect(entries.nth(7)).to_contain_text(EXTENSION_REASON)
    expect(entries.nth(9)).to_contain_text(REPLY)
    expect(page.locator("#supervision-heading")).to_be_visible()
    expect(page.locator(f"li#supervision-{supervision.pk}")).to_contain_text(SUPERVISION_ANSWER)
    lead_row = referral_rows(page).filter(has_text=HOUSING)
    expect(lead_row.locator("td").nth(3)).to_have_text(f"{later:%Y-%m-%d}")
    expect(lead_row.locator("td").nth(4)).to_have_text(REPLY)
    expect(status_badge(page)).to_have_text("已答复")
    desktop_only("case-timeline")
    watch.assert_clean()


def test_the_supervision_form_proposes_its_answer_by_date(
    page: Page, live_server, world, workstation, administrator
):
    late = world.overdue(workstation).referrals.get(role=ReferralRole.LEAD)
    answer_by = add_working_days(timezone.localdate(), ANSWER_WITHIN_WORKING_DAYS)

    sign_in_as(page, live_server.url, administrator)
    page.goto(f"{live_server.url}/office/supervision/referrals/{late.pk}/")

    expect(page.locator("main form [name='due_on']")).to_have_value(
        f"{answer_by:%Y-%m-%d}", timeout=1000
    )
