"""The site's URLs plus pages that fail on purpose, for the error page tests
(ROOT_URLCONF = "tests.error_urls"). Django takes the error handlers from the root URL
configuration, so the site's own are carried over."""

from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.urls import path

from config import urls as site


def forbidden(request):
    raise PermissionDenied


def broken(request):
    raise RuntimeError("a defect in a view")


def database_gone(request):
    raise OperationalError("server closed the connection unexpectedly")


def failing_context_processor(request):
    raise RuntimeError("a defect in a context processor")


urlpatterns = [
    path("__test__/forbidden/", forbidden),
    path("__test__/broken/", broken),
    path("__test__/database-gone/", database_gone),
    *site.urlpatterns,
]

handler400 = site.handler400
handler500 = site.handler500
