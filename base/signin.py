"""Signing in against password guessing.

django-axes locks a username at one address after five failures (and names an attempt
by `lockout_username`, its AXES_USERNAME_CALLABLE). A guesser with many addresses is not
stopped by that, so every failure for a username, from anywhere, also counts here, in
the shared cache (`PASSWORDS`): past ten, an attempt at that account must wait a delay
that doubles with each further failure (at most five minutes) after the last one. An attempt
made sooner is refused with the time left, without trying the password and without
counting, so hammering does not lengthen the wait. The account is never locked: once the
wait is over the right password signs in, and a success clears the count. The sign-in
page and admin's both use `SlowedSignInMixin`.

With the database cache, failures at the same instant can lose a count (README).
"""

import hashlib
import math
import time
from dataclasses import dataclass

from axes.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import ngettext


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username typed, cut to the longest an account can have (150 characters).

    axes saves it in a 255-character column, and a longer one failed to save on
    PostgreSQL: a 500 at sign-in. No account's name is cut, so lockouts stay per account."""
    field = settings.AXES_USERNAME_FORM_FIELD
    username = (credentials or request.POST).get(field)
    if not isinstance(username, str):
        return username
    model = get_user_model()
    return username[: model._meta.get_field(model.USERNAME_FIELD).max_length]


# A day without a failure and the count starts again.
FORGET_AFTER = 24 * 3600


@dataclass(frozen=True)
class Slowing:
    """Failures of one kind counted per account in the shared cache: past `free_failures`,
    the next attempt waits a delay that doubles with each further failure (at most
    `max_delay`) after the last one. Passwords use it (PASSWORDS), second factors too."""

    namespace: str
    free_failures: int
    first_delay: int
    max_delay: int

    def _key(self, account: str) -> str:
        # Hashed: account names stay out of the cache's keys; casefolded: "Liaison" is
        # "liaison".
        digest = hashlib.sha256(account.casefold().encode()).hexdigest()[:32]
        return f"{self.namespace}:{digest}"

    def delay_after(self, failures: int) -> int:
        """Seconds an attempt must wait after the last of `failures` failures."""
        if failures < self.free_failures:
            return 0
        return min(self.first_delay * 2 ** (failures - self.free_failures), self.max_delay)

    def wait_seconds(self, account: str, *, now: float | None = None) -> int:
        """How long an attempt at this account must still wait (0: it may try now)."""
        failures, last = cache.get(self._key(account), (0, 0.0))
        now = time.time() if now is None else now
        return max(0, math.ceil(last + self.delay_after(failures) - now))

    def count_failure(self, account: str, *, now: float | None = None) -> None:
        failures, _last = cache.get(self._key(account), (0, 0.0))
        now = time.time() if now is None else now
        cache.set(self._key(account), (failures + 1, now), FORGET_AFTER)

    def clear(self, account: str) -> None:
        cache.delete(self._key(account))


PASSWORDS = Slowing("signin-failures", free_failures=10, first_delay=2, max_delay=5 * 60)


def on_login_failed(sender, credentials: dict, request=None, **kwargs) -> None:
    """user_login_failed: a wrong password (or an axes lockout) from any sign-in page."""
    username = credentials.get(get_user_model().USERNAME_FIELD)
    if isinstance(username, str) and username:
        PASSWORDS.count_failure(username)


def on_logged_in(sender, request, user, **kwargs) -> None:
    PASSWORDS.clear(user.get_username())


class SlowedSignInMixin:
    """For an AuthenticationForm: an account being guessed waits its turn, told how long."""

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        if username and self.cleaned_data.get("password"):
            wait = PASSWORDS.wait_seconds(username)
            if wait:
                raise ValidationError(
                    ngettext(
                        "There have been many failed sign-in attempts for this account. "
                        "Try again in %(seconds)d second.",
                        "There have been many failed sign-in attempts for this account. "
                        "Try again in %(seconds)d seconds.",
                        wait,
                    )
                    % {"seconds": wait},
                    code="slowed",
                )
        return super().clean()


class SignInForm(SlowedSignInMixin, AuthenticationForm):
    """The sign-in page's form (admin's is `admin_site.AdministratorAuthenticationForm`)."""
