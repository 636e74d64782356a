from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import second_factor
from .second_factor import CODES


class _CodeForm(forms.Form):
    """A code for `user`, tried only while the account is not pausing after wrong codes."""

    code = forms.CharField(label=_("Code"), max_length=20, strip=True)
    wrong_code_message = ""

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["code"].widget.attrs.update(
            autocomplete="one-time-code", autocapitalize="none", spellcheck="false"
        )

    def accepted(self, code: str) -> bool:
        raise NotImplementedError

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        account = self.user.get_username()
        wait = CODES.wait_seconds(account)
        if wait:
            raise ValidationError(
                ngettext(
                    "Too many wrong codes. Try again in %(seconds)d second.",
                    "Too many wrong codes. Try again in %(seconds)d seconds.",
                    wait,
                )
                % {"seconds": wait},
                code="paused",
            )
        if not self.accepted(code):
            CODES.count_failure(account)
            raise ValidationError(self.wrong_code_message, code="wrong")
        CODES.clear(account)
        return code


class SecondFactorForm(_CodeForm):
    """The second step of signing in, or a check before removing the factor: a code from
    the authenticator app, or one of the recovery codes (used up by it)."""

    wrong_code_message = _(
        "That code is not right. Enter the code your authenticator app shows now (check "
        "that the phone's clock is right), or one of your recovery codes."
    )
    device = None

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["code"].help_text = _(
            "Six digits from your authenticator app, or a recovery code."
        )

    def accepted(self, code: str) -> bool:
        self.device = second_factor.device_accepting(self.user, code)
        return self.device is not None


class SetUpForm(_CodeForm):
    """The first code from the app just set up, which proves that it has the secret."""

    wrong_code_message = _(
        "That code is not right. Scan the code again (or type the key), check that the "
        "phone's clock is right, and enter the six digits the app shows now."
    )
    recovery_codes: list[str] | None = None

    def __init__(self, session, device, *args, **kwargs):
        super().__init__(device.user, *args, **kwargs)
        self.session, self.device = session, device
        self.fields["code"].label = _("Code shown by the app")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def accepted(self, code: str) -> bool:
        self.recovery_codes = second_factor.confirm(self.session, self.device, code)
        return self.recovery_codes is not None
