"""Requests refused, in the audit log as well (AuditAction.DENIED): a record that exists
but is not the user's to see (answered with the same 404 as one that does not exist), a
step the lifecycle refused, a reveal of personal data not allowed. Who tried, which
record, what kind of attempt: never what the record holds.

The row is written outside the transaction the refusal happened in: a refused step's
after the lifecycle rolled back, a 404's by DeniedAccessMiddleware once the view (and
any transaction it ran) is over."""

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from .models import AuditAction
from .services import audit_record


class Refused(Http404):
    """A 404 that the audit log records (DeniedAccessMiddleware); the page is any 404's."""

    def __init__(self, target: str, detail: str):
        super().__init__()
        self.target = target
        self.detail = detail


def not_found(existing: QuerySet, target: str) -> Http404:
    """The 404 of a lookup outside the user's scope, given the same lookup unscoped:
    Refused if that finds the record, a plain Http404 (not logged) if it does not exist."""
    if existing.exists():
        return Refused(target, f"{existing.model._meta.model_name}: out of scope")
    return Http404()


def audit_denied(request: HttpRequest, target: str, detail: str) -> None:
    """Log a refusal of a signed-in user's request (an anonymous one is sent to sign in,
    or is a citizen's, whom the log does not follow)."""
    if request.user.is_authenticated:
        audit_record(request, AuditAction.DENIED, target, detail)


class DeniedAccessMiddleware:
    """Logs the Refused 404s; Django answers them as any other."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Refused):
            audit_denied(request, exception.target, exception.detail)
