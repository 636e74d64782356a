from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .appendonly import AppendOnlyModel


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("Revealed personal data")
    EXPORT = "export", _("Exported a list")
    TRANSITION = "transition", _("Changed a case")
    VISIT = "visit", _("Logged a visit")
    ADMIN = "admin", _("Changed in admin")
    # A request refused: another workstation's record (a 404), a refused step, a reveal
    # not allowed. The log shows who tried, not only who succeeded.
    DENIED = "denied", _("Access refused")
    # The security administrator's acts: an unlock, sessions ended, a second factor reset.
    SECURITY = "security", _("Security administration")
    # Sign-ins worth their own line: the break-glass superuser's, a second factor's.
    SIGN_IN = "sign_in", _("Signed in")


# What the security administrator reviews: reveals of personal data, refusals,
# security acts and sign-ins. The rest of the log is the auditor's.
REVIEWED_BY_SECURITY = (
    AuditAction.REVEAL,
    AuditAction.DENIED,
    AuditAction.SECURITY,
    AuditAction.SIGN_IN,
)


class AuditEntry(AppendOnlyModel):
    """Who did what to which record, when, from which address. Never edited."""

    Action = AuditAction

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=12, choices=AuditAction)
    target = models.CharField(
        _("record"), max_length=60, blank=True, help_text=_("e.g. a tracking number")
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        # The auditor's: without it, the security administrator's view of the log holds
        # the security lines only (REVIEWED_BY_SECURITY, audit/admin.py).
        permissions = [("read_whole_log", _("Can read the whole audit log"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"
            )
        ]
        indexes = [models.Index(fields=["target", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.target}"
