"""Duty rosters: the shifts at each workstation, who holds them, and every change to a duty."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.appendonly import AppendOnlyModel
from members.models import ActivityGroup, Member
from workstations.models import Workstation


class DutyShift(models.Model):
    """One shift at a workstation on one day, usually held by an activity group (轮值日)."""

    workstation = models.ForeignKey(
        Workstation, verbose_name=_("workstation"), on_delete=models.PROTECT, related_name="shifts"
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    holding_group = models.ForeignKey(
        ActivityGroup,
        verbose_name=_("holding group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
    )
    theme = models.CharField(_("theme"), max_length=100, blank=True)
    members = models.ManyToManyField(
        Member,
        through="DutyAssignment",
        through_fields=("shift", "member"),
        related_name="shifts",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["date", "starts_at", "workstation"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["workstation", "date", "starts_at"], name="shift_unique_slot"
            ),
        ]
        indexes = [models.Index(fields=["date", "workstation"])]

    def __str__(self) -> str:
        return (
            f"{self.workstation} {self.date:%Y-%m-%d} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
        )

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A shift must end after it starts.")})

    @property
    def start_datetime(self) -> datetime:
        """When the shift starts, in the district's time."""
        return timezone.make_aware(datetime.combine(self.date, self.starts_at))

    def has_started(self, now: datetime | None = None) -> bool:
        return self.start_datetime <= (now or timezone.now())


class Attendance(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
    SUBSTITUTED = "substituted", _("Substituted")


class DutyAssignmentQuerySet(models.QuerySet):
    def started(self, now: datetime | None = None) -> "DutyAssignmentQuerySet":
        """The duties whose shift has started by `now`."""
        local = timezone.localtime(now)
        return self.filter(
            Q(shift__date__lt=local.date())
            | Q(shift__date=local.date(), shift__starts_at__lte=local.time())
        )

    def coming(self, now: datetime | None = None) -> "DutyAssignmentQuerySet":
        """The duties whose shift has not started by `now`: the others of `started`."""
        local = timezone.localtime(now)
        return self.filter(
            Q(shift__date__gt=local.date())
            | Q(shift__date=local.date(), shift__starts_at__gt=local.time())
        )

    def held_by(self, member: "Member") -> "DutyAssignmentQuerySet":
        """The duties `member` stands: their own unless someone stands in, and those they
        stand in on."""
        return self.filter(Q(member=member, substitute__isnull=True) | Q(substitute=member))


class DutyAssignment(models.Model):
    """One member on one shift, and whether they came.

    Before the shift the member may take leave (`on_leave`, with the `substitute` who
    stands in) or swap; once it has started, attendance is recorded: on a duty with
    leave it says whether the substitute came (substituted) or not (absent)."""

    Attendance = Attendance

    shift = models.ForeignKey(
        DutyShift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="assignments"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="assignments"
    )
    attendance = models.CharField(
        _("attendance"), max_length=12, choices=Attendance, default=Attendance.SCHEDULED
    )
    substitute = models.ForeignKey(
        Member,
        verbose_name=_("substitute"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="substitutions",
    )
    on_leave = models.BooleanField(
        _("on leave"),
        default=False,
        help_text=_("The member asked for leave before the shift; the substitute stands in."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DutyAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["shift", "member"]
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty assignments")
        constraints = [
            models.UniqueConstraint(fields=["shift", "member"], name="assignment_one_per_member"),
            models.CheckConstraint(
                condition=Q(attendance__in=Attendance.values),
                name="assignment_attendance_valid",
            ),
            # A substitute is named exactly when the member is on leave or was substituted.
            models.CheckConstraint(
                condition=(
                    (Q(attendance=Attendance.SUBSTITUTED) | Q(on_leave=True))
                    & Q(substitute__isnull=False)
                )
                | (
                    ~Q(attendance=Attendance.SUBSTITUTED)
                    & Q(on_leave=False)
                    & Q(substitute__isnull=True)
                ),
                name="assignment_substitute_iff_substituted_or_on_leave",
            ),
            models.CheckConstraint(
                condition=~Q(on_leave=True, attendance=Attendance.ATTENDED),
                name="assignment_on_leave_not_attended",
            ),
            models.CheckConstraint(
                condition=~Q(substitute=F("member")), name="assignment_substitute_not_self"
            ),
        ]
        indexes = [models.Index(fields=["member", "attendance"])]

    def __str__(self) -> str:
        return f"{self.member} @ {self.shift}"

    def clean(self) -> None:
        stood_in = self.attendance == self.Attendance.SUBSTITUTED or self.on_leave
        if stood_in and not self.substitute_id:
            raise ValidationError({"substitute": _("Name the member who took the shift.")})
        if self.on_leave and self.attendance == self.Attendance.ATTENDED:
            raise ValidationError(
                {
                    "attendance": _(
                        "A member on leave did not attend: "
                        "record whether the substitute came or not."
                    )
                }
            )
        if not stood_in and self.substitute_id:
            raise ValidationError(
                {
                    "substitute": _(
                        "A substitute is only named when the attendance is 'substituted'."
                    )
                }
            )
        if self.substitute_id and self.substitute_id == self.member_id:
            raise ValidationError({"substitute": _("A member cannot substitute for themselves.")})

    @property
    def is_open(self) -> bool:
        """Nothing recorded yet, no leave taken: the duty may still be handed on or swapped."""
        return self.attendance == self.Attendance.SCHEDULED and not self.on_leave


class DutyChangeKind(models.TextChoices):
    ATTENDANCE = "attendance", _("Attendance recorded")
    LEAVE = "leave", _("Leave with a substitute")
    SWAP = "swap", _("Shifts swapped")


class DutyChange(AppendOnlyModel):
    """Who changed a duty assignment, when, how and why. Never edited."""

    Kind = DutyChangeKind

    assignment = models.ForeignKey(
        DutyAssignment,
        verbose_name=_("assignment"),
        on_delete=models.PROTECT,
        related_name="changes",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DutyChangeKind)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("duty change")
        verbose_name_plural = _("duty changes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DutyChangeKind.values), name="duty_change_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment} {self.get_kind_display()}"
