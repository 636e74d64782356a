from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points and report cards")

    def ready(self) -> None:
        from . import signals

        signals.connect()  # the ledger hears its sources' changes, and nothing else
