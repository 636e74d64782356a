from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import m2m_changed, post_migrate
from django.utils.translation import gettext_lazy as _


def _create_role_groups(sender, **kwargs) -> None:
    from .roles import ensure_groups

    ensure_groups()


class WorkstationsConfig(AppConfig):
    name = "workstations"
    verbose_name = _("Workstations")

    def ready(self) -> None:
        # Permissions are created app by app on post_migrate; answering every app's
        # signal means the last one sees them all. It is idempotent and cheap.
        post_migrate.connect(_create_role_groups, dispatch_uid="workstations_role_groups")
        from django.contrib.auth.models import User

        from .roles import refuse_combined_duties

        m2m_changed.connect(
            refuse_combined_duties, sender=User.groups.through, dispatch_uid="separated_duties"
        )


class DistrictAdminConfig(admin_apps.AdminConfig):
    """Django admin with the district's site: administrators only (`admin_site.py`)."""

    # Not this app's own config: "workstations" in INSTALLED_APPS stays WorkstationsConfig.
    default = False
    default_site = "workstations.admin_site.DistrictAdminSite"
