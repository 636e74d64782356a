import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import idle_sessions

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not; for load balancers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_POST
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """Pinged by static/js/staff.js while a staff form is being filled in: pushes the end
    of the session back at once. A script cannot follow a sign-in redirect, so a visitor
    without a session gets 401."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    idle_sessions.keep_alive(request.session)
    return JsonResponse({"signed_in": True, "idle_seconds": request.session.get_expiry_age()})
