"""Validators for contact data typed in by staff."""

from django.core.validators import RegexValidator
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
