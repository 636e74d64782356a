from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import signals

        signals.connect()  # the timeline's steps are heard here, and nothing else
