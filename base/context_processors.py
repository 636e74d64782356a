from django.conf import settings
from django.http import HttpRequest

from . import kept_input


def session_keeping(request: HttpRequest) -> dict:
    """For the staff pages' session keeper (static/js/staff.js): how long an idle session
    lasts, and the input kept through a sign-in to fill in on this page."""
    # No user when a middleware before AuthenticationMiddleware refused the request (a
    # 400 for a host not ours): its error page is rendered all the same.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "kept_input": kept_input.offered(request),
    }
