from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .validators import phone_validator


class Venue(models.TextChoices):
    STREET_OFFICE = "street_office", _("Street office")
    SERVICE_CENTRE = "service_centre", _("Street Party-and-public service centre")
    MEMBER_UNIT = "member_unit", _("Member's work unit")
    OTHER = "other", _("Other")


class Workstation(models.Model):
    """A member workstation (委员工作室) in one of the district's streets."""

    Venue = Venue

    street = models.CharField(_("street"), max_length=30, help_text=_("e.g. 西一路街道"))
    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    venue = models.CharField(_("venue"), max_length=20, choices=Venue, default=Venue.STREET_OFFICE)
    address = models.CharField(_("address"), max_length=200)
    opening_hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    description = models.TextField(_("description"), blank=True)
    has_reading_corner = models.BooleanField(_("reading corner"), default=False)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        related_name="staffed_workstations",
        blank=True,
        help_text=_("Liaisons who log visits and handle this workstation's cases."),
    )

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("workstation")
        verbose_name_plural = _("workstations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(venue__in=Venue.values),
                name="workstation_venue_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("admin:workstations_workstation_change", args=[self.pk])


class Department(models.Model):
    """A government department that cases are referred to (转办)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    contact_name = models.CharField(_("contact"), max_length=30, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    is_active = models.BooleanField(_("active"), default=True)
    liaisons = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("liaisons"),
        related_name="liaison_departments",
        blank=True,
        help_text=_(
            "The department's own contacts who sign in to sign for, answer or return the "
            "cases referred to it."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name
