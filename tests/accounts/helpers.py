"""Signing in through the forms, as a person does, with an authenticator app's codes."""

from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from tests.signing import app_code, authenticator_of

PASSWORD = "correct horse battery staple"


def code_of(user) -> str:
    return app_code(TOTPDevice.objects.get(user=user, confirmed=True).key)


def setup_code(client: Client) -> str:
    """The code of the app that scanned the set-up page's QR code."""
    return app_code(client.session[second_factor.SETUP_KEY])


def with_password(user, url: str = "/login/", **extra) -> tuple[Client, object]:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, {"username": user.username, "password": PASSWORD, **extra})
    return client, response


def give_factor(user) -> list[str]:
    """An authenticator app set up for `user`, and their recovery codes."""
    authenticator_of(user)
    return second_factor.new_recovery_codes(user)
