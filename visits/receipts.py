"""The receipt slips a liaison hands to citizens at the desk: each case's lookup code
waits in the liaison's session, server-side, until its slip is shown once (or for
RECEIPT_SECONDS at most); then only its hash remains anywhere. And what every receipt
shows besides (the desk's slip and the online submitter's page): the time limit and the
address to follow the case at, to type or to scan."""

import time
from dataclasses import dataclass
from datetime import date

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from base.qr import qr_svg

from . import time_limits
from .lifecycle import TERMINAL
from .models import Case, CaseStatus

PENDING = "visits_pending_receipts"
RECEIPT_SECONDS = 15 * 60


def receipts_keep(session: SessionBase, codes: dict[str, str]) -> None:
    """Keep each tracking number's new lookup code for its one showing."""
    until = time.time() + RECEIPT_SECONDS
    session[PENDING] = _unexpired(session) | {
        number: {"code": code, "until": until} for number, code in codes.items()
    }


def receipts_pending(session: SessionBase) -> set[str]:
    """The tracking numbers whose slip is still to be shown."""
    return set(_unexpired(session))


def receipt_take(session: SessionBase, number: str) -> str | None:
    """The case's lookup code, this once; None when it was shown or has expired."""
    pending = _unexpired(session)
    shown = pending.pop(number, None)
    session[PENDING] = pending
    return shown["code"] if shown else None


def _unexpired(session: SessionBase) -> dict[str, dict]:
    now = time.time()
    return {n: kept for n, kept in session.get(PENDING, {}).items() if kept["until"] > now}


def track_address(request: HttpRequest) -> str:
    """Where a citizen follows a case: the /track/ page and nothing more. Never the number
    or the code in it: an address ends up in browser histories, server logs and photos."""
    return request.build_absolute_uri(reverse("public:track"))


def receipt_context(request: HttpRequest, case: Case) -> dict:
    """The receipt's time limit, and the tracking address as text and as a QR code."""
    address = track_address(request)
    return {
        "limit": receipt_limit(case),
        "track_url": address,
        "track_qr": qr_svg(address, title=_("QR code of the address to follow your case")),
    }


@dataclass(frozen=True)
class ReceiptLimit:
    """What a receipt says about time: an online submission not yet accepted is accepted
    within `working_days` (by `accept_by` when the calendar knows those days); an accepted
    case names its next deadline, if it has one. An ended case promises nothing."""

    accepted: bool
    working_days: int | None = None
    accept_by: date | None = None
    next_due_on: date | None = None


def receipt_limit(case: Case) -> ReceiptLimit | None:
    if case.status in TERMINAL:
        return None
    if case.status == CaseStatus.SUBMITTED:
        submitted_on = timezone.localdate(case.created_at)
        return ReceiptLimit(
            accepted=False,
            working_days=time_limits.working_days(
                time_limits.Step.ACCEPT, on=submitted_on, category=case.category
            ),
            accept_by=case.step_due_on,
        )
    return ReceiptLimit(accepted=True, next_due_on=case.next_due_on)
