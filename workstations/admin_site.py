"""The admin site: for the three administrators only (the district office, the
security administrator and the auditor, `roles.administers`), each seeing what their
role's permissions open.

Liaisons and members work on the staff pages, which scope every row to their
workstations and cases; admin scopes nothing. So "staff status" alone opens nothing
here: a liaison or member given it by mistake is sent to the admin's sign-in page,
which does not sign them in either.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from base.signin import SlowedSignInMixin

from . import roles


class AdministratorAuthenticationForm(SlowedSignInMixin, AdminAuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if not roles.administers(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


# The index by the office's tasks, not the alphabet: the daily work first, then the
# people and rosters, the year's points, the set-up, and the security records last.
APP_ORDER = (
    "visits", "activities", "rosters", "members", "points", "notices", "privacy", "workstations",
    "workdays", "audit", "axes", "auth",
)  # fmt: skip


class DistrictAdminSite(admin.AdminSite):
    login_form = AdministratorAuthenticationForm

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        """Apps in the order of APP_ORDER; models in the order their admin.py registers
        them (also by task: a case before its sequence of numbers)."""
        app_dict = self._build_app_dict(request, app_label)
        rank = {label: i for i, label in enumerate(APP_ORDER)}
        apps = sorted(app_dict.values(), key=lambda app: rank.get(app["app_label"], len(rank)))
        registered = [model._meta.object_name for model in self._registry]
        for app in apps:
            app["models"].sort(key=lambda entry: registered.index(entry["object_name"]))
        return apps

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and roles.administers(request.user)
