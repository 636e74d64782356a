from django.contrib import admin

from audit.admin import AuditedAdminMixin

from .models import CalendarYear, SpecialDay


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["year", "is_complete", "source", "updated_at"]
    list_filter = ["is_complete"]


@admin.register(SpecialDay)
class SpecialDayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
