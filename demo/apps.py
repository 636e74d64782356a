from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo network, cases, activities and rosters (`manage.py seed_demo`)."""

    name = "demo"
    verbose_name = _("Demo data")
