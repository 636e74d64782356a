from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from visits.masking import mask_phone
from workstations.validators import phone_validator


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: a copy of everything held")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REFUSED = "refused", pgettext_lazy("data request status", "Refused")


CLOSED_STATUSES = (RequestStatus.DONE, RequestStatus.REFUSED)


def _today():
    return timezone.localdate()


class DataRequest(models.Model):
    """A citizen's request about their personal information (PIPL art. 45-47): a copy of
    what is held about their phone number, a correction, or a deletion; recorded by the
    district office and followed to its close. Its status is written only by
    `privacy.lifecycle`."""

    Kind = RequestKind

    Status = RequestStatus

    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind)
    phone = models.CharField(
        _("phone number"),
        max_length=20,
        validators=[phone_validator],
        help_text=_("The number the request concerns, as the visits record it."),
    )
    asked = models.TextField(_("what the citizen asks"), max_length=2000)
    received_on = models.DateField(_("received on"), default=_today)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RequestStatus,
        default=RequestStatus.RECEIVED,
        editable=False,
    )
    # What was done (a correction: what was corrected), or why it was refused.
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("personal information request")
        verbose_name_plural = _("personal information requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RequestKind.values), name="data_request_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values), name="data_request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CLOSED_STATUSES, closed_on__isnull=False)
                | (~Q(status__in=CLOSED_STATUSES) & Q(closed_on__isnull=True)),
                name="data_request_closed_iff_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=RequestStatus.REFUSED) | ~Q(outcome=""),
                name="data_request_refused_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "-received_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {mask_phone(self.phone)}"

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES
