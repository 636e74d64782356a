"""The yearly scoring of members' participation (综合量化积分考核): the rules the office
sets per year, the grade bands, and the ledger of points, one entry per scored fact."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member


class Category(models.TextChoices):
    DUTY_ATTENDED = "duty_attended", _("Duty attended")
    DUTY_ABSENT = "duty_absent", _("Absence from duty without leave")
    CITIZENS_RECEIVED = "received", _("Citizens received")
    CASE_CLOSED = "case_closed", _("Case followed to closure")
    CONSULTATION = "consultation", _("Consultations held")
    COMMUNITY_VISIT = "community_visit", _("Community visit")
    ACTIVITY = "activity", _("Activity attended")
    PROPOSAL_FILED = "proposal_filed", _("Proposal filed")
    PROPOSAL_ACCEPTED = "proposal_accepted", _("Proposal accepted for filing")
    PROPOSAL_EXCELLENT = "proposal_excellent", _("Excellent proposal")
    OPINION_ADOPTED = "opinion_adopted", _("Public-opinion report adopted")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    INCOMPETENT = "incompetent", _("Not competent (不称职)")


# The years the office may score; report-card addresses outside them are not found.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ScoringYear(models.Model):
    """One year's scoring: its rules, its grade bands, and whether its report cards are
    published on the public column."""

    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    cards_published = models.BooleanField(
        _("report cards published"),
        default=False,
        help_text=_("Show every member's report card of this year to the public."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("scoring year")
        verbose_name_plural = _("scoring years")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR) & Q(year__lte=LAST_YEAR),
                name="scoring_year_range",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class PointRule(models.Model):
    """How many points one fact of a category earns in a year. Editing the points makes
    a new version: entries keep the version that scored them."""

    scoring_year = models.ForeignKey(
        ScoringYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="rules"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category)
    points = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Negative for a deduction (an absence without leave, say)."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["scoring_year", "category"]
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        constraints = [
            models.UniqueConstraint(
                fields=["scoring_year", "category"],
                name="point_rule_one_per_category",
                violation_error_message=_("This year already has a rule for this category."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="point_rule_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scoring_year} {self.get_category_display()}: {self.points}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            before = PointRule.objects.filter(pk=self.pk).values_list("points", flat=True).first()
            if before is not None and before != self.points:
                self.version += 1
                self.changed_at = timezone.now()
        super().save(*args, **kwargs)


class GradeBand(models.Model):
    """The lowest total that earns a grade in a year."""

    scoring_year = models.ForeignKey(
        ScoringYear, verbose_name=_("year"), on_delete=models.CASCADE, related_name="bands"
    )
    grade = models.CharField(_("grade"), max_length=12, choices=Grade)
    min_points = models.DecimalField(_("from points"), max_digits=8, decimal_places=2)

    class Meta:
        ordering = ["scoring_year", "-min_points"]
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        constraints = [
            models.UniqueConstraint(
                fields=["scoring_year", "grade"],
                name="grade_band_one_per_grade",
                violation_error_message=_("This year already has a band for this grade."),
            ),
            models.CheckConstraint(condition=Q(grade__in=Grade.values), name="grade_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.scoring_year} {self.get_grade_display()} ≥ {self.min_points}"


class PointEntry(models.Model):
    """One scored fact: whose, which category, how many points, from which source row,
    under which rule version. Written by `points.ledger` only; undoing the fact stamps
    `reversed_at` and the entry stops counting, so the history stays."""

    Category = Category

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="point_entries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=20, choices=Category)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)
    rule = models.ForeignKey(
        PointRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="entries"
    )
    rule_version = models.PositiveIntegerField(_("rule version"))
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(_("source id"))
    source = GenericForeignKey("source_type", "source_id")
    occurred_on = models.DateField(_("date of the fact"))
    scored_at = models.DateTimeField(_("scored"), default=timezone.now)
    reversed_at = models.DateTimeField(_("reversed"), null=True, blank=True)

    class Meta:
        ordering = ["occurred_on", "pk"]
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        constraints = [
            # Saving a fact again never scores it twice.
            models.UniqueConstraint(
                fields=["member", "category", "source_type", "source_id"],
                condition=Q(reversed_at__isnull=True),
                name="point_entry_once_per_fact",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="point_entry_category_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["year", "member"], condition=Q(reversed_at__isnull=True),
                         name="point_entry_card"),
            models.Index(fields=["source_type", "source_id"]),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.member} {self.get_category_display()} {self.points}"


class PointQuery(models.Model):
    """A member's question about a line of their report card, for the office."""

    entry = models.ForeignKey(
        PointEntry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="queries"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    text = models.TextField(_("question"), max_length=2000)
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("report card query")
        verbose_name_plural = _("report card queries")

    def __str__(self) -> str:
        return f"{self.entry} · {self.text[:30]}"
