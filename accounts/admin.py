from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import audit_record
from base import sessions
from workstations import roles
from workstations.admin import UserAdmin

from . import second_factor

# django-otp's own admin pages show each device's secret key and QR code. Nobody but the
# device's owner sees those: a lost phone is answered by resetting the user's factor.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class SecondFactorUserAdmin(UserAdmin):
    """The users' admin, with whether each has a second factor and its reset."""

    actions = [*UserAdmin.actions, "reset_second_factor"]
    list_display = [*UserAdmin.list_display, "has_second_factor"]

    def get_queryset(self, request):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(second_factor=Exists(confirmed))

    @admin.display(description=_("Second factor"), boolean=True, ordering="second_factor")
    def has_second_factor(self, user: User) -> bool:
        return user.second_factor

    def has_reset_second_factor_permission(self, request: HttpRequest) -> bool:
        return roles.may_reset_second_factors(request.user)

    @admin.action(description=_("Reset second factor"), permissions=["reset_second_factor"])
    def reset_second_factor(self, request: HttpRequest, queryset) -> None:
        """A lost phone: the app and the recovery codes go, and so do the user's sessions
        (one may be the finder's); an administrator sets up a new app at the next sign-in."""
        users = [user for user in queryset if user.second_factor]
        for user in users:
            second_factor.remove(user)
            sessions.end_sessions([user.pk], keep=request.session.session_key)
            audit_record(request, AuditAction.SECURITY, f"user {user.pk}", "second factor reset")
        self.message_user(
            request,
            ngettext(
                "The second factor of %(count)d user was reset.",
                "The second factors of %(count)d users were reset.",
                len(users),
            )
            % {"count": len(users)},
        )


admin.site.unregister(User)
admin.site.register(User, SecondFactorUserAdmin)
