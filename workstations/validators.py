"""Validators for contact data and identity numbers typed in by staff."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A mainland mobile (11 digits starting with 1) or a landline with optional
# area code and extension, e.g. 029-87654321 or 029-87654321-801.
phone_validator = RegexValidator(
    regex=r"^(1[3-9]\d{9}|(0\d{2,3}-?)?\d{7,8}(-\d{1,6})?)$",
    message=_("Enter a mobile number (11 digits) or a landline such as 029-87654321."),
)

# Text meant for publication: no run of seven or more digits (a phone, an ID number),
# spaces and dashes inside the run included.
no_contact_details = RegexValidator(
    regex=r"\d(?:[\s-]*\d){6,}",
    inverse_match=True,
    message=_("Text for publication must not contain a phone or ID number."),
)


# The province-level codes (GB/T 2260) a resident identity number begins with: the
# mainland's 31 provinces, regions and municipalities, Taiwan (71), Hong Kong (81) and
# Macao (82), whose residents' permits carry numbers of the same form.
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})  # fmt: skip
# ISO 7064 MOD 11-2: digit i (from 0) weighs 2^(17 - i) mod 11 (7, 9, 10, 5, ...); the
# weighted sum mod 11 picks the check character from this string.
_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_CHECK_CHARACTERS = "10X98765432"
ID_NUMBER_FORMAT = _(
    "An ID number has 18 characters: 17 digits, then a digit or X, with no spaces."
)


def normalise_id_number(value: str) -> str:
    """An ID number as kept: no surrounding spaces, an upper-case X."""
    return (value or "").strip().upper()


def id_number_check_character(first_17: str) -> str:
    """The 18th character of a resident identity number whose first 17 digits these are."""
    total = sum(int(digit) * weight for digit, weight in zip(first_17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def id_number_validator(value: str) -> None:
    """A resident identity number (GB 11643-1999): 17 digits and a check character (a digit
    or X, checked by ISO 7064 MOD 11-2), a province's code in front and a real birth date
    in the middle, not after today. A lower-case x is accepted (and kept upper-case)."""
    number = normalise_id_number(value)
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        raise ValidationError(ID_NUMBER_FORMAT, code="id_number_format")
    if number[17] not in "0123456789X":
        raise ValidationError(ID_NUMBER_FORMAT, code="id_number_format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits of an ID number are a province's code, such as 61 for "
              "Shaanxi; %(code)s is none."),
            code="id_number_region",
            params={"code": number[:2]},
        )  # fmt: skip
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born > timezone.localdate() or born.year < 1800:
        raise ValidationError(
            _("Digits 7 to 14 of an ID number are the date of birth (YYYYMMDD); %(date)s is "
              "not a date that has been."),
            code="id_number_birth_date",
            params={"date": number[6:14]},
        )  # fmt: skip
    if number[17] != id_number_check_character(number[:17]):
        raise ValidationError(
            _("This ID number's last character does not match the others: check each digit "
              "against the card."),
            code="id_number_check",
        )  # fmt: skip
