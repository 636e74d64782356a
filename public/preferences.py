"""A visitor's display preferences, kept in cookies: language and the elderly-friendly
care mode (适老化: large type, simple layout, high contrast)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

CARE_COOKIE = "care_mode"
ONE_YEAR = 365 * 24 * 3600


def care_mode(request: HttpRequest) -> bool:
    return request.COOKIES.get(CARE_COOKIE) == "1"


@require_safe
def preferences(request: HttpRequest) -> HttpResponse:
    """Links, not forms: the public pages are cached, and a cached page cannot carry a
    visitor's CSRF token. A preference cookie is no data to protect."""
    target = request.GET.get("next", "/")
    # A path on this site only: redirect() would take a bare word for a view's name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = redirect(target)
    language = request.GET.get("language")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    care = request.GET.get("care")
    if care == "on":
        response.set_cookie(
            CARE_COOKIE,
            "1",
            max_age=ONE_YEAR,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    elif care == "off":
        response.delete_cookie(CARE_COOKIE, samesite="Lax")
    return response
