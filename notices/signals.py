"""Who hears of a step in a case's timeline. Connected in NoticesConfig.ready to the
timeline's events only: the lifecycle writes one for every step, in the step's
transaction, so the messages are written with the step or not at all."""

from django.conf import settings
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import translation

from visits.models import CaseEvent, EventKind, Referral, Supervision

from .models import NoticeEvent
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


HEARD = {
    EventKind.REFERRED: referral_sent,
    EventKind.SUPERVISED: supervision_opened,
    EventKind.EXTENSION_GRANTED: extension_decided,
    EventKind.EXTENSION_REFUSED: extension_decided,
}


def event_written(sender, instance: CaseEvent, created: bool, raw=False, **kwargs) -> None:
    heard = HEARD.get(instance.kind)
    if created and not raw and heard is not None:
        # The messages speak the office's language, whoever took the step.
        with translation.override(settings.LANGUAGE_CODE):
            heard(instance)


def connect() -> None:
    post_save.connect(event_written, sender=CaseEvent, dispatch_uid="notices_timeline")
