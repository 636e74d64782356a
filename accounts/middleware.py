from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import second_factor

# What a session that has given its password but not yet its second factor may reach.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "accounts:second_factor",
        "accounts:set_up",
        "accounts:recovery_codes",
        "logout",
        "admin:logout",
        "set_language",
        "session_keep_alive",
    }
)


class SecondFactorMiddleware:
    """After AuthenticationMiddleware: a session with its second factor still due is
    sent to give it, from every page and admin alike, and comes back where it was going."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not second_factor.is_due(request):
            return None
        if request.resolver_match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return redirect(reverse("accounts:second_factor") + (f"?{query}" if query else ""))
