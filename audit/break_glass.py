"""The superuser is a break-glass account, for when no administrator can act: every
sign-in by a superuser is in the audit log ("sign_in"), and the admin index lists the
latest ones (templatetags/break_glass.py), so that each use is seen by the office."""

from .models import AuditAction, AuditEntry
from .services import audit_record

SHOWN = 10


def on_logged_in(sender, request, user, **kwargs) -> None:
    """user_logged_in, from either sign-in page."""
    if user.is_superuser:
        # The user named: a sign-in's request may not carry them yet.
        target = f"user {user.pk}"
        audit_record(request, AuditAction.SIGN_IN, target, "superuser signed in", user=user)


def latest_sign_ins():
    """The latest superuser sign-ins with their accounts, in one query."""
    return AuditEntry.objects.filter(action=AuditAction.SIGN_IN).select_related("user")[:SHOWN]
