"""The site's own answer to the server's errors (500) and to the database out of reach
(503, with Retry-After).

403, 404 and the refused form need no view of ours: Django's handlers render
templates/403.html, 404.html and 403_csrf.html (its CSRF failure view's template) with
the request, so they carry the staff or the public header. A 400 is Django's too, but for
a body over the limit (DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields), which is told as
such (413) by `bad_request`.

An uncaught exception never leaves the middleware it happened in: Django converts it
into a response right there (`convert_exception_to_response` wraps every middleware and
the view) by calling `handler500`, while the exception is being handled. That is why the
database's outage is recognised here, in `handler500`, and not by a middleware: a
middleware's `try` around `get_response` would only ever see the 500 response, and a
`process_exception` would miss what the session and authentication machinery raise
outside the view (the error page of a 404, the staff menu's user). Django then logs the
response once, as an error with the exception's traceback (`django.request`; the path
only, no query string, no user).

With DEBUG on, Django shows its technical page instead and none of this runs.
"""

import logging
import sys

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from django.views import defaults

# What a browser, a proxy or a monitoring script is told to wait before trying again.
RETRY_AFTER_SECONDS = 30

DATABASE_DOWN = (OperationalError, InterfaceError)

logger = logging.getLogger(__name__)


TOO_LARGE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a form over the size limit is answered 413 with what to do; anything
    else is Django's 400 page."""
    if isinstance(exception, TOO_LARGE):
        return render(
            request, "413.html", {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}, status=413
        )
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: the 503 page when the database cannot be reached, else the 500 page.

    Both pages render without the request (no context processors, no user, no query),
    in the language the visitor chose, so they show whatever else is broken."""
    database_down = isinstance(sys.exc_info()[1], DATABASE_DOWN)
    if database_down:
        _forget_the_session(request)
    # The language switch comes back to this page; a form's address (a POST) would not
    # take the GET that follows.
    context = {"here": request.path if request.method in ("GET", "HEAD") else "/"}
    with translation.override(chosen_language(request)):
        if database_down:
            response = HttpResponse(_page("503.html", context), status=503)
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        else:
            response = HttpResponse(_page("500.html", context), status=500)
    # An error page is for this moment only: no browser or proxy may keep it.
    add_never_cache_headers(response)
    return response


def _forget_the_session(request: HttpRequest) -> None:
    """Neither the session nor the signed-in user can be read now: the middleware that
    reads them on the way out would raise the same error again, and log it again. Without
    `request.session`, SessionMiddleware leaves the response alone, cookie included, so
    whoever was signed in still is once the database is back."""
    request.user = AnonymousUser()
    if hasattr(request, "session"):
        del request.session


def chosen_language(request: HttpRequest) -> str:
    """The language the visitor chose with the switch, else Chinese: what LocaleMiddleware
    picks on this site (base.middleware.ChineseByDefaultMiddleware), read again because
    the error may have happened before or after it ran."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _page(template_name: str, context: dict) -> str:
    try:
        return render_to_string(template_name, context)
    except Exception:
        logger.exception("the error page %s could not be rendered", template_name)
        # Even the template could not be rendered (the URL configuration itself may be
        # what is broken): plain words, still in the visitor's language.
        if template_name == "503.html":
            text = gettext("The service is temporarily unavailable. Please try again shortly.")
        else:
            text = gettext("Something went wrong on our side. Please try again later.")
        return f'<!doctype html><meta charset="utf-8"><title>{text}</title><p>{text}</p>'
