"""What is due, found on a schedule (`manage.py send_reminders`, every few minutes), in
the daytime (08:00–21:00): each member on duty tomorrow hears of it (the one standing in
for a member on leave, in their place); a department's liaisons hear of a referral due
the next working day and of one overdue (once per due date); the desk's staff get a
morning digest of what is overdue and supervised; the office, on Mondays, a summary of
the network's late work. At any hour, a message whose delivery
was lost (a worker killed before it ran the task) is queued again. Safe to run any
number of times: a message is written once."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from rosters.models import DutyAssignment
from visits.lifecycle import TERMINAL
from visits.models import (
    OPEN_REFERRAL_STATES,
    Case,
    Referral,
    ReferralState,
    Supervision,
    SupervisionState,
)
from visits.selectors import owed_on
from workdays.calendar import CalendarMissing, add_working_days
from workstations import roles

from .models import Channel, NoticeEvent, NoticeStatus, Notification
from .services import Recipient, channels_for, notify
from .tasks import enqueue_delivery

# A message queued this long ago and still waiting was lost on its way to a worker.
STALE_AFTER = timedelta(minutes=10)
# Reminders are written in the daytime only (local hours, end excluded).
DAYTIME = (8, 21)


def remind_duties(today: date) -> int:
    tomorrow = today + timedelta(days=1)
    assignments = (
        DutyAssignment.objects.filter(shift__date=tomorrow)
        .filter(Q(on_leave=False) | Q(substitute__isnull=False))
        .select_related(
            "shift__workstation", "shift__holding_group", "member__user", "substitute__user"
        )
    )
    made = 0
    with translation.override(settings.LANGUAGE_CODE):
        for assignment in assignments:
            member = assignment.substitute if assignment.on_leave else assignment.member
            if member.user is None or not member.user.is_active:
                continue
            shift = assignment.shift
            made += len(
                notify(
                    NoticeEvent.DUTY_TOMORROW,
                    f"{assignment.pk}:{member.pk}",
                    [Recipient(member.user)],
                    params={
                        "member": member.name,
                        "workstation": shift.workstation.name,
                        "address": shift.workstation.address,
                        "date": f"{shift.date:%Y-%m-%d}",
                        "time": f"{shift.starts_at:%H:%M}–{shift.ends_at:%H:%M}",
                        "group": shift.holding_group.name if shift.holding_group else "—",
                    },
                    link=reverse("rosters:my_duties"),
                    channels=channels_for(member.user),
                )
            )
    return made


def remind_departments(today: date) -> int:
    """The liaisons of each department with open referrals due the next working day, or
    overdue: once per referral and due date (a new date after more time is granted is
    reminded again)."""
    try:
        next_working_day = add_working_days(today, 1)
    except CalendarMissing:
        next_working_day = None  # a year not entered yet: only the overdue are told
    referrals = (
        Referral.objects.filter(state__in=OPEN_REFERRAL_STATES, department__liaisons__isnull=False)
        .annotate(owed_on=owed_on())
        .filter(Q(owed_on__lt=today) | Q(owed_on=next_working_day))
        .select_related("case", "department")
        .prefetch_related("department__liaisons")
        .distinct()
        .order_by("pk")
    )
    made = 0
    for referral in referrals:
        event = (
            NoticeEvent.REFERRAL_OVERDUE
            if referral.owed_on < today
            else (NoticeEvent.REFERRAL_DUE_SOON)
        )
        signature = referral.state == ReferralState.SENT and referral.owed_on != referral.due_on
        liaisons = [u for u in referral.department.liaisons.all() if u.is_active]
        made += len(
            notify(
                event,
                f"{referral.pk}:{referral.owed_on}",
                [Recipient(user) for user in liaisons],
                params={
                    "number": referral.case.number,
                    "title": referral.case.title,
                    "owed": _("signature (签收)")
                    if signature
                    else pgettext("what a department owes", "reply"),
                    "due": f"{referral.owed_on:%Y-%m-%d}",
                },
                case=referral.case,
                link=reverse("departments:referral_detail", args=[referral.pk]),
            )
        )
    return made


def _count_by(rows, field: str) -> dict[int, int]:
    return dict(rows.values_list(field).annotate(n=Count("pk")).order_by())


def digest_staff(today: date) -> int:
    """Each staff member of a workstation with overdue cases or open supervisions: how
    many, once a day."""
    made = 0
    # Counted per workstation once, in two queries, then added up for each staff member.
    overdue_at = _count_by(
        Case.objects.filter(next_due_on__lt=today).exclude(status__in=TERMINAL), "workstation"
    )
    supervised_at = _count_by(
        Supervision.objects.filter(state=SupervisionState.OPEN), "case__workstation"
    )
    staff = (
        get_user_model()
        .objects.filter(
            is_active=True, groups__name=roles.STAFF, staffed_workstations__isnull=False
        )
        .distinct()
    )
    for user in staff.prefetch_related("staffed_workstations"):
        workstation_ids = [w.pk for w in user.staffed_workstations.all()]
        overdue = sum(overdue_at.get(pk, 0) for pk in workstation_ids)
        supervised = sum(supervised_at.get(pk, 0) for pk in workstation_ids)
        if overdue or supervised:
            made += len(
                notify(
                    NoticeEvent.STAFF_DIGEST,
                    f"{today}",
                    [Recipient(user)],
                    params={
                        "date": f"{today:%Y-%m-%d}",
                        "overdue": overdue,
                        "supervised": supervised,
                    },
                    link=reverse("desk:dashboard"),
                )
            )
    return made


def summarise_week(today: date) -> int:
    """On Mondays, the district office's summary of the network's late work: overdue
    cases and referrals, supervisions waiting and those past their day. Once a week."""
    if today.weekday() != 0:
        return 0
    overdue_cases = Case.objects.filter(next_due_on__lt=today).exclude(status__in=TERMINAL)
    overdue_referrals = (
        Referral.objects.filter(state__in=OPEN_REFERRAL_STATES)
        .annotate(owed_on=owed_on())
        .filter(owed_on__lt=today)
    )
    waiting = Supervision.objects.filter(state=SupervisionState.OPEN)
    year, week, _day = today.isocalendar()
    params = {
        "week": f"{year}-W{week:02d}",
        "overdue_cases": overdue_cases.count(),
        "overdue_referrals": overdue_referrals.count(),
        "supervisions": waiting.count(),
        "supervisions_late": waiting.filter(due_on__lt=today).count(),
    }
    office = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=roles.ADMINISTRATORS))
    )
    return len(
        notify(
            NoticeEvent.OFFICE_WEEKLY,
            params["week"],
            [Recipient(user) for user in office.distinct().order_by("pk")],
            params=params,
            link=reverse("departments:supervision_list"),
        )
    )


def requeue_stale(now, stale_after: timedelta = STALE_AFTER) -> int:
    """Queue again the messages waiting for a delivery that never ran."""
    stale = Notification.objects.filter(
        status__in=(NoticeStatus.QUEUED, NoticeStatus.FAILED),
        send_after__lte=now,
    ).exclude(channel=Channel.INBOX)
    stale = stale.filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - stale_after))
    count = 0
    for notification in stale.only("pk", "send_after"):
        enqueue_delivery(notification)
        count += 1
    return count


def send_reminders(now=None, stale_after: timedelta = STALE_AFTER) -> tuple[int, int]:
    """The reminders written (in the daytime) and the lost messages queued again."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    reminded = 0
    if DAYTIME[0] <= local.hour < DAYTIME[1]:
        today = local.date()
        with translation.override(settings.LANGUAGE_CODE):
            reminded = (
                remind_duties(today)
                + remind_departments(today)
                + digest_staff(today)
                + summarise_week(today)
            )
    return reminded, requeue_stale(now, stale_after)
