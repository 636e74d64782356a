"""Whole-page caching of the public pages for visitors who are not signed in.

The first visitor's page is kept in the shared cache for a short while; later visitors
get the stored bytes without a view, a query or a template. A signed-in user is never
served from or stored into this cache, and a page that carries a CSRF token (a form)
is never stored: its token belongs to one visitor.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from .preferences import care_mode

PAGE_SECONDS = 60


def page_key(request: HttpRequest) -> str:
    variant = f"{translation.get_language()}|{int(care_mode(request))}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(variant.encode()).hexdigest()


def cached_for_visitors(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = page_key(request)
        stored = cache.get(key)
        if stored is not None:
            content, content_type = stored
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
        else:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            if response.status_code == 200 and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                cache.set(key, (response.content, response["Content-Type"]), PAGE_SECONDS)
            response["X-Page-Cache"] = "miss"
        # Browsers and proxies may keep it briefly too, apart per language and care mode.
        patch_vary_headers(response, ["Cookie"])
        patch_cache_control(response, public=True, max_age=PAGE_SECONDS)
        return response

    return wrapper
