"""Who hears of a step in a case's timeline. Connected in NoticesConfig.ready to the
timeline's events only: the lifecycle writes one for every step, in the step's
transaction, so the messages are written with the step or not at all."""

from django.conf import settings
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import timezone, translation

from points.models import PointQuery
from rosters.models import DutyChange
from visits.models import CaseEvent, EventKind, Referral, ReferralRole, Supervision

from .models import Channel, NoticeEvent
from .services import Recipient, notify


def _liaisons(referral: Referral) -> list[Recipient]:
    return [Recipient(user) for user in referral.department.liaisons.filter(is_active=True)]


def _department_page(referral: Referral) -> str:
    return reverse("departments:referral_detail", args=[referral.pk])


def referral_sent(event: CaseEvent) -> None:
    referral, case = event.referral, event.case
    notify(
        NoticeEvent.REFERRAL_SENT,
        str(referral.pk),
        _liaisons(referral),
        params={
            "number": case.number,
            "title": case.title,
            "workstation": case.workstation.name,
            "department": referral.department.name,
            "due": f"{referral.next_due_on:%Y-%m-%d}",
        },
        case=case,
        link=_department_page(referral),
    )


def supervision_opened(event: CaseEvent) -> None:
    case = event.case
    supervision = (
        Supervision.objects.filter(case=case, referral=event.referral, opened_at=event.at)
        .order_by("-pk")
        .first()
    )
    if supervision is None:
        return
    if event.referral is not None:
        recipients, link = _liaisons(event.referral), _department_page(event.referral)
        supervised = event.referral.department.name
    else:
        recipients = [Recipient(user) for user in case.workstation.staff.filter(is_active=True)]
        link, supervised = reverse("desk:case_detail", args=[case.number]), case.workstation.name
    notify(
        NoticeEvent.SUPERVISION_OPENED,
        str(supervision.pk),
        recipients,
        params={
            "number": case.number,
            "title": case.title,
            "level": supervision.get_level_display(),
            "due": f"{supervision.due_on:%Y-%m-%d}",
            "supervised": supervised,
        },
        case=case,
        link=link,
    )


def extension_decided(event: CaseEvent) -> None:
    referral, case = event.referral, event.case
    extension = referral.extensions.filter(decided_at=event.at).order_by("-pk").first()
    if extension is None:
        return
    notify(
        NoticeEvent.EXTENSION_DECIDED,
        str(extension.pk),
        _liaisons(referral),
        params={
            "number": case.number,
            "title": case.title,
            "decision": extension.get_state_display(),
            "due": f"{referral.due_on:%Y-%m-%d}",
        },
        case=case,
        link=_department_page(referral),
    )


def members_assigned(event: CaseEvent) -> None:
    """Each member handling the case hears once that they are (a member already told is
    not told again when others are added)."""
    case = event.case
    for member in case.handling_members.select_related("user"):
        if member.user is None or not member.user.is_active:
            continue
        notify(
            NoticeEvent.CASE_ASSIGNED,
            f"{case.pk}:{member.pk}",
            [Recipient(member.user)],
            params={
                "member": member.name,
                "number": case.number,
                "title": case.title,
                "workstation": case.workstation.name,
            },
            case=case,
            link=reverse("desk:case_detail", args=[case.number]),
        )


# What the citizen who agreed to SMS hears of their case: first that it is registered
# (logged at the desk, or received online), with the lookup code, once.
CITIZEN_HEARS = {
    EventKind.REGISTERED: NoticeEvent.CASE_REGISTERED,
    EventKind.SUBMITTED: NoticeEvent.CASE_REGISTERED,
    EventKind.ACCEPTED: NoticeEvent.CASE_ACCEPTED,
    EventKind.REJECTED: NoticeEvent.CASE_REJECTED,
    EventKind.REFERRED: NoticeEvent.CASE_REFERRED,
    EventKind.REPLIED: NoticeEvent.CASE_REPLIED,
    EventKind.RESOLVED: NoticeEvent.CASE_RESOLVED,
}


def tell_citizen(event: CaseEvent) -> None:
    """An SMS to the citizen, if they agreed to it: of the lead department only (not of
    each co-handling one), and of the reply that moved the case, not every reply."""
    case = event.case
    visit = case.visit
    if not (visit.sms_consent and visit.visitor_phone):
        return
    referral = event.referral
    if referral is not None and referral.role != ReferralRole.LEAD:
        return
    if event.kind == EventKind.REPLIED and event.from_status == event.to_status:
        return
    notice = CITIZEN_HEARS[event.kind]
    # The plain code exists only on the instance just opened (visits.Case).
    lookup_code = case.issued_lookup_code
    if notice == NoticeEvent.CASE_REGISTERED and not lookup_code:
        return  # opened without a code (in admin): nothing to look up with
    notify(
        notice,
        f"event{event.pk}",
        [Recipient(address=visit.visitor_phone, known_as=f"visit{visit.pk}")],
        params={
            "number": case.number,
            "workstation": case.workstation.name,
            "department": referral.department.name if referral else "",
            "reason": event.note,
            **({"lookup_code": lookup_code} if notice == NoticeEvent.CASE_REGISTERED else {}),
            "track_url": f"{settings.SITE_URL}/track/",
        },
        case=case,
        channels=[Channel.SMS],
    )


HEARD = {
    EventKind.REFERRED: referral_sent,
    EventKind.SUPERVISED: supervision_opened,
    EventKind.EXTENSION_GRANTED: extension_decided,
    EventKind.EXTENSION_REFUSED: extension_decided,
    EventKind.ASSIGNED: members_assigned,
}


def event_written(sender, instance: CaseEvent, created: bool, raw=False, **kwargs) -> None:
    if not created or raw:
        return
    heard = HEARD.get(instance.kind)
    # The messages speak the office's language, whoever took the step.
    with translation.override(settings.LANGUAGE_CODE):
        if heard is not None:
            heard(instance)
        if instance.kind in CITIZEN_HEARS:
            tell_citizen(instance)


def duty_changed(sender, instance: DutyChange, created: bool, raw=False, **kwargs) -> None:
    """The member who takes a duty over hears of it: the substitute of one on leave, and
    each of two members who swapped (of the shift they now hold)."""
    if not created or raw or instance.kind == DutyChange.Kind.ATTENDANCE:
        return
    assignment = instance.assignment
    if instance.kind == DutyChange.Kind.LEAVE:
        taking, instead_of = assignment.substitute, assignment.member.name
    else:
        # The swap's record names who gave the shift up first (rosters.duties).
        taking, instead_of = assignment.member, instance.detail.split(" → ", 1)[0]
    if taking is None or taking.user is None or not taking.user.is_active:
        return
    shift = assignment.shift
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            NoticeEvent.DUTY_CHANGED,
            f"{instance.pk}",
            [Recipient(taking.user)],
            params={
                "member": taking.name,
                "instead_of": instead_of,
                "workstation": shift.workstation.name,
                "address": shift.workstation.address,
                "date": f"{shift.date:%Y-%m-%d}",
                "time": f"{shift.starts_at:%H:%M}–{shift.ends_at:%H:%M}",
            },
            link=reverse("rosters:my_duties"),
        )


def query_answered(sender, instance: PointQuery, raw=False, **kwargs) -> None:
    """The member hears once that the office answered their report-card query (the
    office correcting its answer later does not tell them again)."""
    if raw or not instance.answer.strip() or not instance.asked_by.is_active:
        return
    entry = instance.entry
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            NoticeEvent.QUERY_ANSWERED,
            str(instance.pk),
            [Recipient(instance.asked_by)],
            params={
                "member": entry.member.name,
                "year": entry.year,
                "category": entry.get_category_display(),
                "asked": f"{timezone.localtime(instance.asked_at):%Y-%m-%d}",
            },
            link=f"{reverse('points:my_card')}?year={entry.year}",
        )


def connect() -> None:
    post_save.connect(event_written, sender=CaseEvent, dispatch_uid="notices_timeline")
    post_save.connect(duty_changed, sender=DutyChange, dispatch_uid="notices_duties")
    post_save.connect(query_answered, sender=PointQuery, dispatch_uid="notices_queries")
