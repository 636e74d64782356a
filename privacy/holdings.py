"""Everything held about one phone number, for a citizen's access request (PIPL art. 45):
the visits that give it, their cases with the timeline as the citizen sees it and the
departments' replies, and the messages sent to it. The office hands the file over; the
file is a ZIP of JSON documents, one per kind, in the site's time."""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone

from notices.models import Notification
from visits.lifecycle import TERMINAL
from visits.models import Case, Visit
from visits.online import public_timeline


@dataclass
class Holdings:
    visits: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    messages: list[dict] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.visits or self.cases or self.messages)


def _moment(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
    return f"{value:%Y-%m-%d}"


def visits_of(phone: str) -> QuerySet[Visit]:
    return Visit.objects.filter(visitor_phone=phone)


def has_open_cases(phone: str) -> bool:
    """Whether a case raised at a visit with this phone is still open."""
    return Case.objects.filter(visit__in=visits_of(phone)).exclude(status__in=TERMINAL).exists()


def counts_of(phone: str) -> dict[str, int]:
    """How many visits, cases and messages hold the number: the office's page shows it."""
    visits = visits_of(phone)
    return {
        "visits": visits.count(),
        "cases": Case.objects.filter(visit__in=visits).count(),
        "messages": Notification.objects.filter(address=phone).count(),
    }


def _visit(visit: Visit) -> dict:
    return {
        "visited_at": _moment(visit.visited_at),
        "workstation": visit.workstation.name,
        "channel": visit.get_channel_display(),
        "name": visit.visitor_name,
        "phone": visit.visitor_phone,
        "address": visit.visitor_address,
        "id_number": visit.visitor_id_number,
        "summary": visit.summary,
        "consents_to_publication": visit.consent_to_publish,
        "progress_by_sms": visit.sms_consent,
        "consented_to_processing_at": _moment(visit.privacy_consent_at),
    }


def _case(case: Case) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "description": case.description,
        "category": case.get_category_display(),
        "status": case.get_status_display(),
        "workstation": case.workstation.name,
        "created_at": _moment(case.created_at),
        "closed_at": _moment(case.closed_at),
        "satisfaction": case.get_satisfaction_display(),
        "timeline": [
            {
                "at": _moment(e.at),
                "step": str(e.label),
                "text": e.text,
                "satisfaction": e.satisfaction,
            }
            for e in public_timeline(case)
        ],
        "replies": [
            {"department": r.department.name, "replied_at": _moment(r.replied_at), "reply": r.reply}
            for r in case.referrals_in_order
            if r.reply
        ],
    }


def _message(message: Notification) -> dict:
    return {
        "created_at": _moment(message.created_at),
        "sent_at": _moment(message.sent_at),
        "channel": message.get_channel_display(),
        "event": message.get_event_display(),
        "to": message.address,
        "text": message.body,
        "status": message.get_status_display(),
    }


def holdings_of(phone: str) -> Holdings:
    visits = visits_of(phone).select_related("workstation").order_by("visited_at", "pk")
    cases = Case.objects.filter(visit__in=visits).select_related("workstation")
    messages = Notification.objects.filter(address=phone).order_by("created_at", "pk")
    return Holdings(
        visits=[_visit(v) for v in visits],
        cases=[_case(c) for c in cases.order_by("created_at", "pk")],
        messages=[_message(m) for m in messages],
    )


def holdings_zip(holdings: Holdings) -> bytes:
    """The holdings as a ZIP of visits.json, cases.json and messages.json."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("visits", "cases", "messages"):
            text = json.dumps(getattr(holdings, name), ensure_ascii=False, indent=2)
            archive.writestr(f"{name}.json", text)
    return buffer.getvalue()
