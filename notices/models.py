"""Every message the loop sends is a record: to whom, about what, on which channel, from
which template version, and what became of it. A message goes out at most once per
event, recipient and channel (`key`, unique); its delivery runs in the background
(`notices.tasks.deliver`), retried with backoff and given up after a few attempts."""

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from visits.masking import mask_phone


class Channel(models.TextChoices):
    INBOX = "inbox", _("In-app inbox")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat template message")


class NoticeEvent(models.TextChoices):
    """What a message is about. Each names the parameters its templates may use."""

    CASE_REGISTERED = "case_registered", _("A citizen's case is registered")
    CASE_ACCEPTED = "case_accepted", _("A citizen's online opinion is taken up")
    CASE_REJECTED = "case_rejected", _("A citizen's online opinion is not taken up")
    CASE_REFERRED = "case_referred", _("A citizen's case is referred to a department")
    CASE_REPLIED = "case_replied", _("The department replied to a citizen's case")
    CASE_RESOLVED = "case_resolved", _("A citizen's case is resolved")
    REFERRAL_SENT = "referral_sent", _("A referral is sent to a department")
    SUPERVISION_OPENED = "supervision_opened", _("The office opens a supervision")
    EXTENSION_DECIDED = "extension_decided", _("The office decides a request for more time")
    DUTY_TOMORROW = "duty_tomorrow", _("A member's duty tomorrow")
    REFERRAL_DUE_SOON = "referral_due_soon", _("A referral is due the next working day")
    REFERRAL_OVERDUE = "referral_overdue", _("A referral is overdue")
    STAFF_DIGEST = "staff_digest", _("The desk's morning digest")
    CASE_ASSIGNED = "case_assigned", _("A member is given a case to handle")
    DUTY_CHANGED = "duty_changed", _("A member takes a duty over (leave or swap)")
    OFFICE_WEEKLY = "office_weekly", _("The office's weekly summary")
    QUERY_ANSWERED = "query_answered", _("The office answers a member's report-card query")


# The parameters each event's templates may use ({number}, {workstation}, …).
PARAMETERS: dict[str, frozenset[str]] = {
    # The lookup code only here, in the citizen's first message (forgotten once sent).
    NoticeEvent.CASE_REGISTERED: frozenset({"number", "workstation", "lookup_code", "track_url"}),
    NoticeEvent.CASE_ACCEPTED: frozenset({"number", "workstation", "track_url"}),
    NoticeEvent.CASE_REJECTED: frozenset({"number", "workstation", "reason"}),
    NoticeEvent.CASE_REFERRED: frozenset({"number", "workstation", "department", "track_url"}),
    NoticeEvent.CASE_REPLIED: frozenset({"number", "workstation", "track_url"}),
    NoticeEvent.CASE_RESOLVED: frozenset({"number", "workstation", "track_url"}),
    NoticeEvent.REFERRAL_SENT: frozenset({"number", "title", "workstation", "department", "due"}),
    NoticeEvent.SUPERVISION_OPENED: frozenset({"number", "title", "level", "due", "supervised"}),
    NoticeEvent.EXTENSION_DECIDED: frozenset({"number", "title", "decision", "due"}),
    NoticeEvent.DUTY_TOMORROW: frozenset(
        {"member", "workstation", "address", "date", "time", "group"}
    ),
    NoticeEvent.REFERRAL_DUE_SOON: frozenset({"number", "title", "owed", "due"}),
    NoticeEvent.REFERRAL_OVERDUE: frozenset({"number", "title", "owed", "due"}),
    NoticeEvent.STAFF_DIGEST: frozenset({"date", "overdue", "supervised"}),
    NoticeEvent.CASE_ASSIGNED: frozenset({"member", "number", "title", "workstation"}),
    NoticeEvent.DUTY_CHANGED: frozenset(
        {"member", "instead_of", "workstation", "address", "date", "time"}
    ),
    NoticeEvent.OFFICE_WEEKLY: frozenset(
        {"week", "overdue_cases", "overdue_referrals", "supervisions", "supervisions_late"}
    ),
    NoticeEvent.QUERY_ANSWERED: frozenset({"member", "year", "category", "asked"}),
}


def placeholders(text: str) -> set[str]:
    """The {names} a template's text uses."""
    return {name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name}


class MessageTemplate(models.Model):
    """The text of one event on one channel, editable by the office. SMS providers send
    only templates they approved: an SMS template carries the provider's code, and the
    parameters are sent with it."""

    event = models.CharField(_("event"), max_length=30, choices=NoticeEvent)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    body = models.TextField(
        _("text"),
        max_length=1000,
        help_text=_("Parameters in braces, e.g. {number}; only the event's own may be used."),
    )
    provider_template_code = models.CharField(
        _("provider's template code"), max_length=50, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["event", "channel"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"],
                name="message_template_once",
                violation_error_message=_("This event already has a template on this channel."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} · {self.get_channel_display()}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            before = MessageTemplate.objects.filter(pk=self.pk).values("subject", "body").first()
            if before and (before["subject"], before["body"]) != (self.subject, self.body):
                self.version += 1
                self.changed_at = timezone.now()
        super().save(*args, **kwargs)

    @property
    def parameters(self) -> frozenset[str]:
        return PARAMETERS.get(self.event, frozenset())

    def clean(self) -> None:
        """A template naming a parameter its event does not have is refused when saved,
        not when a message is sent."""
        allowed = self.parameters
        try:
            used = placeholders(self.subject) | placeholders(self.body)
        except ValueError:
            raise ValidationError(
                {"body": _("A brace is not closed: write parameters as {name}.")}
            ) from None
        unknown = sorted(used - allowed)
        if unknown:
            raise ValidationError(
                {
                    "body": _("Unknown parameters: %(unknown)s. This event has: %(allowed)s.")
                    % {"unknown": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
                }
            )

    def render(self, params: dict) -> tuple[str, str]:
        return self.subject.format(**params), self.body.format(**params)


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    # The provider's delivery report: the phone received it, or the carrier could not
    # deliver it (the error code in last_error; not retried: the provider tried).
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered (the provider reports)")
    FAILED = "failed", _("Failed, to be retried")
    GIVEN_UP = "given_up", _("Given up")
    REFUSED = "refused", _("Not sent")  # no valid address, or the recipient opted out


class Notification(models.Model):
    """One message to one recipient on one channel. The task carries only its id: the
    recipient's address and the text are read here, never passed around or logged."""

    Status = NoticeStatus

    key = models.CharField(max_length=200, unique=True, editable=False)
    event = models.CharField(_("event"), max_length=30, choices=NoticeEvent)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # A phone or e-mail address, for a recipient without a login (a citizen).
    address = models.CharField(_("address"), max_length=254, blank=True)
    case = models.ForeignKey(
        "visits.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    params = models.JSONField(_("parameters"), default=dict, editable=False)
    link = models.CharField(_("link"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    template_version = models.PositiveIntegerField(_("template version"), null=True)
    status = models.CharField(
        _("status"), max_length=12, choices=NoticeStatus, default=NoticeStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Not before: a retry's backoff, or 08:00 for an SMS to a citizen at night.
    send_after = models.DateTimeField(_("not before"), default=timezone.now)
    enqueued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NoticeStatus.values), name="notification_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="notification_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(address=""), name="notification_has_recipient"
            ),
        ]
        indexes = [
            # A user's inbox, newest first, and its unread count.
            models.Index(fields=["user", "channel", "-created_at"], name="notification_inbox"),
            models.Index(
                fields=["user"],
                condition=Q(channel="inbox", read_at__isnull=True),
                name="notification_unread",
            ),
            # What the sweeper re-queues.
            models.Index(fields=["status", "send_after"], name="notification_due"),
            # A provider's delivery report names the message by the provider's id.
            models.Index(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="notification_provider_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.recipient_masked}"

    @property
    def recipient_masked(self) -> str:
        if self.user_id:
            return str(self.user)
        if "@" in self.address:
            name, _at, domain = self.address.partition("@")
            return f"{name[:1]}***@{domain}"
        return mask_phone(self.address)


class WechatFollower(models.Model):
    """A signed-in user who follows the office's WeChat official account: their openid
    there (which WeChat gives per account), for template messages. Entered by the office
    in admin; with it, the user's messages also go out on WeChat."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="wechat_follower",
    )
    openid = models.CharField(
        _("WeChat openid"),
        max_length=64,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{16,64}$", _("Not a WeChat openid."))],
        help_text=_("The user's openid for the office's official account."),
    )
    bound_at = models.DateTimeField(_("bound"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("WeChat follower")
        verbose_name_plural = _("WeChat followers")

    def __str__(self) -> str:
        return str(self.user)


class ConsoleMessage(models.Model):
    """What the console backends "sent", in the same transaction that marks the message
    sent: the demo's and the tests' outbox, one row per message at most."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="console_message"
    )
    channel = models.CharField(max_length=10, choices=Channel)
    text = models.TextField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("console message")
        verbose_name_plural = _("console messages")

    def __str__(self) -> str:
        return f"{self.notification_id} {self.channel}"
