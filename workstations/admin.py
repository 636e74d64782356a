from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from audit.admin import AuditedAdminMixin
from audit.models import AuditAction
from audit.services import audit_record
from base import sessions

from . import roles
from .models import Department, Workstation


@admin.register(Workstation)
class WorkstationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "street",
        "venue",
        "phone",
        "has_reading_corner",
        "is_active",
        "ordering",
    ]
    list_editable = ["ordering"]
    list_filter = ["is_active", "venue", "has_reading_corner"]
    search_fields = ["name", "street", "address"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["staff"]
    fieldsets = [
        (None, {"fields": ["street", "name", "slug", "venue", "is_active", "ordering"]}),
        (_("Contact"), {"fields": ["address", "opening_hours", "phone"]}),
        (_("About"), {"fields": ["description", "has_reading_corner", "opened_on"]}),
        (_("Staff"), {"fields": ["staff"]}),
    ]


@admin.register(Department)
class DepartmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "contact_name", "contact_phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact_name"]
    filter_horizontal = ["liaisons"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "liaisons":
            # Only users in the liaisons' group: the group is what lets them sign in here.
            kwargs["queryset"] = User.objects.filter(groups__name=roles.DEPARTMENT_LIAISONS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class StaffedWorkstationInline(admin.TabularInline):
    """On a user's page: the workstations whose staff the user belongs to."""

    model = Workstation.staff.through
    extra = 0
    autocomplete_fields = ["workstation"]
    verbose_name = _("staffed workstation")
    verbose_name_plural = _("staffed workstations")


class SeparatedDutiesUserForm(UserChangeForm):
    def clean_groups(self):
        groups = self.cleaned_data["groups"]
        if combined := roles.combined_duties(group.name for group in groups):
            raise ValidationError(
                _("One account holds one duty of administration only, not: %(duties)s."),
                code="combined_duties",
                params={"duties": "、".join(combined)},
            )
        return groups


# Permissions come with the roles. Only the break-glass superuser makes someone a
# superuser or grants a permission to one account; nobody changes their own roles.
_GRANTS = ["is_superuser", "user_permissions"]


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    form = SeparatedDutiesUserForm
    inlines = [*DjangoUserAdmin.inlines, StaffedWorkstationInline]
    list_filter = [*DjangoUserAdmin.list_filter, "staffed_workstations"]
    actions = ["end_sessions"]

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Its password page asks this too: the office sets no watcher's password.
        if obj is not None and not request.user.is_superuser and roles.oversees_the_office(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and not request.user.is_superuser and roles.oversees_the_office(obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        if not all(self.has_delete_permission(request, user) for user in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # The security administrator and the auditor are appointed by the superuser.
            kwargs["queryset"] = Group.objects.exclude(
                name__in=[roles.SECURITY_ADMINISTRATORS, roles.AUDITORS]
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if not request.user.is_superuser:
            readonly += _GRANTS
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["groups", *_GRANTS]
        return list(dict.fromkeys(readonly))

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.end_sessions_view))
        name = "auth_user_end_sessions"
        return [path("<path:object_id>/end-sessions/", view, name=name), *super().get_urls()]

    def has_end_sessions_permission(self, request: HttpRequest) -> bool:
        return roles.may_end_sessions(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"can_end_sessions": self.has_end_sessions_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Disabled: their sessions go now, not come back if the account is enabled again.
            sessions.end_sessions([obj.pk])

    @admin.action(description=_("End sessions"), permissions=["end_sessions"])
    def end_sessions(self, request: HttpRequest, queryset) -> None:
        ended = sum(self._end_sessions_of(request, user) for user in queryset)
        self.message_user(
            request,
            ngettext("%(count)d session was ended.", "%(count)d sessions were ended.", ended)
            % {"count": ended},
        )

    def end_sessions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The change page's "End sessions" button."""
        if not self.has_end_sessions_permission(request):
            raise PermissionDenied
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        self.end_sessions(request, User.objects.filter(pk=user.pk))
        return redirect(reverse("admin:auth_user_change", args=[user.pk]))

    def _end_sessions_of(self, request: HttpRequest, user: User) -> int:
        # The acting administrator's own session stays, even among their own.
        ended = sessions.end_sessions([user.pk], keep=request.session.session_key)
        detail = f"ended {ended} session{'' if ended == 1 else 's'}"
        audit_record(request, AuditAction.SECURITY, f"user {user.pk}", detail)
        return ended


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    """Groups beside the roles may carry the district office's own permissions only: a
    group cannot hand the security administrator's or the auditor's to anyone. The role
    groups' permissions are the code's (`roles.ensure_groups`, run at each migrate)."""

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if obj is not None and obj.name in roles.ROLE_GROUPS:
            readonly += ["name", "permissions"]
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and obj.name in roles.ROLE_GROUPS:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        if queryset.filter(name__in=roles.ROLE_GROUPS).exists():
            raise PermissionDenied
        super().delete_queryset(request, queryset)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "permissions" and not request.user.is_superuser:
            kwargs["queryset"] = Permission.objects.filter(group__name=roles.ADMINISTRATORS)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


admin.site.site_header = _("Xincheng District CPPCC · Member workstations")
admin.site.site_title = _("Member workstations administration")
admin.site.index_title = _("Administration")
