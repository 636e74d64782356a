"""Signing a test client in without the forms, second factor included."""

from binascii import unhexlify

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor


def app_code(key_hex: str) -> str:
    """The six digits an authenticator app holding `key_hex` shows now."""
    return f"{TOTP(unhexlify(key_hex)).token():06d}"


def authenticator_of(user) -> TOTPDevice:
    """The user's confirmed authenticator app, set up now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def force_login(client: Client, user) -> Client:
    """`client.force_login(user)`, and for an account that needs a second factor, that
    factor given too, as `force_login` skips the password: the tests of signing in
    itself (tests/accounts/) go through both steps."""
    client.force_login(user)
    session = client.session
    if session.get(second_factor.DUE):
        second_factor.record_passed(session, authenticator_of(user))
        session.save()
    return client
