from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "points"
    verbose_name = _("Points and report cards")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the ledger to the facts it scores)
