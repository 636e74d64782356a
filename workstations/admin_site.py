"""The admin site: for district administrators only.

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
        if not roles.is_administrator(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class DistrictAdminSite(admin.AdminSite):
    login_form = AdministratorAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and roles.is_administrator(request.user)
