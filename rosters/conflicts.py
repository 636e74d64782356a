"""Conflicts in the saved roster, for admin: the same three the generator's preview checks.

Each is an EXISTS subquery annotated on the shifts, so the changelist can both show and
filter them in the one query that lists the shifts.
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce

from .models import Attendance, DutyAssignment, DutyShift
from .rotation import ConflictKind

# The annotation that flags each kind on a shift.
FLAGS = {
    ConflictKind.OVERLAP: "has_overlap",
    ConflictKind.INACTIVE: "has_inactive",
    ConflictKind.EMPTY: "has_nobody",
}


def _on_duty() -> QuerySet[DutyAssignment]:
    # Who actually stands the duty: the substitute when there is one.
    return DutyAssignment.objects.annotate(person=Coalesce("substitute_id", "member_id"))


def with_conflicts(shifts: QuerySet[DutyShift]) -> QuerySet[DutyShift]:
    """Annotate has_overlap (someone on duty here is on another shift at the same time),
    has_inactive (a scheduled member is no longer active) and has_nobody."""
    elsewhere = (
        _on_duty()
        .filter(
            person=OuterRef("person"),
            shift__date=OuterRef("shift__date"),
            shift__starts_at__lt=OuterRef("shift__ends_at"),
            shift__ends_at__gt=OuterRef("shift__starts_at"),
        )
        .exclude(shift=OuterRef("shift"))
    )
    here = DutyAssignment.objects.filter(shift=OuterRef("pk"))
    return shifts.annotate(
        has_overlap=Exists(_on_duty().filter(shift=OuterRef("pk")).filter(Exists(elsewhere))),
        has_inactive=Exists(
            here.filter(
                attendance=Attendance.SCHEDULED, substitute__isnull=True, member__is_active=False
            )
        ),
        has_nobody=~Exists(here),
    )


def shift_conflicts(shift: DutyShift) -> list[str]:
    """The labels of the conflicts an annotated shift has."""
    return [str(kind.label) for kind, flag in FLAGS.items() if getattr(shift, flag, False)]
