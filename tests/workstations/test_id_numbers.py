"""The resident identity number's validator (workstations/validators.py, GB 11643-1999):
18 characters, a province's code, a real birth date not after today, and the ISO 7064
MOD 11-2 check character. Today is pinned: the result never depends on the real clock."""

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from workstations.validators import (
    id_number_check_character,
    id_number_validator,
    normalise_id_number,
)

# The standard's own example (check character X), and numbers of Xi'an's Xincheng
# district (610102) whose check digits were worked out by hand.
VALID = ["11010519491231002X", "610102199001011231", "610102200002291234", "820000200101010005"]
TODAY = datetime(2026, 6, 15, 10, 0)


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to(timezone.make_aware(TODAY), tick=False)


def _refusal(number: str) -> str:
    with pytest.raises(ValidationError) as refused:
        id_number_validator(number)
    return refused.value.code


@pytest.mark.parametrize("number", VALID)
def test_a_valid_number_passes(number):
    id_number_validator(number)


def test_the_check_character_is_iso_7064_mod_11_2():
    assert id_number_check_character("11010519491231002") == "X"
    assert id_number_check_character("61010219900101123") == "1"


def test_a_lower_case_x_passes_and_is_kept_upper_case():
    id_number_validator("11010519491231002x")

    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize("number", ["610102199001011232", "110105194912310020"])
def test_a_wrong_check_character_is_refused(number):
    assert _refusal(number) == "id_number_check"


@pytest.mark.parametrize(
    "number",
    [
        "610102200102291230",  # 29 February of 2001, not a leap year
        "610102190002290000",  # 1900 was not a leap year either
        "610102199013011230",  # a thirteenth month
        "610102199004311230",  # 31 April
        "610102202606161230",  # tomorrow
    ],
)
def test_a_birth_date_that_has_not_been_is_refused(number):
    assert _refusal(number) == "id_number_birth_date"


def test_a_birth_date_of_today_passes():
    first_17 = "61010220260615123"

    id_number_validator(first_17 + id_number_check_character(first_17))


@pytest.mark.parametrize("code", ["00", "10", "16", "24", "39", "55", "66", "70", "83", "99"])
def test_a_number_that_begins_with_no_provinces_code_is_refused(code):
    first_17 = code + "010219900101123"

    assert _refusal(first_17 + id_number_check_character(first_17)) == "id_number_region"


@pytest.mark.parametrize(
    "number",
    [
        "61010219900101123",  # 17 characters
        "6101021990010112311",  # 19
        "610102 199001011231",  # a space inside
        "6101 0219 9001 0112 31",
        "61010219900101123Y",
        "X10102199001011231",
        "６１０１０２１９９００１０１１２３１",  # full-width digits
        "610102900101123",  # the old 15 digits
    ],
)
def test_a_number_of_the_wrong_form_is_refused(number):
    assert _refusal(number) == "id_number_format"


def test_the_messages_say_what_is_wrong_in_chinese_too():
    with pytest.raises(ValidationError) as refused:
        id_number_validator("610102199001011232")

    # The message is lazy: read in Chinese, whatever language an earlier test left active.
    with translation.override("zh-hans"):
        assert "身份证号" in refused.value.messages[0]
