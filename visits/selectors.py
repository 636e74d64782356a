"""Reading cases for staff pages: filtering, keyset pages, dashboard figures.

Pages are cut by keyset (the last row's sort value and id), not OFFSET: a deep
page costs what the first one does, and no COUNT over the whole table is run.
"""

import base64
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from base.encrypted import keyed_hash
from workstations.validators import normalise_id_number

from .forms import CaseFilterForm
from .lifecycle import TERMINAL
from .models import (
    OPEN_REFERRAL_STATES,
    Case,
    CaseCategory,
    CaseStatus,
    Referral,
    ReferralState,
    Supervision,
    SupervisionState,
    Visit,
)
from .search import search

PAGE_SIZE = 50


def filter_cases(
    cases: QuerySet[Case], form: CaseFilterForm, today: date | None = None
) -> QuerySet[Case]:
    data = form.cleaned_data
    today = today or timezone.localdate()
    if data.get("q"):
        cases = search(cases, data["q"])
    if data.get("workstation"):
        cases = cases.filter(workstation=data["workstation"])
    if data.get("status"):
        cases = cases.filter(status=data["status"])
    if data.get("category"):
        cases = cases.filter(category=data["category"])
    if data.get("department"):
        cases = cases.filter(
            Exists(Referral.objects.filter(case=OuterRef("pk"), department=data["department"]))
        )
    if data.get("member"):
        through = Case.handling_members.through
        cases = cases.filter(
            Exists(through.objects.filter(case=OuterRef("pk"), member=data["member"]))
        )
    if data.get("overdue"):
        cases = cases.filter(next_due_on__lt=today)
    if data.get("created_from"):
        cases = cases.filter(created_at__date__gte=data["created_from"])
    if data.get("created_to"):
        cases = cases.filter(created_at__date__lte=data["created_to"])
    field = CaseFilterForm.SORTS[form.sort_key][0]
    if field.lstrip("-") == "next_due_on":
        cases = cases.filter(next_due_on__isnull=False)
    return cases


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode(value, pk: int) -> str:
    raw = f"{value.isoformat()}|{pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, field: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        text, pk = raw.rsplit("|", 1)
        value = parse_date(text) if field == "next_due_on" else parse_datetime(text)
        if value is None:
            return None
        if isinstance(value, datetime):
            # Cursors written here carry aware times; a naive one was made up. Converting
            # now turns a time near year 1 or 9999 into an error here, not in the query.
            if timezone.is_naive(value):
                return None
            value = value.astimezone(UTC)
        return value, int(pk)
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None


def keyset_page(
    cases: QuerySet[Case],
    sort_field: str,
    *,
    after: str = "",
    before: str = "",
    size: int = PAGE_SIZE,
) -> Page:
    """One page of `cases` ordered by `sort_field` then id; `after`/`before` are cursors.

    A cursor that does not decode gives the first page.
    """
    name = sort_field.lstrip("-")
    descending = sort_field.startswith("-")
    order = [sort_field, "-pk" if descending else "pk"]
    reverse = [f"-{name}" if not descending else name, "pk" if descending else "-pk"]
    cursor = _decode(before or after, name) if (before or after) else None
    backwards = bool(before) and cursor is not None
    if cursor:
        value, pk = cursor
        forward_is_less = descending != backwards
        op = "lt" if forward_is_less else "gt"
        # The plain bound (<= or >=) lets the index start at the cursor; the OR breaks ties.
        cases = cases.filter(**{f"{name}__{op}e": value}).filter(
            Q(**{f"{name}__{op}": value}) | Q(**{name: value, f"pk__{op}": pk})
        )
    rows = with_labels(cases.order_by(*(reverse if backwards else order))[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first, last = (rows[0], rows[-1]) if rows else (None, None)
    has_next = more if not backwards else True
    has_previous = (cursor is not None) if not backwards else more
    return Page(
        rows=rows,
        next_cursor=_encode(getattr(last, name), last.pk) if rows and has_next else None,
        previous_cursor=_encode(getattr(first, name), first.pk) if rows and has_previous else None,
    )


def with_labels(cases) -> list[Case]:
    """The rows with their status and category labels, translated once per page:
    Django's get_FOO_display rebuilds and translates the whole choice list per call."""
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    categories = {value: str(label) for value, label in CaseCategory.choices}
    rows = list(cases)
    for case in rows:
        case.status_label = statuses[case.status]
        case.category_label = categories[case.category]
    return rows


def case_rows(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a list row shows, fetched in the same query."""
    return cases.select_related("workstation").only(
        "number",
        "title",
        "category",
        "status",
        "next_due_on",
        "created_at",
        "updated_at",
        "answered_on_spot",
        "workstation__name",
    )


# --- the office's supervision list -----------------------------------------------------

SUPERVISION_LIST_SIZE = 200


def _supervised(**outer) -> Exists:
    return Exists(
        Supervision.objects.filter(state=SupervisionState.OPEN, **outer),
    )


def owed_on() -> models.Case:
    """Referral.next_due_on, in SQL (for an open referral): the signature's day while it is
    only sent, then the reply's."""
    return models.Case(
        models.When(
            state=ReferralState.SENT,
            acknowledge_due_on__lt=F("due_on"),
            then=F("acknowledge_due_on"),
        ),
        default=F("due_on"),
    )


def late_referrals(today: date, referrals: QuerySet[Referral] | None = None) -> QuerySet[Referral]:
    """Open referrals (of `referrals`, by default all) past what the department owes next
    (its signature, then its reply), not under an open supervision; the longest late first."""
    late = Q(due_on__lt=today) | Q(state=ReferralState.SENT, acknowledge_due_on__lt=today)
    referrals = Referral.objects.all() if referrals is None else referrals
    return (
        referrals.filter(late, state__in=OPEN_REFERRAL_STATES)
        .exclude(_supervised(referral=OuterRef("pk")))
        .select_related("case__workstation", "department")
        .annotate(owed_on=owed_on())
        .order_by("owed_on", "pk")[:SUPERVISION_LIST_SIZE]
    )


def under_supervision() -> Exists:
    """Annotates referrals with whether the office supervises them now."""
    return _supervised(referral=OuterRef("pk"))


def late_case_steps(today: date) -> QuerySet[Case]:
    """Open cases past their own step's deadline (the workstation's to meet), not under an
    open supervision of the case itself; the longest late first."""
    return (
        Case.objects.filter(step_due_on__lt=today)
        .exclude(status__in=TERMINAL)
        .exclude(_supervised(case=OuterRef("pk"), referral=None))
        .select_related("workstation")
        .order_by("step_due_on", "pk")[:SUPERVISION_LIST_SIZE]
    )


def supervisions(
    state: str, limit: int = SUPERVISION_LIST_SIZE, cases: QuerySet[Case] | None = None
) -> QuerySet[Supervision]:
    """The supervisions in `state` (of `cases`, by default all): those waiting, the nearest
    day first; those answered, the latest first."""
    ordering = ("due_on", "pk") if state == SupervisionState.OPEN else ("-answered_at", "-pk")
    chosen = Supervision.objects.filter(state=state)
    if cases is not None:
        chosen = chosen.filter(case__in=cases)
    return chosen.select_related("case__workstation", "referral__department").order_by(*ordering)[
        :limit
    ]


def visits_with_id_number(number: str) -> QuerySet[Visit]:
    """The visits of the citizen with this ID number, found by its keyed hash (the number
    itself is stored only encrypted): for the office answering an access request. Unscoped:
    the caller decides who may ask."""
    number = normalise_id_number(number)
    if not number:
        return Visit.objects.none()
    return Visit.objects.filter(visitor_id_number_hash=keyed_hash(number))
