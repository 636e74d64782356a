"""The life of a personal information request: recorded (received), handled (in
progress), closed as done or refused with the reason. This module alone writes
`DataRequest.status`. Each step locks the row, checks the table and its guard, saves and
writes an audit line (the step and the statuses, never the citizen's words), in one
transaction; a refusal raises DataRequestError and changes nothing. Who may take the
steps is the callers' question (privacy.access).

Closing a deletion request as done anonymises the number's visits whose cases have all
ended, through the retention's own function (privacy.retention.anonymise). While a case
of the number is still open, done is refused: the office closes the case first, or
refuses the request and says why (the case is still being handled for the citizen).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditAction
from audit.services import audit_record
from visits.anonymising import visits_ended

from .holdings import has_open_cases
from .models import CLOSED_STATUSES, DataRequest, RequestKind, RequestStatus
from .retention import anonymise

S = RequestStatus


class Action(models.TextChoices):
    START = "start", gettext_lazy("Start handling")
    COMPLETE = "complete", gettext_lazy("Close as done")
    REFUSE = "refuse", gettext_lazy("Refuse")


TRANSITIONS: dict[str, dict[str, str]] = {
    Action.START: {S.RECEIVED: S.IN_PROGRESS},
    Action.COMPLETE: {S.RECEIVED: S.DONE, S.IN_PROGRESS: S.DONE},
    Action.REFUSE: {S.RECEIVED: S.REFUSED, S.IN_PROGRESS: S.REFUSED},
}


class DataRequestError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _target(data_request: DataRequest) -> str:
    return f"datarequest {data_request.pk}"


def request_record(*, data_request: DataRequest) -> DataRequest:
    """Save a new (unsaved) request as received. Recorded in admin, whose audit line
    ("added") says who recorded it."""
    if data_request.pk is not None:
        raise ValueError("request_record takes an unsaved request")
    data_request.status = S.RECEIVED
    try:
        data_request.full_clean()
    except ValidationError as invalid:
        raise DataRequestError(" ".join(invalid.messages)) from invalid
    data_request.save()
    return data_request


def _lock(data_request: DataRequest, action: str) -> tuple[DataRequest, str]:
    """The request read afresh under its lock, and the status the action leads to."""
    data_request = DataRequest.objects.select_for_update().get(pk=data_request.pk)
    after = TRANSITIONS[action].get(data_request.status)
    if after is None:
        raise DataRequestError(
            _("This request is “%(status)s”: it cannot be changed so.")
            % {"status": data_request.get_status_display()}
        )
    return data_request, after


def _step(
    data_request: DataRequest, action: str, *, actor, outcome: str, now, request
) -> DataRequest:
    data_request, after = _lock(data_request, action)
    return _save(
        data_request, action, after, actor=actor, outcome=outcome, now=now, request=request
    )


def _save(data_request, action, after, *, actor, outcome, now, request) -> DataRequest:
    before = data_request.status
    data_request.status, data_request.handled_by = after, actor
    fields = ["status", "handled_by"]
    if after in CLOSED_STATUSES:
        data_request.closed_on = timezone.localdate(now or timezone.now())
        data_request.outcome = outcome
        fields += ["closed_on", "outcome"]
    data_request.save(update_fields=fields)
    detail = f"{action}: {before} → {after}"
    audit_record(request, AuditAction.ADMIN, _target(data_request), detail, user=actor)
    return data_request


@transaction.atomic
def request_start(
    *, data_request: DataRequest, actor, now=None, request: HttpRequest | None = None
) -> DataRequest:
    return _step(data_request, Action.START, actor=actor, outcome="", now=now, request=request)


@transaction.atomic
def request_refuse(
    *, data_request: DataRequest, actor, reason: str, now=None, request: HttpRequest | None = None
) -> DataRequest:
    if not reason.strip():
        raise DataRequestError(_("Give the reason the request is refused."))
    return _step(
        data_request, Action.REFUSE, actor=actor, outcome=reason.strip(), now=now, request=request
    )


@transaction.atomic
def request_complete(
    *,
    data_request: DataRequest,
    actor,
    outcome: str = "",
    now: datetime.datetime | None = None,
    request: HttpRequest | None = None,
) -> DataRequest:
    """Close the request as done: a correction says what was corrected; a deletion
    anonymises the number's ended cases first, and is refused while one is open."""
    outcome = outcome.strip()
    data_request, after = _lock(data_request, Action.COMPLETE)
    if data_request.kind == RequestKind.CORRECTION and not outcome:
        raise DataRequestError(_("Write down what was corrected."))
    if data_request.kind == RequestKind.DELETION:
        outcome = _delete(data_request, outcome, now=now, request=request)
    return _save(
        data_request, Action.COMPLETE, after, actor=actor, outcome=outcome, now=now, request=request
    )


def _delete(data_request: DataRequest, outcome: str, *, now, request) -> str:
    if has_open_cases(data_request.phone):
        raise DataRequestError(
            _(
                "A case of this number is still open: close it first, or refuse the "
                "request and say why."
            )
        )
    report = anonymise(
        visits_ended().filter(visitor_phone=data_request.phone),
        apply=True,
        target=_target(data_request),
        why="deletion request",
        now=now,
        request=request,
    )
    done = _("Anonymised: %(visits)d visits, %(cases)d cases; %(messages)d messages removed.") % {
        "visits": report.visits,
        "cases": report.cases,
        "messages": report.notifications,
    }
    return f"{outcome}\n{done}".strip()
