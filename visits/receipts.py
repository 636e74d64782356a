"""The receipt slips a liaison hands to citizens at the desk: each case's lookup code
waits in the liaison's session, server-side, until its slip is shown once (or for
RECEIPT_SECONDS at most); then only its hash remains anywhere."""

import time

from django.contrib.sessions.backends.base import SessionBase

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
