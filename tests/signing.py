"""Signing a test client in without the forms, second factor included."""

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor


def force_login(client: Client, user) -> Client:
    """`client.force_login(user)`, and for an account that needs a second factor, that
    factor given too, as `force_login` skips the password: the tests of signing in
    itself (tests/accounts/) go through both steps."""
    client.force_login(user)
    session = client.session
    if session.get(second_factor.DUE):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        second_factor.record_passed(session, device)
        session.save()
    return client
