"""A signed-in session ends SESSION_ABSOLUTE_SECONDS after signing in, however busy its
user: the idle limit (idle_sessions.py) alone would let a session kept alive all day live
for ever. The sign-in time is kept in the session itself, so the check reads only the
session the request loads anyway to find its user: no query, no write on a normal page.

A session past its lifetime is flushed before its user is read: the request is
anonymous, as after an idle expiry, so `login_required` sends the user to sign in (with a
message saying why) and a staff form posted then is kept through it
(`KeptInputMiddleware`): flushing is not signing out, which would drop that input."""

import time
from functools import partial

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

SIGNED_IN_AT = "_signed_in_at"


def on_logged_in(sender, request, user, **kwargs) -> None:
    request.session[SIGNED_IN_AT] = int(time.time())


def is_over(session) -> bool:
    """Whether a signed-in session has outlived its absolute lifetime; one without a
    sign-in time was signed in before there was one, and is over too."""
    signed_in_at = session.get(SIGNED_IN_AT)
    return signed_in_at is None or time.time() - signed_in_at >= settings.SESSION_ABSOLUTE_SECONDS


def end_if_over(request: HttpRequest) -> None:
    if SESSION_KEY in request.session and is_over(request.session):
        request.session.flush()
        hours = settings.SESSION_ABSOLUTE_SECONDS // 3600
        messages.info(
            request,
            gettext("You were signed in for %(hours)d hours: please sign in again.")
            % {"hours": hours},
            fail_silently=True,
        )


def _user(request: HttpRequest):
    end_if_over(request)
    return auth_middleware.get_user(request)


async def _auser(request: HttpRequest):
    await sync_to_async(end_if_over)(request)
    return await auth_middleware.auser(request)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the session's lifetime checked before its user is read."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(partial(_user, request))
        request.auser = partial(_auser, request)
