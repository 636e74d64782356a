from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Personal information")

    def ready(self) -> None:
        from . import retention

        checks.register(retention.retention_floor, checks.Tags.security)
