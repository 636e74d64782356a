"""Every lifted sign-in lockout is in the audit log as a security act, "unlocked sign-in":
an administrator deleting django-axes' attempts in admin (audit/admin.py) or anyone
resetting them with axes' commands (`AuditedAxesHandler`, the AXES_HANDLER). The record
is the account, "user <id>", or the name typed when no account has it. A successful
sign-in clearing its own failures, and expired attempts cleaned up, unlock nothing."""

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from .models import AuditAction, AuditEntry
from .services import audit_record

UNLOCKED = "unlocked sign-in"


def targets(usernames) -> list[str]:
    """The audit record of each username, in their order (one query for them all)."""
    model = get_user_model()
    accounts = dict(
        model.objects.filter(**{f"{model.USERNAME_FIELD}__in": set(usernames)}).values_list(
            model.USERNAME_FIELD, "pk"
        )
    )
    target_length = AuditEntry._meta.get_field("target").max_length
    return [
        f"user {accounts[name]}" if name in accounts else (name or "")[:target_length]
        for name in usernames
    ]


def record_unlocks(request: HttpRequest | None, usernames) -> None:
    for target in targets(list(usernames)):
        audit_record(request, AuditAction.SECURITY, target, UNLOCKED)


class AuditedAxesHandler(AxesDatabaseHandler):
    """axes' database handler, with the resets of its commands (axes_reset,
    axes_reset_username, axes_reset_ip …) in the audit log, one row per attempt reset."""

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        # The attempts axes' own reset deletes, read first: once gone, whose they were is not known.
        attempts = AccessAttempt.objects.all()
        if ip_or_username:
            attempts = attempts.filter(Q(ip_address=ip_address) | Q(username=username))
        else:
            if ip_address:
                attempts = attempts.filter(ip_address=ip_address)
            if username:
                attempts = attempts.filter(username=username)
        with transaction.atomic():
            usernames = list(attempts.select_for_update().values_list("username", flat=True))
            count = super().reset_attempts(
                ip_address=ip_address, username=username, ip_or_username=ip_or_username
            )
            record_unlocks(None, usernames)
        return count
