"""Browser tests: Playwright driving Debian's Chromium against `live_server`.

Every page a test visits is watched: a content-security-policy violation, a console
error or an uncaught script error is recorded, and `BrowserWatch.assert_clean()` fails
the test if any happened. Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect

from workdays.loading import load_year

from ..factories import (
    DepartmentFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
)
from ..signing import app_code, authenticator_of, force_login

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--disable-quic",
]

# Runs before any page script. The binding hands each violation to Python at once, so
# one on a page the test has already left is not lost with that page's window.
CSP_RECORDER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__recordCspViolation({
    page: document.location.href,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """The public pages are cached for a minute, longer than a test: each test sees
    pages drawn from its own rows, not an earlier test's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's own browser download cannot work here; Debian's Chromium does.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@dataclass
class BrowserWatch:
    """What went wrong in the browser while a test ran."""

    csp_violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.location.get('url', '')}: {message.text}")

    def assert_clean(self) -> None:
        assert self.csp_violations == [], "content security policy violated"
        assert self.console_errors == [], "errors in the browser console"
        assert self.page_errors == [], "uncaught script errors"


@pytest.fixture
def watch(page: Page) -> BrowserWatch:
    """Record CSP violations, console errors and script errors of `page` (and of any
    page opened in its context)."""
    watched = BrowserWatch()
    page.context.expose_binding(
        "__recordCspViolation", lambda _source, report: watched.csp_violations.append(report)
    )
    page.context.add_init_script(CSP_RECORDER)
    page.on("console", watched.on_console)
    page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
    return watched


def save_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^\w.-]+", "-", name) + ".png")
    page.screenshot(path=path, full_page=True)
    return path


def sign_in_to_admin(page: Page, base_url: str, user, password: str) -> None:
    """Through admin's sign-in form and the second step, as an administrator does: the
    password, then the code their authenticator app shows."""
    device = authenticator_of(user)
    page.goto(f"{base_url}/admin/login/")
    page.locator("[name='username']").fill(user.username)
    page.locator("[name='password']").fill(password)
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/login/second-factor/"))
    page.get_by_label("验证码").fill(app_code(device.key))
    with page.expect_navigation():
        page.get_by_role("button", name="完成登录").click()
    expect(page).to_have_url(f"{base_url}/admin/")


def sign_in_as(page: Page, base_url: str, user) -> None:
    """Give the page's browser a session of `user` (none for None), without the form."""
    page.context.clear_cookies()
    if user is None:
        return
    client = force_login(Client(), user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}]
    )


@pytest.fixture
def screenshot():
    """`screenshot(page, name)`: a full-page screenshot into test-artifacts/screenshots/."""
    return save_screenshot


def open_menu(page: Page) -> None:
    """Unfold the staff header's menu if it is folded behind its button (below 960 px)."""
    menu = page.locator("header nav.staff-nav details.menu")
    if menu.locator("> summary").is_visible() and menu.get_attribute("open") is None:
        menu.locator("> summary").click()


@dataclass
class Desk:
    """A workstation ready to receive citizens: its liaison, members (one on duty
    now), departments to refer to, and a loaded working-day calendar."""

    workstation: object
    staff: object
    password: str
    members: list
    departments: list


@pytest.fixture
def desk(workstation, staff) -> Desk:
    today = timezone.localdate()
    # Referral due dates are counted in working days: without the calendar, refusal.
    load_year(today.year)
    load_year(today.year + 1)
    members = [
        MemberFactory(name="李建国", home_workstation=workstation),
        MemberFactory(name="王秀兰", home_workstation=workstation),
    ]
    shift = DutyShiftFactory(
        workstation=workstation,
        date=today,
        starts_at=datetime.time(0, 0),
        ends_at=datetime.time(23, 59, 59),
        holding_group=members[1].activity_group,
    )
    DutyAssignmentFactory(shift=shift, member=members[1])
    departments = [
        DepartmentFactory(name="区住房和城乡建设局"),
        DepartmentFactory(name="区城市管理和综合执法局"),
        DepartmentFactory(name="区消防救援大队"),
    ]
    return Desk(
        workstation=workstation,
        staff=staff,
        password="correct horse battery staple",
        members=members,
        departments=departments,
    )
