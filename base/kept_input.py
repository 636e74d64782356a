"""What a user typed into a staff form survives the end of their session.

A session ends after 30 idle minutes. A form saved after that reaches its view without
a signed-in user, and `login_required` answers with the sign-in page: without this
module, what was typed would be gone. Instead `KeptInputMiddleware` keeps the posted
fields (never files, passwords, ID numbers or the CSRF token) in the browser's new session, which
lives server-side under an unguessable key, and sends the user to sign in with `next`
set to the page that held the form. Once the same user has signed in again, that page
shows the form filled in (static/js/staff.js fills it; nothing is submitted) with a
message to check and save. The CSRF token of the old post is stale by then (signing in
renews it), which is why the input is offered back, never replayed.

Which user typed it is known from a signed cookie that names the signed-in user and,
like the session cookie, lasts until the browser closes: the input is offered back to
that user only, and dropped when anyone else signs in. Nothing of it goes into a URL or
a log: the sign-in address carries only the form page's address.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import user_logged_out
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

KEPT = "kept_input"
KEPT_SECONDS = 30 * 60
# A visit with all ten issues filled in to the brim is some 85,000 characters; more than
# this is no staff form, and is not kept.
KEPT_MAX_CHARACTERS = 128 * 1024
# Nor an ID number: kept encrypted once saved (base/encrypted.py), it would lie in the
# session table in the clear meanwhile; typing it again is the smaller cost.
NEVER_KEPT = frozenset({"csrfmiddlewaretoken", "visitor_id_number"})

SIGNED_IN_AS = "signed_in_as"
_SALT = "workstations.kept_input"


def signed_in_as(request: HttpRequest) -> int | None:
    """The user this browser was last signed in as, from the signed cookie."""
    value = request.get_signed_cookie(SIGNED_IN_AS, default=None, salt=_SALT)
    return int(value) if value and value.isdigit() else None


def is_sign_in_redirect(response: HttpResponse) -> bool:
    """Whether the response sends the user to sign in and come back (login_required's
    answer; signing out also lands on the sign-in page, but with nowhere to come back)."""
    if response.status_code != 302:
        return False
    target = urlsplit(response["Location"])
    return target.path == resolve_url(settings.LOGIN_URL) and "next=" in target.query


def keep(request: HttpRequest, *, now: float | None = None) -> HttpResponse:
    """Keep what an expired session's user posted, and send them to sign in and back to
    the page of the form. Nothing is kept when nobody is known to give it back to, when
    nothing was typed (a button's post) or when it is more than any staff form holds."""
    page = form_page(request)
    user_pk = signed_in_as(request)
    fields = {
        name: request.POST.getlist(name)
        for name in request.POST
        if name not in NEVER_KEPT and "password" not in name.lower()
    }
    size = sum(len(name) + sum(map(len, values)) for name, values in fields.items())
    if user_pk is not None and fields and size <= KEPT_MAX_CHARACTERS:
        request.session[KEPT] = {
            "user": user_pk,
            "action": request.path,
            "page": page,
            "fields": fields,
            "until": (now or time.time()) + KEPT_SECONDS,
        }
    return redirect_to_login(page)


def form_page(request: HttpRequest) -> str:
    """The page that held the posted form: the referring page of this site (a case's
    step is posted to an address of its own that only takes POST), else the address
    posted to."""
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        if parts.path and parts.path != resolve_url(settings.LOGIN_URL):
            return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.path


def offered(request: HttpRequest, *, now: float | None = None) -> dict | None:
    """The kept input to fill in on this page for this user, if any: which form (the
    address it posts to) and its fields."""
    kept = request.session.get(KEPT)
    if (
        kept is None
        or not request.user.is_authenticated
        or kept["user"] != request.user.pk
        or kept["until"] < (now or time.time())
        or kept["page"] != request.get_full_path()
    ):
        return None
    return {"action": kept["action"], "fields": kept["fields"]}


def settle(request: HttpRequest, response: HttpResponse) -> None:
    """After a signed-in request: drop kept input once its page was shown, when someone
    else signed in, or when it expired; keep the cookie naming the user up to date."""
    kept = request.session.get(KEPT)
    if kept is not None and (
        kept["user"] != request.user.pk
        or kept["until"] < time.time()
        or (response.status_code == 200 and offered(request) is not None)
    ):
        del request.session[KEPT]
    if signed_in_as(request) != request.user.pk:
        response.set_signed_cookie(
            SIGNED_IN_AS,
            str(request.user.pk),
            salt=_SALT,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


@receiver(user_logged_out)
def _forget_user(sender, request: HttpRequest | None, **kwargs) -> None:
    # Signing out on purpose: nothing of this user's may come back to the next one.
    if request is not None:
        request.signed_out = True


def forget(response: HttpResponse) -> None:
    response.delete_cookie(SIGNED_IN_AS, samesite="Lax")
