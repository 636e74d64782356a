"""The second factor of signing in: a time-based code from an authenticator app (TOTP,
django-otp's TOTPDevice), with single-use recovery codes (its StaticDevice) for a lost
phone.

The three administrators must have one (SECOND_FACTOR_FOR_ADMINISTRATORS); anyone else may set
one up, and then needs it too. Signing in with the password marks the session DUE; until
the code is given, `SecondFactorMiddleware` lets the session reach only the second
step, the set-up of a first factor for an administrator who has none, and signing out.
Whether a session is DUE is read from the session alone: a page costs no query for it.

Wrong codes are counted per account like wrong passwords (`base.signin.Slowing`): five
tries, then a pause that doubles. django-otp's own throttle is switched off in settings,
so that one policy holds for both kinds of code.
"""

import time

import django_otp
from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from base.signin import Slowing
from workstations.roles import administers

DUE = "_second_factor_due"
SETUP_KEY = "_second_factor_key"
# Shown once after they are made (set-up, or new ones asked for), then forgotten.
NEW_RECOVERY_CODES = "_new_recovery_codes"
RECOVERY_CODE_COUNT = 10
CODES = Slowing("second-factor-failures", free_failures=5, first_delay=60, max_delay=15 * 60)


def must_have(user) -> bool:
    """Whether this account may not go without a second factor."""
    return settings.SECOND_FACTOR_FOR_ADMINISTRATORS and administers(user)


def has_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def on_logged_in(sender, request, user, **kwargs) -> None:
    if must_have(user) or has_factor(user):
        request.session[DUE] = True


def is_due(request) -> bool:
    session = getattr(request, "session", None)
    return session is not None and bool(session.get(DUE))


def record_passed(session, device) -> None:
    """The session has given its second factor (with `device`)."""
    session.pop(DUE, None)
    session[django_otp.DEVICE_ID_SESSION_KEY] = device.persistent_id


def mark_passed(request, device) -> None:
    # A new session key for the session that now holds more than a password's worth.
    request.session.cycle_key()
    record_passed(request.session, device)


def normalised(code: str) -> str:
    """A code as typed (spaces or a hyphen in a recovery code, capitals) made comparable."""
    return "".join(code.split()).replace("-", "").lower()


@transaction.atomic
def device_accepting(user, code: str):
    """The device of `user` that accepts `code` (an authenticator's code, or a recovery
    code, which is then used up), or None. Locked, so that one code works once."""
    code = normalised(code)
    devices = (
        *TOTPDevice.objects.devices_for_user(user).select_for_update(),
        *StaticDevice.objects.devices_for_user(user).select_for_update(),
    )
    return next((device for device in devices if device.verify_token(code)), None)


def device_being_set_up(session, user) -> TOTPDevice:
    """The device of a set-up in progress, not saved until its first code confirms it: its
    key is kept in the session, the same on every reload, so that the code already
    scanned stays right, and a page only looked at leaves nothing behind."""
    key = session.get(SETUP_KEY)
    if key is None:
        key = session[SETUP_KEY] = default_key()
    return TOTPDevice(user=user, key=key, name="authenticator", confirmed=False)


def _code_is_right(device: TOTPDevice, code: str) -> bool:
    """Checked with django-otp's TOTP itself: the device's own check would save an
    unconfirmed device on a wrong code."""
    if not (code.isascii() and code.isdigit()):
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return False
    device.last_t = totp.t()  # the same code cannot sign in again
    return True


@transaction.atomic
def confirm(session, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm a set-up with the first code from the app; returns the new recovery codes,
    or None if the code is wrong. One authenticator per account: it replaces any other."""
    if not _code_is_right(device, normalised(code)):
        return None
    TOTPDevice.objects.filter(user=device.user).delete()
    device.confirmed = True
    device.save()
    session.pop(SETUP_KEY, None)
    return new_recovery_codes(device.user)


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Recovery codes replacing any earlier ones."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "recovery codes"}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def remove(user) -> None:
    """The account goes back to signing in with its password alone."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def shown_in_groups(code: str) -> str:
    """A recovery code as printed: two groups of four, easier to copy by hand."""
    return f"{code[:4]}-{code[4:]}"
