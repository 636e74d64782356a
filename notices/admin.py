from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from audit.admin import AuditedAdminMixin, ReadOnlyAdminMixin

from .models import MessageTemplate, Notification, WechatFollower

# The task queue's own rows are the worker's business: the office reads what became of
# each message in its record (Notification), not the tasks that carried it.
admin.site.unregister(DBTaskResult)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The office's texts per event and channel; a parameter the event does not have is
    refused when saved (MessageTemplate.clean). The preview shows it with sample values."""

    list_display = ["event", "channel", "subject", "version", "changed_at"]
    list_filter = ["event", "channel"]
    fields = ["event", "channel", "subject", "body", "provider_template_code", "preview"]
    readonly_fields = ["preview"]

    @admin.display(description=_("preview"))
    def preview(self, template: MessageTemplate) -> str:
        if not template.pk:
            return "—"
        sample = {name: f"〈{name}〉" for name in template.parameters}
        subject, body = template.render(sample)
        return f"{subject}\n{body}" if subject else body


@admin.register(Notification)
class NotificationAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every message's record, for the office to see what was sent and what failed; the
    recipient masked, the text not shown (it may name the citizen's case)."""

    list_display = [
        "event",
        "channel",
        "recipient",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "delivered_at",
    ]
    list_filter = ["status", "channel", "event"]
    list_select_related = ["user"]
    fields = [
        *list_display[:-3],
        "provider_message_id",
        "template_version",
        "created_at",
        "send_after",
        "sent_at",
        "delivered_at",
        "read_at",
    ]

    @admin.display(description=_("recipient"))
    def recipient(self, notification: Notification) -> str:
        return notification.recipient_masked


@admin.register(WechatFollower)
class WechatFollowerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The users who follow the office's official account, with their openid there: their
    messages go out on WeChat too."""

    list_display = ["user", "openid", "bound_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "openid"]
    autocomplete_fields = ["user"]
