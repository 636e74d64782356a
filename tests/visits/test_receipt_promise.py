"""What both receipts promise and where they send the citizen: the desk's slip and the
online submitter's page say in how many working days the case is accepted (受理), and by
which day, or that it is accepted and when its next step is due; their QR code holds the
/track/ address and nothing else, and no address on them carries the lookup code."""

import re
from datetime import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from base import qr
from visits import lifecycle
from visits.models import Case, CaseStatus
from visits.online import Submission, online_submit
from workdays.loading import load_year

from ..factories import DepartmentFactory, VisitFactory, open_case

TRACK = "http://testserver/track/"
# Monday 8 June 2026, an ordinary working week (the Dragon Boat holiday is on the 19th).
MONDAY = datetime(2026, 6, 8, 10, 0)
URL_ATTRIBUTE = re.compile(r'\b(?:href|src|action|data-[\w-]+)="([^"]*)"')


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.make_aware(MONDAY), tick=False)
    return time_machine


@pytest.fixture
def calendar(db):
    return load_year(2026)


@pytest.fixture
def accept_within(settings):
    settings.ACCEPTANCE_WORKING_DAYS = 3
    return settings


@pytest.fixture
def drawn(monkeypatch):
    """Every text the QR generator was given while the test ran."""
    texts = []
    make = qr.segno.make

    def recording(text, **options):
        texts.append(text)
        return make(text, **options)

    monkeypatch.setattr(qr.segno, "make", recording)
    return texts


def chinese() -> Client:
    client = Client(REMOTE_ADDR="10.0.0.1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


def submit_online(client, workstation) -> None:
    response = client.post(
        reverse("public:submit"),
        {
            "workstation": workstation.pk,
            "category": "property",
            "text": "小区楼道堆满杂物，存在消防隐患，物业一直不管。",
            "name": "赵秀芝",
            "phone": "13912345678",
            "consent_to_processing": "on",
            "website": "",
            "submission_id": "6f1c1b8e-2a7c-4d1e-9d55-1f3f2e0c9a11",
        },
    )
    assert response.status_code == 302


def online_receipt(workstation) -> str:
    client = chinese()
    submit_online(client, workstation)
    return client.get(reverse("public:receipt")).content.decode()


def desk_slip(sign_in, staff, case: Case) -> str:
    """The slip of `case` as its workstation's liaison prints it, with a new code."""
    client = sign_in(staff, language="zh-hans")
    client.post(reverse("visits:case_receipt_renew", args=[case.number]))
    response = client.get(reverse("visits:case_receipt", args=[case.number]))
    assert response.status_code == 200
    return response.content.decode()


def limit_sentence(page: str) -> str:
    return re.search(r'<p class="receipt-limit" id="receipt-limit">(.*?)</p>', page).group(1)


def drawn_path(page: str) -> str:
    """The dark modules of the page's QR code, as path data."""
    return re.search(r'<svg[^>]*class="qr".*?<path[^>]*stroke="#000" d="([^"]+)"', page).group(1)


def path_of(text: str) -> str:
    return drawn_path(qr.qr_svg(text, title="t"))


# --- the time limit --------------------------------------------------------------


@pytest.mark.usefixtures("clock", "calendar")
@pytest.mark.parametrize(("days", "by"), [(3, "2026年6月11日"), (5, "2026年6月15日")])
def test_an_online_receipt_promises_acceptance_within_the_set_working_days_and_by_which_day(
    settings, workstation, days, by
):
    settings.ACCEPTANCE_WORKING_DAYS = days

    page = online_receipt(workstation)

    assert limit_sentence(page) == f"工作室将在 {days} 个工作日内受理（最迟 {by}）。"


@pytest.mark.usefixtures("clock", "accept_within")
def test_without_the_calendar_of_those_days_the_receipt_names_the_limit_only(workstation):
    page = online_receipt(workstation)

    assert limit_sentence(page) == "工作室将在 3 个工作日内受理。"


@pytest.mark.usefixtures("clock", "calendar", "accept_within")
def test_the_desk_slip_of_an_online_case_still_to_accept_promises_the_same(
    sign_in, staff, workstation
):
    receipt = online_submit(
        Submission(
            workstation=workstation,
            name="赵秀芝",
            phone="13912345678",
            category="property",
            text="楼道堆物",
            consent_to_publish=False,
            submission_id="0b7d6f5e-1c2a-4b3c-8d9e-0f1a2b3c4d5e",
        )
    )
    case = Case.objects.get(number=receipt.number)
    assert case.status == CaseStatus.SUBMITTED

    assert limit_sentence(desk_slip(sign_in, staff, case)) == (
        "工作室将在 3 个工作日内受理（最迟 2026年6月11日）。"
    )


@pytest.mark.usefixtures("clock", "calendar", "accept_within")
def test_a_case_registered_at_the_desk_is_accepted_and_its_slip_names_the_next_deadline(
    sign_in, staff, workstation, settings
):
    settings.REFERRAL_REPLY_WORKING_DAYS = 15
    case = open_case(visit=VisitFactory(workstation=workstation), actor=staff)

    # Registered: first handled within the working days the office allows.
    due = case.next_due_on
    assert due is not None
    assert limit_sentence(desk_slip(sign_in, staff, case)) == (
        f"您的诉求已受理，下一步办理期限为 {due.year}年{due.month}月{due.day}日。"
    )

    lifecycle.case_refer(case=case, actor=staff, department=DepartmentFactory())
    case.refresh_from_db()
    referred_due = case.next_due_on

    assert referred_due is not None and referred_due != due
    assert limit_sentence(desk_slip(sign_in, staff, case)) == (
        f"您的诉求已受理，下一步办理期限为 "
        f"{referred_due.year}年{referred_due.month}月{referred_due.day}日。"
    )


def test_the_receipt_promises_nothing_for_a_case_that_has_ended(
    sign_in, staff, workstation, clock, calendar
):
    case = open_case(visit=VisitFactory(workstation=workstation), actor=staff)
    lifecycle.case_withdraw(case=case, actor=staff, note="居民撤回")

    assert 'id="receipt-limit"' not in desk_slip(sign_in, staff, case)


# --- the tracking address and its QR code -----------------------------------------


@pytest.mark.usefixtures("clock", "calendar")
def test_the_online_receipts_qr_code_holds_the_tracking_address_and_nothing_else(
    workstation, drawn
):
    page = online_receipt(workstation)
    case = Case.objects.get()

    assert drawn == [TRACK]
    assert drawn_path(page) == path_of(TRACK)
    # The comparison means something: another text draws another code.
    assert path_of(f"{TRACK}?number={case.number}") != path_of(TRACK)
    assert f"{TRACK}" in page  # to type, as well as to scan


@pytest.mark.usefixtures("clock", "calendar")
def test_the_desk_slips_qr_code_holds_the_tracking_address_and_nothing_else(
    sign_in, staff, workstation, drawn
):
    case = open_case(visit=VisitFactory(workstation=workstation), actor=staff)

    page = desk_slip(sign_in, staff, case)

    assert drawn == [TRACK]
    assert drawn_path(page) == path_of(TRACK)


@pytest.mark.usefixtures("clock", "calendar")
def test_no_address_on_either_receipt_carries_the_lookup_code(sign_in, staff, workstation):
    online = online_receipt(workstation)
    code = re.search(r'id="receipt-code">([^<]+)<', online).group(1)
    case = open_case(visit=VisitFactory(workstation=workstation), actor=staff)
    slip = desk_slip(sign_in, staff, case)
    slip_code = re.search(r'id="slip-code">([^<]+)<', slip).group(1)

    for page, secret in ((online, code), (slip, slip_code)):
        addresses = URL_ATTRIBUTE.findall(page)
        assert "/track/" in addresses or TRACK in page
        assert addresses and [a for a in addresses if secret in a] == []
