from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin, ReadOnlyAdminMixin

from . import ledger
from .models import GradeBand, PointEntry, PointQuery, PointRule, ScoringYear


class OnePerYearFormSet(BaseInlineFormSet):
    """Refuses two rows of a year with the same `field`, with the message of the model's
    unique constraint next to the field (instead of Django's generic "duplicate data")."""

    field: str
    constraint: str

    def clean(self) -> None:
        message = next(
            c.violation_error_message
            for c in self.model._meta.constraints
            if c.name == self.constraint
        )
        seen, duplicated = set(), False
        for form in self.forms:
            if self._should_delete_form(form) or not hasattr(form, "cleaned_data"):
                continue
            value = form.cleaned_data.get(self.field)
            if value in seen:
                form.add_error(self.field, message)
                duplicated = True
            elif value:
                seen.add(value)
        if not duplicated:
            super().clean()


class PointRuleFormSet(OnePerYearFormSet):
    field, constraint = "category", "point_rule_one_per_category"


class GradeBandFormSet(OnePerYearFormSet):
    field, constraint = "grade", "grade_band_one_per_grade"


class ScoringYearForm(forms.ModelForm):
    # The database's own range, checked first, so that -5 reads as "not a year" rather
    # than "not a positive number".
    year = forms.IntegerField(
        label=_("year"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "min_value": _("Enter a year between 2000 and 2100."),
            "max_value": _("Enter a year between 2000 and 2100."),
        },
    )

    class Meta:
        model = ScoringYear
        fields = ["year", "cards_published"]


class PointRuleInline(admin.TabularInline):
    model = PointRule
    formset = PointRuleFormSet
    extra = 0
    fields = ["category", "points", "version", "changed_at"]
    readonly_fields = ["version", "changed_at"]


class GradeBandInline(admin.TabularInline):
    model = GradeBand
    formset = GradeBandFormSet
    extra = 0
    fields = ["grade", "min_points"]


@admin.register(ScoringYear)
class ScoringYearAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ScoringYearForm
    list_display = ["year", "cards_published"]
    list_filter = ["cards_published"]
    inlines = [PointRuleInline, GradeBandInline]
    actions = ["rebuild_ledger"]

    @admin.action(description=_("Rebuild the ledger"), permissions=["change"])
    def rebuild_ledger(self, request, queryset) -> None:
        """Make the whole ledger equal to the facts (every year, whichever are selected)."""
        count = len(ledger.rebuild().differences)
        if count:
            message = ngettext(
                "Ledger rebuilt: %(count)d difference repaired.",
                "Ledger rebuilt: %(count)d differences repaired.",
                count,
            ) % {"count": count}
        else:
            message = gettext("Ledger rebuilt: it already matched the facts.")
        self.message_user(request, message)


@admin.register(PointEntry)
class PointEntryAdmin(AuditedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written by the ledger only; an entry is corrected by fixing its fact or rule and
    rebuilding."""

    list_display = [
        "occurred_on",
        "member",
        "year",
        "category",
        "points",
        "rule_version",
        "source_type",
        "source_id",
        "reversed_at",
    ]
    list_filter = ["year", "category", ("reversed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["member", "source_type"]
    search_fields = ["member__name"]
    date_hierarchy = "occurred_on"


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", _("Unanswered")), ("yes", _("Answered"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(answer="")
        if self.value() == "yes":
            return queryset.exclude(answer="")
        return queryset


@admin.register(PointQuery)
class PointQueryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Members ask from their report card; the office answers here."""

    list_display = ["asked_at", "member", "entry", "text", "is_answered"]
    list_filter = [AnsweredFilter]
    list_select_related = ["entry__member", "asked_by"]
    search_fields = ["entry__member__name", "text"]
    fields = ["entry", "asked_by", "asked_at", "text", "answer"]
    readonly_fields = ["entry", "asked_by", "asked_at", "text"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("member"), ordering="entry__member__name")
    def member(self, query: PointQuery) -> str:
        return query.entry.member.name

    @admin.display(description=_("answered"), boolean=True)
    def is_answered(self, query: PointQuery) -> bool:
        return bool(query.answer)
