from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin

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


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    inlines = [*DjangoUserAdmin.inlines, StaffedWorkstationInline]
    list_filter = [*DjangoUserAdmin.list_filter, "staffed_workstations"]


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    pass


admin.site.site_header = _("Xincheng District CPPCC · Member workstations")
admin.site.site_title = _("Member workstations administration")
admin.site.index_title = _("Administration")
