"""Whole-page caching of the public pages for visitors who are not signed in.

The first visitor's page is kept in the shared cache; later visitors get the stored
bytes without a view or a template. A signed-in user is never served from or stored
into this cache, and a page that carries a CSRF token (a form) is never stored: its
token belongs to one visitor.

A page is fresh for PAGE_SECONDS. After that, the first request to notice renders it
again while everyone else is still served the stale copy, so a busy page is never
rendered by every worker at once (its figures take a second over a large database).
"""

import hashlib
from datetime import datetime, timedelta
from functools import wraps
from time import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from .preferences import care_mode

PAGE_SECONDS = 60
# How long a stale page may still be served while one request renders the new one.
STALE_SECONDS = 10 * 60
RENDER_LOCK_SECONDS = 30


def page_key(request: HttpRequest, params: tuple[str, ...] = ()) -> str:
    """Today's date, language, care mode, path and only the query parameters the view
    reads: any other query string is the same page, so it cannot be used to render the
    page afresh. The pages say who is on duty today: at midnight every page is new, never
    yesterday's copy served fresh or stale."""
    query = urlencode(sorted((name, request.GET.get(name, "")) for name in params))
    day = timezone.localdate().isoformat()
    variant = f"{day}|{translation.get_language()}|{int(care_mode(request))}|{request.path}?{query}"
    return "page:" + hashlib.sha256(variant.encode()).hexdigest()


def page_address(request: HttpRequest) -> str:
    """The page's path with only the query parameters its view reads: what a page may
    echo (the language and care-mode links return to it). The full address would put
    whatever the first visitor appended into the page stored for everyone."""
    params = getattr(request, "page_params", ())
    query = urlencode([(name, request.GET[name]) for name in params if name in request.GET])
    return f"{request.path}?{query}" if query else request.path


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return max(1, int((midnight - now).total_seconds()))


def cached_for_visitors(view=None, *, params: tuple[str, ...] = ()):
    """`@cached_for_visitors`, or `@cached_for_visitors(params=("year",))` for a view that
    reads query parameters."""
    if view is None:
        return lambda view: cached_for_visitors(view, params=params)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.page_params = params
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = page_key(request, params)
        stored = cache.get(key)
        lock = f"{key}:render"
        # Stale: whoever takes the lock renders; the others keep serving the stale copy.
        renders = stored is None or (
            time() >= stored[2] and cache.add(lock, 1, RENDER_LOCK_SECONDS)
        )
        if not renders:
            content, content_type, _fresh_until = stored
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code == 200 and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                page = (response.content, response["Content-Type"], time() + PAGE_SECONDS)
                cache.set(key, page, PAGE_SECONDS + STALE_SECONDS)
            if stored is not None:
                cache.delete(lock)
            response["X-Page-Cache"] = "miss"
        # Browsers and proxies may keep it briefly too, apart per language and care mode;
        # but not a shared proxy when the visitor has a session (/track/, /submit/): the
        # response then carries their session cookie.
        patch_vary_headers(response, ["Cookie"])
        # Not past midnight either: tomorrow's page has another day's duty.
        max_age = min(PAGE_SECONDS, _seconds_to_midnight())
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            patch_cache_control(response, private=True, max_age=max_age)
        else:
            patch_cache_control(response, public=True, max_age=max_age)
        return response

    return wrapper
