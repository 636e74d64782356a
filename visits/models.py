from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.appendonly import AppendOnlyModel
from base.encrypted import EncryptedTextField, companion_fields
from base.indexes import FullTextIndex, TrigramIndex
from members.models import Member
from workstations.models import Department, Workstation
from workstations.validators import (
    id_number_validator,
    no_contact_details,
    normalise_id_number,
    phone_validator,
)


def _user(verbose_name, *, required=False) -> models.ForeignKey:
    """Who did something: a user kept as long as the record (PROTECT), with no way back
    from the user to the records."""
    optional = {} if required else {"null": True, "blank": True}
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        related_name="+",
        **optional,
    )


class VisitChannel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", pgettext_lazy("visit channel", "Phone call")
    ONLINE = "online", _("Online")
    COMMUNITY = "community", _("Community visit")
    EVENT = "event", _("Event")


class Visit(models.Model):
    """Citizens received at a workstation: one visit can raise several cases."""

    Channel = VisitChannel

    workstation = models.ForeignKey(
        Workstation, verbose_name=_("workstation"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel, default=Channel.WALK_IN
    )
    receiving_members = models.ManyToManyField(
        Member, verbose_name=_("receiving members"), related_name="visits_received", blank=True
    )
    visitor_name = models.CharField(_("visitor's name"), max_length=30)
    visitor_phone = models.CharField(
        _("visitor's phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    visitor_address = models.CharField(_("visitor's address"), max_length=200, blank=True)
    # The citizen's resident identity number (身份证号), typed in by staff only when the
    # handling needs it, never asked online (PIPL: sensitive, minimum collection). Kept
    # encrypted, masked wherever shown (visits/masking.py), and found again by its keyed
    # hash alone (visits/selectors.py visits_with_id_number), as an access request asks.
    visitor_id_number = EncryptedTextField(
        _("visitor's ID number"),
        blank=True,
        help_text=_("Only when the handling needs it. Shown masked; kept encrypted."),
        validators=[id_number_validator],
        normalise=normalise_id_number,
        hash_field="visitor_id_number_hash",
    )
    visitor_id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    visitor_count = models.PositiveSmallIntegerField(
        _("number of visitors"),
        default=1,
        # A delegation, not a crowd: larger numbers are typing mistakes.
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    consent_to_publish = models.BooleanField(
        _("consents to publication"),
        default=False,
        help_text=_("The citizen agrees that the anonymised case may be published."),
    )
    # The citizen agrees to be told of the case's progress by SMS at the phone given; they
    # may stop the messages at any time (/track/), which clears it.
    sms_consent = models.BooleanField(
        _("progress by SMS"),
        default=False,
        help_text=_("The citizen agrees to be told of the progress by SMS at this phone."),
    )
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    # When a citizen online agreed to the processing of their personal information (PIPL).
    privacy_consent_at = models.DateTimeField(
        _("consented to processing"), null=True, blank=True, editable=False
    )
    # Which wording they agreed to: a digest of the consent texts (public/forms.py).
    privacy_consent_version = models.CharField(
        _("consent wording"), max_length=16, blank=True, editable=False
    )
    # A random id the form carries, so that a double submit creates one visit.
    submission_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # When the visitor's personal data was removed (retention, or the citizen's request):
    # visits.anonymising, once; the cases and their figures stay.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)
    created_by = _user(_("logged by"))
    created_at = models.DateTimeField(_("logged at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(condition=Q(visitor_count__gte=1), name="visit_count_positive"),
            models.CheckConstraint(
                condition=Q(channel__in=VisitChannel.values), name="visit_channel_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["workstation", "-visited_at"]),
            # Few visits have an ID number: the index holds only those.
            models.Index(
                fields=["visitor_id_number_hash"],
                condition=~Q(visitor_id_number_hash=""),
                name="visit_id_number_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workstation} {timezone.localtime(self.visited_at):%Y-%m-%d %H:%M}"

    def save(self, *args, update_fields=None, **kwargs) -> None:
        # A save of the ID number alone saves its lookup hash with it.
        super().save(*args, update_fields=companion_fields(Visit, update_fields), **kwargs)


class CaseStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted online")
    REGISTERED = "registered", _("Registered")
    CONSULTING = "consulting", _("Consulting")
    REFERRED = "referred", _("Referred")
    REPLIED = "replied", _("Department replied")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Followed up and closed")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged as duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CaseCategory(models.TextChoices):
    PROPERTY = "property", _("Property management")
    FIRE_SAFETY = "fire_safety", _("Fire safety")
    GROUP_RENTAL = "group_rental", _("Group rentals")
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    RENOVATION = "renovation", _("Old-neighbourhood renovation")
    EMPLOYMENT = "employment", _("Employment")
    LEGAL = "legal", _("Legal disputes")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    ENVIRONMENT = "environment", _("Environment")
    TRAFFIC = "traffic", _("Traffic")
    CONSUMER = "consumer", _("Consumer disputes")
    OTHER = "other", _("Other")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Case(models.Model):
    """One issue a citizen raised, followed until it is closed (the closed loop).

    Its status is written only by `visits.lifecycle`.
    """

    Status = CaseStatus

    Category = CaseCategory

    Satisfaction = Satisfaction

    number = models.CharField(_("tracking number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    workstation = models.ForeignKey(
        Workstation, verbose_name=_("workstation"), on_delete=models.PROTECT, related_name="cases"
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="cases"
    )
    handling_members = models.ManyToManyField(
        Member, verbose_name=_("handling members"), related_name="cases_handled", blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status, default=Status.REGISTERED, editable=False
    )
    answered_on_spot = models.BooleanField(_("answered on the spot"), default=False, editable=False)
    satisfaction = models.CharField(
        _("citizen satisfaction"), max_length=12, choices=Satisfaction, blank=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="duplicates",
    )
    # The deadline of the step the case itself waits for in its status (acceptance, first
    # handling, the outcome of a consultation, resolution after a reply, the follow-up),
    # set from the time limits when the case enters the status and never moved after.
    step_due_on = models.DateField(_("step due"), null=True, blank=True, editable=False)
    # The next deadline the case must meet: the earlier of its own step's and its open
    # referrals' (a department's acknowledgement, then its reply). Kept by the lifecycle.
    next_due_on = models.DateField(_("next deadline"), null=True, blank=True, editable=False)
    # What the public column shows of a resolved case whose citizen consented: written by
    # staff for publication, never the citizen's own words (they may name themselves).
    public_summary = models.CharField(
        _("public summary"),
        max_length=200,
        blank=True,
        validators=[no_contact_details],
        help_text=_(
            "Published on the column if the citizen consented. No names, phones, addresses "
            "or ID numbers."
        ),
    )
    # A hash of the code a citizen uses with the tracking number to follow the case online;
    # the code itself is shown once, on the receipt, and kept nowhere.
    lookup_code = models.CharField(max_length=128, blank=True, editable=False)
    # The code itself, on the instance being opened only (never saved): the citizen's
    # first SMS carries it once, like the receipt (notices).
    issued_lookup_code = ""
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values),
                name="case_status_valid",
                violation_error_message=_("Unknown case status."),
            ),
            models.CheckConstraint(
                condition=Q(category__in=CaseCategory.values),
                name="case_category_valid",
                violation_error_message=_("Unknown category."),
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__in=["", *Satisfaction.values]),
                name="case_satisfaction_valid",
                violation_error_message=_("Unknown satisfaction."),
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | ~Q(satisfaction=""),
                name="case_closed_has_satisfaction",
                violation_error_message=_("A closed case records the citizen's satisfaction."),
            ),
            models.CheckConstraint(
                condition=Q(status=CaseStatus.MERGED, merged_into__isnull=False)
                | (~Q(status=CaseStatus.MERGED) & Q(merged_into__isnull=True)),
                name="case_merged_iff_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="case_not_merged_into_itself"
            ),
        ]
        indexes = [
            models.Index(fields=["workstation", "status", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            models.Index(fields=["workstation", "-created_at"]),
            # Administrators' and members' lists, newest first, across workstations.
            models.Index(fields=["-created_at", "-id"], name="case_newest"),
            models.Index(fields=["category", "-created_at"]),
            models.Index(fields=["workstation", "next_due_on"]),
            models.Index(fields=["next_due_on"]),
            # The office's list of workstations late on a case's own step.
            models.Index(fields=["step_due_on"], name="case_step_due"),
            # The public column's newest resolved cases.
            models.Index(
                fields=["-resolved_at"],
                condition=Q(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED]),
                name="case_finished_newest",
            ),
            # A substring of the number (the case list's search) or the title (admin's);
            # the rest of the case list's search reads CaseSearchText.
            *(
                TrigramIndex(field=field, name=f"visits_case_{field}_trgm")
                for field in ("number", "title")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("admin:visits_case_change", args=[self.pk])

    @cached_property
    def referrals_in_order(self) -> list["Referral"]:
        """The referrals with their departments, in the order they were sent; read once
        for this object, which the case page's forms and list all ask (a case has a
        handful). The lifecycle reads its own, under the case's lock."""
        return list(self.referrals.select_related("department").order_by("sent_at", "pk"))

    def clean(self) -> None:
        # A case opens where its visit was received; a transfer may move it later.
        if (
            self._state.adding
            and self.visit_id
            and self.workstation_id
            and self.visit.workstation_id != self.workstation_id
        ):
            raise ValidationError(
                {"workstation": _("A case belongs to the workstation of the visit that raised it.")}
            )

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.next_due_on is not None and self.next_due_on < today


class TimeLimitStep(models.TextChoices):
    """The steps with a time limit, each named by what must be done in it."""

    ACCEPT = "accept", _("Accept or reject an online submission")
    FIRST_HANDLING = "first_handling", _("First handling of a registered case")
    CONSULTATION = "consultation", _("Refer or resolve a case under consultation")
    ACKNOWLEDGE = "acknowledge", _("A department's acknowledgement of a referral")
    REPLY = "reply", _("A department's reply to a referral")
    RESOLUTION = "resolution", _("Resolve a case after the departments' replies")
    FOLLOW_UP = "follow_up", _("Follow up with the citizen after resolution")


# The years the office may set time limits for.
FIRST_LIMIT_YEAR, LAST_LIMIT_YEAR = 2000, 2100


class TimeLimit(models.Model):
    """How many working days a step may take, in a year, for every category or for one.
    Editing the days makes a new version; the due dates already set keep theirs: they
    were promised."""

    Step = TimeLimitStep

    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[MinValueValidator(FIRST_LIMIT_YEAR), MaxValueValidator(LAST_LIMIT_YEAR)],
    )
    step = models.CharField(_("step"), max_length=20, choices=TimeLimitStep)
    category = models.CharField(
        _("category"),
        max_length=20,
        choices=CaseCategory,
        blank=True,
        help_text=_("Leave empty for every category; a category's own limit comes first."),
    )
    working_days = models.PositiveSmallIntegerField(
        _("working days"), validators=[MinValueValidator(1), MaxValueValidator(250)]
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-year", "step", "category"]
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "step", "category"],
                name="time_limit_once_per_step",
                violation_error_message=_(
                    "This year already has a limit for this step and category."
                ),
            ),
            models.CheckConstraint(
                condition=Q(step__in=TimeLimitStep.values), name="time_limit_step_valid"
            ),
            models.CheckConstraint(
                condition=Q(category__in=["", *CaseCategory.values]),
                name="time_limit_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(working_days__gte=1, working_days__lte=250),
                name="time_limit_positive_days",
                violation_error_message=_("A time limit is a positive number of working days."),
            ),
        ]

    def __str__(self) -> str:
        scope = self.get_category_display() if self.category else _("every category")
        return f"{self.year} {self.get_step_display()} ({scope}): {self.working_days}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            before = (
                TimeLimit.objects.filter(pk=self.pk).values_list("working_days", flat=True).first()
            )
            if before is not None and before != self.working_days:
                self.version += 1
                self.changed_at = timezone.now()
        super().save(*args, **kwargs)


class CaseNumberSequence(models.Model):
    """The last tracking number handed out in a year (XC-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case number sequence")
        verbose_name_plural = _("case number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class ReferralRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    CO = "co", _("Co-handling")


class ReferralState(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REPLIED = "replied", _("Replied")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_REFERRAL_STATES = (ReferralState.SENT, ReferralState.ACKNOWLEDGED)


class Referral(models.Model):
    """A case sent to a department (转办), with that department's own progress."""

    Role = ReferralRole

    State = ReferralState

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="referrals"
    )
    role = models.CharField(_("role"), max_length=4, choices=Role, default=Role.LEAD)
    state = models.CharField(_("state"), max_length=12, choices=State, default=State.SENT)
    due_on = models.DateField(_("reply due"))
    # Null on referrals sent before departments signed for them (签收) against a limit.
    acknowledge_due_on = models.DateField(_("acknowledgement due"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    sent_by = _user(_("sent by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply = models.TextField(_("reply"), max_length=4000, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.TextField(_("reason for return"), max_length=1000, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # The citizen's contact details stay hidden from the department (petition
    # confidentiality) unless the district office records why it needs them.
    contact_share_reason = models.CharField(
        _("reason to share the citizen's contact details"), max_length=200, blank=True
    )
    contact_shared_by = _user(_("contact details shared by"))
    contact_shared_at = models.DateTimeField(_("contact details shared"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=ReferralRole.values), name="referral_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=ReferralState.values), name="referral_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=ReferralState.REPLIED)
                | (Q(replied_at__isnull=False) & ~Q(reply="")),
                name="referral_replied_has_reply",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReferralState.RETURNED)
                | (Q(returned_at__isnull=False) & ~Q(return_reason="")),
                name="referral_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=ReferralState.CANCELLED) | Q(cancelled_at__isnull=False),
                name="referral_cancelled_has_time",
            ),
            # While referrals await an answer, a case has one lead and each department once.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(role=ReferralRole.LEAD, state__in=OPEN_REFERRAL_STATES),
                name="referral_one_open_lead",
            ),
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(state__in=OPEN_REFERRAL_STATES),
                name="referral_department_once_open",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "state"]),
            models.Index(fields=["state", "due_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.department}"

    def clean(self) -> None:
        if self.due_on and self.case_id and self.due_on < timezone.localdate(self.case.created_at):
            raise ValidationError(
                {"due_on": _("A reply cannot be due before the case was created.")}
            )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_REFERRAL_STATES

    @property
    def next_due_on(self):
        """What the department owes next: its acknowledgement (签收) while the referral is
        only sent, then its reply; nothing once answered."""
        if not self.is_open:
            return None
        if self.state == ReferralState.SENT and self.acknowledge_due_on:
            return min(self.acknowledge_due_on, self.due_on)
        return self.due_on

    def is_overdue(self, today=None) -> bool:
        due = self.next_due_on
        return due is not None and due < (today or timezone.localdate())

    @property
    def shares_contact_details(self) -> bool:
        return bool(self.contact_share_reason)


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("Waiting for the office")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    # The referral was answered, returned or ended before the office decided.
    LAPSED = "lapsed", _("No longer needed")


class Extension(models.Model):
    """A department's request for more time to reply (延期): a new date and a reason, that
    the district office grants (the reply is then due on the new date) or refuses; it
    lapses when the referral closes first. Written by the lifecycle only."""

    State = ExtensionState

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.PROTECT, related_name="extensions"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=ExtensionState, default=ExtensionState.PENDING
    )
    due_on = models.DateField(_("new reply date"))
    previous_due_on = models.DateField(_("reply date before"))
    reason = models.TextField(_("reason"), max_length=1000)
    requested_by = _user(_("requested by"), required=True)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = _user(_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("office's note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=ExtensionState.values), name="extension_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=F("previous_due_on")), name="extension_later_date"
            ),
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(state=ExtensionState.PENDING),
                name="extension_one_pending",
                violation_error_message=_("A request for more time is already waiting."),
            ),
        ]
        indexes = [models.Index(fields=["state", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.referral} → {self.due_on:%Y-%m-%d}"


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted online")
    REGISTERED = "registered", _("Registered")
    ANSWERED = "answered", _("Answered on the spot")
    ACCEPTED = "accepted", _("Accepted")
    CONSULTED = "consulted", _("Consultation held")
    REFERRED = "referred", _("Referred")
    ACKNOWLEDGED = "acknowledged", _("Referral acknowledged")
    REPLIED = "replied", _("Department replied")
    RETURNED = "returned", _("Referral returned")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Followed up and closed")
    REOPENED = "reopened", _("Reopened for redoing")
    MERGED = "merged", _("Merged")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOTE = "note", _("Note")
    # Corrections to the record, which leave the status as it is.
    EDITED = "edited", _("Details corrected")
    ASSIGNED = "assigned", _("Handling members changed")
    TRANSFERRED = "transferred", _("Transferred to another workstation")
    # A department's request for more time (延期), and the office's decision.
    EXTENSION_REQUESTED = "extension_requested", _("More time asked for")
    EXTENSION_GRANTED = "extension_granted", _("More time granted")
    EXTENSION_REFUSED = "extension_refused", _("More time refused")
    # The district office's supervision of overdue work (督办), and its answer.
    SUPERVISED = "supervised", _("Supervision opened")
    SUPERVISION_ANSWERED = "supervision_answered", _("Supervision answered")
    CONTACT_SHARED = "contact_shared", _("Contact details shared with the department")


class CaseEvent(AppendOnlyModel):
    """One step in a case's life: who, when, what, from which status to which."""

    Kind = EventKind

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the citizen acted online."),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    from_status = models.CharField(_("from status"), max_length=12, choices=CaseStatus, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, choices=CaseStatus)
    note = models.TextField(_("note"), max_length=4000, blank=True)
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    # What the citizen answered at a follow-up: the case keeps only the latest answer.
    satisfaction = models.CharField(
        _("citizen satisfaction"), max_length=12, choices=Satisfaction, blank=True
    )
    # A handling note the workstation marked for the departments the case is referred to:
    # their liaisons read it on the referral's page; other notes stay with the desk.
    for_departments = models.BooleanField(_("shown to the departments"), default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
            models.CheckConstraint(
                condition=Q(to_status__in=CaseStatus.values), name="event_to_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__in=["", *Satisfaction.values]),
                name="event_satisfaction_valid",
            ),
        ]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_kind_display()}"


class CaseSearchText(models.Model):
    """What the case search looks in, as tokens (`visits.search`): one row a case,
    written by the lifecycle with every step that adds a note or corrects the text.
    Apart from the case so that lists never read it."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="search_text"
    )
    tokens = models.TextField(blank=True)

    class Meta:
        verbose_name = _("case search text")
        verbose_name_plural = _("case search texts")
        indexes = [FullTextIndex(field="tokens", config="simple", name="case_search_tokens")]

    def __str__(self) -> str:
        return str(self.case_id)


class SupervisionLevel(models.TextChoices):
    GENERAL = "general", _("General supervision")
    PRIORITY = "priority", _("Priority supervision")
    LISTED = "listed", _("Listed supervision")


class SupervisionState(models.TextChoices):
    OPEN = "open", _("Waiting for the answer")
    ANSWERED = "answered", _("Answered")
    # The case ended (closed, withdrawn, merged, rejected) before the answer came.
    ENDED = "ended", _("Ended with the case")


class Supervision(models.Model):
    """The district office's supervision (督办单) of overdue work: of a department's
    referral, answered by the department, or of the case itself, answered by its
    workstation. A level, a date to answer by and a note. Written by the lifecycle only."""

    Level = SupervisionLevel

    State = SupervisionState

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="supervisions"
    )
    # Empty when the workstation is supervised rather than a department.
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisions",
    )
    level = models.CharField(
        _("level"), max_length=10, choices=SupervisionLevel, default=SupervisionLevel.GENERAL
    )
    state = models.CharField(
        _("state"), max_length=10, choices=SupervisionState, default=SupervisionState.OPEN
    )
    due_on = models.DateField(_("answer due"))
    note = models.TextField(_("the office's note"), max_length=1000)
    opened_by = _user(_("opened by"), required=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = _user(_("answered by"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("supervision")
        verbose_name_plural = _("supervisions")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=SupervisionLevel.values), name="supervision_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(state__in=SupervisionState.values), name="supervision_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=SupervisionState.ANSWERED)
                | (Q(answered_at__isnull=False) & ~Q(answer="")),
                name="supervision_answered_has_answer",
            ),
            # One open supervision at a time of a referral, and of a case's own step.
            models.UniqueConstraint(
                fields=["referral"],
                condition=Q(state=SupervisionState.OPEN),
                name="supervision_one_open_per_referral",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(state=SupervisionState.OPEN, referral__isnull=True),
                name="supervision_one_open_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["-opened_at", "-id"], name="supervision_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} {self.get_level_display()}"

    @property
    def is_open(self) -> bool:
        return self.state == SupervisionState.OPEN

    def answered_in_time(self) -> bool:
        return self.answered_at is not None and timezone.localdate(self.answered_at) <= self.due_on

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class CaseTally(models.Model):
    """How many cases of one kind there are: opened in a month (Beijing time) at a
    workstation, in a category, a status, answered on the spot or not, with a citizen's
    satisfaction or none. The public and staff figures add these rows up instead of
    counting cases. Written only by `visits.tallies`, in the transaction of the step
    that moves a case from one kind to another."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    workstation = models.ForeignKey(
        Workstation, on_delete=models.PROTECT, related_name="case_tallies"
    )
    category = models.CharField(max_length=20, choices=CaseCategory)
    status = models.CharField(max_length=12, choices=CaseStatus)
    answered_on_spot = models.BooleanField()
    satisfaction = models.CharField(max_length=12, choices=Satisfaction, blank=True)
    cases = models.IntegerField(default=0)
    # Of those cases, the ones resolved, and their times from opening to resolution
    # added up: the average time to close without reading a case.
    resolved = models.IntegerField(default=0)
    time_to_resolve = models.DurationField(default=timedelta)

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "year",
                    "month",
                    "workstation",
                    "category",
                    "status",
                    "answered_on_spot",
                    "satisfaction",
                ],
                name="case_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02} {self.workstation_id} {self.status}: {self.cases}"


class VisitTally(models.Model):
    """How many visits a workstation logged in a month (Beijing time), and how many
    citizens they received. Written only by `visits.tallies`."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    workstation = models.ForeignKey(Workstation, on_delete=models.PROTECT, related_name="+")
    visits = models.IntegerField(default=0)
    people = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("visit tally")
        verbose_name_plural = _("visit tallies")
        constraints = [
            models.UniqueConstraint(fields=["year", "month", "workstation"], name="visit_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02} {self.workstation_id}: {self.visits}"
