from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.core import checks
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        from . import break_glass, retention

        user_logged_in.connect(break_glass.on_logged_in, dispatch_uid="break_glass_sign_in")
        checks.register(retention.retention_floor, checks.Tags.security)
