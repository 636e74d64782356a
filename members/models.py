import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workstations.models import Workstation


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class Sector(models.Model):
    """A member's sector (界别), e.g. 法律界 or a party such as 民盟."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    ordering = models.PositiveSmallIntegerField(_("ordering"), default=0)

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name


class ActivityGroup(models.Model):
    """An activity group (e.g. 法制组) whose members hold rotation duty days together."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("activity group")
        verbose_name_plural = _("activity groups")

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """A committee member (委员)."""

    name = models.CharField(_("name"), max_length=30)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="members"
    )
    activity_group = models.ForeignKey(
        ActivityGroup,
        verbose_name=_("activity group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    home_workstation = models.ForeignKey(
        Workstation,
        verbose_name=_("street study group"),
        help_text=_("The street study group the member belongs to, at that street's workstation."),
        on_delete=models.PROTECT,
        related_name="members",
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=60, blank=True)
    photo = models.ImageField(_("photo"), upload_to="members/", blank=True)
    bio = models.TextField(_("biography"), blank=True)
    reception_hours = models.CharField(_("reception hours"), max_length=100, blank=True)
    public_contact = models.CharField(
        _("public contact"),
        max_length=100,
        blank=True,
        help_text=_("Only what the member has chosen to publish, e.g. an office phone."),
    )
    is_published = models.BooleanField(_("published"), default=False)
    term = models.CharField(_("term"), max_length=30, blank=True, help_text=_("e.g. 第十届"))
    is_active = models.BooleanField(_("active"), default=True)
    # The secret in the member's personal calendar feed address; a new one revokes the old.
    calendar_token = models.CharField(
        _("calendar feed token"),
        max_length=43,
        unique=True,
        default=new_calendar_token,
        editable=False,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        indexes = [models.Index(fields=["home_workstation", "is_active"])]

    def __str__(self) -> str:
        return self.name
