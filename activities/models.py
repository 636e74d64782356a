"""What members do beyond their duty shifts: activities (consultations, community visits,
public-service days, donations) and proposals (提案) or public-opinion reports (社情民意)
that grow out of what citizens raise."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.appendonly import AppendOnlyModel
from members.models import Member
from visits.models import Case, Satisfaction
from workstations.models import Department, Workstation


class ActivityKind(models.TextChoices):
    MICRO_CONSULTATION = "micro", _("Micro-consultation (微协商)")
    PLEASE_COME = "please_come", _("“Please come and consult” (请你来协商)")
    COMMUNITY_VISIT = "community", _("Community visit (进社区)")
    LEGAL_AID = "legal_aid", _("Public-service day: legal aid")
    JOB_GUIDANCE = "jobs", _("Public-service day: job guidance")
    DONATION = "donation", _("Donation")


CONSULTATIONS = (ActivityKind.MICRO_CONSULTATION, ActivityKind.PLEASE_COME)


class Activity(models.Model):
    """One activity. Whoever organised it records it and who took part."""

    Kind = ActivityKind

    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind)
    title = models.CharField(_("title"), max_length=100)
    date = models.DateField(_("date"))
    workstations = models.ManyToManyField(
        Workstation, verbose_name=_("workstations"), related_name="activities"
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="activities_organised",
        help_text=_("The staff account of a workstation the activity belongs to."),
    )
    participants = models.ManyToManyField(
        Member, verbose_name=_("participating members"), related_name="activities", blank=True
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    suggestions_gathered = models.PositiveIntegerField(_("suggestions gathered"), default=0)
    amount = models.DecimalField(
        _("amount donated (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    is_published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="activity_amount_positive"
            ),
        ]
        indexes = [models.Index(fields=["date", "kind"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def clean(self) -> None:
        if self.kind == ActivityKind.DONATION and self.amount is None:
            raise ValidationError({"amount": _("Enter the amount donated.")})
        if self.kind != ActivityKind.DONATION and self.amount is not None:
            raise ValidationError({"amount": _("Only a donation has an amount.")})


class ProposalKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal (提案)")
    OPINION = "opinion", _("Public-opinion report (社情民意)")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted for filing (立案)")
    NOT_ACCEPTED = "not_accepted", _("Not accepted (不予立案)")
    MERGED = "merged", _("Merged (并案)")


class ReplyClass(models.TextChoices):
    A = "A", _("A: solved or adopted")
    B = "B", _("B: being solved")
    C = "C", _("C: planned for later")


class Proposal(models.Model):
    """A proposal or a public-opinion report, from draft to the departments' reply."""

    Kind = ProposalKind
    Status = ProposalStatus

    kind = models.CharField(
        _("kind"), max_length=10, choices=ProposalKind, default=ProposalKind.PROPOSAL
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000, blank=True)
    lead = models.ForeignKey(
        Member, verbose_name=_("lead member"), on_delete=models.PROTECT, related_name="proposals"
    )
    cosign_deadline = models.DateField(_("co-signing deadline"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    cases = models.ManyToManyField(
        Case, verbose_name=_("cases it grew from"), related_name="proposals", blank=True
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities it grew from"), related_name="proposals", blank=True
    )
    status = models.CharField(
        _("review status"), max_length=12, choices=ProposalStatus, default=ProposalStatus.DRAFT
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    rejection_reason = models.TextField(
        _("reason not accepted"),
        max_length=2000,
        blank=True,
        help_text=_("The member sees this reason."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("lead department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals_led",
    )
    co_departments = models.ManyToManyField(
        Department,
        verbose_name=_("co-handling departments"),
        related_name="proposals_co_handled",
        blank=True,
    )
    reply = models.TextField(_("reply"), max_length=20000, blank=True)
    reply_class = models.CharField(
        _("implementation class"), max_length=1, choices=ReplyClass, blank=True
    )
    proposer_satisfaction = models.CharField(
        _("proposer's satisfaction"), max_length=12, choices=Satisfaction, blank=True
    )
    is_excellent = models.BooleanField(_("rated excellent"), default=False)
    is_adopted = models.BooleanField(
        _("adopted"), default=False, help_text=_("For a public-opinion report taken up.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProposalKind.values), name="proposal_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(reply_class__in=["", *ReplyClass.values]),
                name="proposal_reply_class_valid",
                violation_error_message=_("The implementation class is A, B or C."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.NOT_ACCEPTED) | ~Q(rejection_reason=""),
                name="proposal_rejection_has_reason",
                violation_error_message=_("Give the reason the proposal is not accepted."),
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=ProposalStatus.MERGED) & Q(merged_into__isnull=True)),
                name="proposal_merged_iff_target",
                violation_error_message=_("A merged proposal names the one it was merged into."),
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:proposal_detail", args=[self.pk])

    def clean(self) -> None:
        if self.status != ProposalStatus.DRAFT and not self.submitted_on:
            raise ValidationError({"submitted_on": _("A submitted proposal has a date.")})
        if self.is_excellent and self.status != ProposalStatus.ACCEPTED:
            raise ValidationError(
                {"is_excellent": _("Only a proposal accepted for filing can be rated excellent.")}
            )
        if self.is_adopted and self.kind != ProposalKind.OPINION:
            raise ValidationError({"is_adopted": _("Only a public-opinion report is adopted.")})


class CoSignature(models.Model):
    """A member invited to co-sign a proposal (附议), and whether they signed in time."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="cosigners"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="cosignatures"
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    class Meta:
        ordering = ["proposal", "invited_at", "pk"]
        verbose_name = _("co-signer")
        verbose_name_plural = _("co-signers")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "member"], name="cosignature_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.proposal}"

    def clean(self) -> None:
        if self.member_id and self.proposal_id and self.member_id == self.proposal.lead_id:
            raise ValidationError({"member": _("The lead member cannot also be a co-signer.")})
        deadline = self.proposal.cosign_deadline if self.proposal_id else None
        if self.signed_at and deadline and timezone.localdate(self.signed_at) > deadline:
            raise ValidationError({"signed_at": _("Signed after the co-signing deadline.")})


class ProposalStep(models.TextChoices):
    """The steps of a proposal's review, as its timeline names them (`activities.lifecycle`)."""

    SUBMIT = "submit", _("Submitted")
    ACCEPT = "accept", _("Accepted for filing (立案)")
    DECLINE = "decline", _("Not accepted (不予立案)")
    MERGE = "merge", _("Merged (并案)")
    REPLY = "reply", _("Reply recorded")
    SATISFACTION = "satisfaction", _("Proposer's satisfaction recorded")
    EXCELLENT = "excellent", _("Rated excellent")
    ADOPT = "adopt", _("Adopted")


class ProposalEvent(AppendOnlyModel):
    """One step in a proposal's review: who, when, which step, from which status to which."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.PROTECT, related_name="events"
    )
    step = models.CharField(_("step"), max_length=12, choices=ProposalStep)
    from_status = models.CharField(
        _("from status"), max_length=12, choices=ProposalStatus, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=12, choices=ProposalStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    note = models.TextField(_("note"), max_length=4000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("proposal event")
        verbose_name_plural = _("proposal events")
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=ProposalStep.values), name="proposal_event_step_valid"
            ),
            models.CheckConstraint(
                condition=Q(to_status__in=ProposalStatus.values),
                name="proposal_event_to_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["proposal", "at"])]

    def __str__(self) -> str:
        return f"{self.proposal_id} {self.get_step_display()}"
