"""Guessing lookup codes on /track/ is slowed, but nobody can lock a citizen out of their
own case: wrong codes from anywhere put a tracking number into a slow lane where every
address waits its turn, and a code from an address that has not failed is always checked."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from public import throttle
from visits.online import Submission, online_submit

WRONG = "WRONGCODE2"


pytestmark = pytest.mark.usefixtures("working_calendar")


@pytest.fixture
def clock(time_machine):
    """The test's clock: every limit reads it, and the test moves it (no real sleep)."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


@pytest.fixture
def tracked_case(workstation, clock):
    receipt = online_submit(
        Submission(
            workstation=workstation,
            name="赵秀芝",
            phone="13912345678",
            category="property",
            text="小区楼道堆满杂物，存在消防隐患。",
            consent_to_publish=False,
            submission_id="6f1c1b8e-2a7c-4d1e-9d55-1f3f2e0c9a11",
        )
    )
    return receipt.number, receipt.lookup_code


def citizen(address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def look_up(address: str, number: str, code: str):
    return citizen(address).post(reverse("public:track"), {"number": number, "code": code})


def exhaust_the_numbers_budget(number: str) -> None:
    """Wrong codes for `number` from as many addresses as the budget, one each (typed as
    citizens type: in lower case, with spaces, which is still the same number)."""
    for n in range(throttle.FAILED_LOOKUPS_PER_NUMBER_ANYWHERE.count):
        typed = f" {number.lower()} "
        assert look_up(f"10.1.{n // 200}.{n % 200}", typed, WRONG).status_code == 400


def test_wrong_codes_from_many_addresses_never_lock_out_the_right_code(tracked_case):
    number, code = tracked_case
    exhaust_the_numbers_budget(number)
    for n in range(10):  # and more, past the budget
        look_up(f"10.3.0.{n}", number, WRONG)

    opened = look_up("10.2.2.2", number, code)

    assert opened.status_code == 302 and opened["Location"] == reverse("public:track")


def test_past_the_budget_an_address_that_failed_waits_a_bounded_time_then_its_right_code_opens(
    tracked_case, clock
):
    number, code = tracked_case
    exhaust_the_numbers_budget(number)
    assert look_up("10.2.2.2", number, WRONG).status_code == 400

    too_soon = look_up("10.2.2.2", number, code)
    clock.shift(timedelta(seconds=throttle.SLOW_LANE_FIRST_WAIT))
    on_its_turn = look_up("10.2.2.2", number, code)

    assert too_soon.status_code == 429
    assert "Please try again in 1 minute" in too_soon.content.decode()
    assert on_its_turn.status_code == 302


def test_in_the_slow_lane_a_wrong_code_is_not_even_checked_before_the_addresss_turn(
    tracked_case, clock, monkeypatch
):
    number, _code = tracked_case
    exhaust_the_numbers_budget(number)
    look_up("10.2.2.2", number, WRONG)
    checked = []
    monkeypatch.setattr("public.citizens.case_lookup", lambda *args: checked.append(args))

    refused = look_up("10.2.2.2", number, WRONG)

    assert refused.status_code == 429 and checked == []


def test_the_slow_lane_wait_grows_with_the_wrong_codes_and_never_exceeds_an_hour():
    budget = throttle.FAILED_LOOKUPS_PER_NUMBER_ANYWHERE.count
    waits = [throttle.slow_lane_delay(failures) for failures in range(0, 40 * budget, budget)]

    assert waits[0] == 0  # within the budget: no wait
    assert waits[1] == throttle.SLOW_LANE_FIRST_WAIT
    assert waits == sorted(waits) and waits[2] > waits[1]
    assert max(waits) == throttle.SLOW_LANE_MAX_WAIT == 3600


def test_an_unknown_number_goes_through_the_same_slow_lane_as_a_real_one(tracked_case):
    number, _code = tracked_case
    unknown = "2026-999999"
    exhaust_the_numbers_budget(number)
    exhaust_the_numbers_budget(unknown)
    look_up("10.2.2.2", number, WRONG)
    look_up("10.2.2.2", unknown, WRONG)

    real, fake = look_up("10.2.2.2", number, WRONG), look_up("10.2.2.2", unknown, WRONG)

    assert real.status_code == fake.status_code == 429
    assert page_without(real, number) == page_without(fake, unknown)


def page_without(response, number: str) -> str:
    """The page with the number the visitor typed and its CSRF token blanked out."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return body.replace(number, "N")
