from django.utils.cache import add_never_cache_headers, patch_cache_control

from . import kept_input


class NoStoreForSignedInMiddleware:
    """Nothing a signed-in user sees may be kept by a browser or a proxy cache:
    staff pages carry citizens' personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response


class ChineseByDefaultMiddleware:
    """The pages speak Simplified Chinese unless the visitor chose English with the
    language switch (a cookie): a browser's language preference is not a choice.
    Must come before LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class KeptInputMiddleware:
    """A staff form posted after the session ended is kept and offered back once its
    user has signed in again (`base.kept_input`). After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "signed_out", False):
            kept_input.forget(response)
        elif request.user.is_authenticated:
            kept_input.settle(request, response)
        elif request.method == "POST" and kept_input.is_sign_in_redirect(response):
            response = kept_input.keep(request)
        return response
