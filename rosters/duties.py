"""Changes to duty assignments after the roster is made: attendance, leave, swaps.

Before a shift starts its duties may be handed to a substitute (leave) or swapped; once
it has started, attendance is recorded. So leave, swap and attendance of one duty never
contradict each other, and a duty scores points (see points.facts) only for what
happened. Each change runs in one transaction, locks the rows it changes, and writes a
DutyChange saying who did it. Refusals raise DutyError and change nothing. Permission
to act is checked by the callers: the roster pages and admin.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from members.models import Member

from .models import Attendance, DutyAssignment, DutyChange, DutyShift


class DutyError(Exception):
    """A change that cannot be made; its message is meant for the user."""


def _locked(assignment: DutyAssignment) -> DutyAssignment:
    return (
        DutyAssignment.objects.select_for_update()
        .select_related("shift__workstation", "member")
        .get(pk=assignment.pk)
    )


def _at_the_time_of(shift: DutyShift) -> QuerySet[DutyAssignment]:
    """The duties held while `shift` is: on its day, at a time overlapping it (its own
    duties among them). A member with one of them, as its member or standing in, is on
    duty at that time: the one rule of "free at that time"."""
    return DutyAssignment.objects.filter(
        shift__date=shift.date,
        shift__starts_at__lt=shift.ends_at,
        shift__ends_at__gt=shift.starts_at,
    )


def on_duty_at_the_time_of(assignment: DutyAssignment) -> set[int]:
    """The members on duty while `assignment`'s shift is held, this duty aside: those
    `_check_free` refuses as its substitute for being busy. One query."""
    busy: set[int] = set()
    for pair in (
        _at_the_time_of(assignment.shift)
        .exclude(pk=assignment.pk)
        .values_list("member_id", "substitute_id")
    ):
        busy.update(pk for pk in pair if pk is not None)
    return busy


def _check_free(member: Member, assignment: DutyAssignment) -> None:
    """`member` can take `assignment`'s shift: active, not on it, not elsewhere at that time."""
    if not member.is_active:
        raise DutyError(_("%(name)s is no longer an active member.") % {"name": member.name})
    if member.pk == assignment.member_id:
        raise DutyError(_("A member cannot stand in for themselves."))
    busy = (
        _at_the_time_of(assignment.shift)
        .filter(Q(member=member) | Q(substitute=member))
        .exclude(pk=assignment.pk)
    )
    if busy.exists():
        raise DutyError(_("%(name)s is already on duty at that time.") % {"name": member.name})


def _check_open(assignment: DutyAssignment) -> None:
    """Nothing is recorded on the duty yet: it may still be handed on or swapped."""
    if assignment.on_leave:
        raise DutyError(
            _("%(name)s is already on leave from this duty; %(substitute)s stands in.")
            % {"name": assignment.member.name, "substitute": assignment.substitute.name}
        )
    if assignment.attendance != Attendance.SCHEDULED:
        raise DutyError(
            _("%(name)s's duty is already “%(state)s”.")
            % {"name": assignment.member.name, "state": assignment.get_attendance_display()}
        )


@transaction.atomic
def assignment_mark_attendance(
    *,
    assignment: DutyAssignment,
    attendance: str,
    actor,
    substitute: Member | None = None,
    now: datetime | None = None,
) -> DutyAssignment:
    """Record who came, once the shift has started; a later record corrects an earlier one.

    On a duty with leave the record is about the substitute: substituted when they (or
    the `substitute` named now) came, absent when nobody did. The member on leave is
    never recorded as attended or absent, and the leave stays."""
    assignment = _locked(assignment)
    if not assignment.shift.has_started(now):
        raise DutyError(_("Attendance can only be recorded once the shift has started."))
    if attendance not in Attendance.values or attendance == Attendance.SCHEDULED:
        raise DutyError(_("Choose attended, absent or substituted."))
    if assignment.on_leave:
        if attendance == Attendance.ATTENDED:
            raise DutyError(
                _(
                    "%(name)s is on leave from this duty: record whether %(substitute)s "
                    "came (substituted) or not (absent)."
                )
                % {"name": assignment.member.name, "substitute": assignment.substitute.name}
            )
        if attendance == Attendance.ABSENT or substitute is None:
            substitute = assignment.substitute
    if attendance == Attendance.SUBSTITUTED:
        if substitute is None:
            raise DutyError(_("Name the member who took the shift."))
        if substitute.pk != assignment.substitute_id:
            _check_free(substitute, assignment)
    elif not assignment.on_leave:
        substitute = None
    assignment.attendance, assignment.substitute = attendance, substitute
    assignment.save(update_fields=["attendance", "substitute"])
    detail = assignment.get_attendance_display()
    if substitute:
        detail += f"：{substitute.name}"
    DutyChange.objects.create(
        assignment=assignment, kind=DutyChange.Kind.ATTENDANCE, by=actor, detail=detail
    )
    return assignment


def assignments_record_past_attendance(
    duties: Iterable[tuple[DutyAssignment, str]], *, now: datetime | None = None
) -> list[DutyAssignment]:
    """Create, in one bulk write, duties of shifts already held with who came (attended
    or absent): a roster loaded as it happened (the demo's past weeks), not a record
    someone made, so no DutyChange is written and the ledger is rebuilt afterwards.
    Refuses a duty whose shift has not started by `now`, and any other record."""
    made = []
    for assignment, attendance in duties:
        if assignment.pk is not None:
            raise ValueError("assignments_record_past_attendance takes unsaved duties")
        if attendance not in (Attendance.ATTENDED, Attendance.ABSENT):
            raise DutyError(_("Choose attended or absent."))
        if not assignment.shift.has_started(now):
            raise DutyError(_("Attendance can only be recorded once the shift has started."))
        assignment.attendance = attendance
        made.append(assignment)
    return DutyAssignment.objects.bulk_create(made)


@transaction.atomic
def assignment_take_leave(
    *,
    assignment: DutyAssignment,
    substitute: Member,
    reason: str,
    actor,
    now: datetime | None = None,
) -> DutyAssignment:
    """A member asks for leave (请假) from a coming shift; the substitute will stand in.
    Nothing is scored until the shift's attendance is recorded."""
    if not reason.strip():
        raise DutyError(_("Give the reason for the leave."))
    assignment = _locked(assignment)
    if assignment.shift.has_started(now):
        raise DutyError(_("Leave is asked for before a shift, not after it."))
    _check_open(assignment)
    _check_free(substitute, assignment)
    assignment.on_leave, assignment.substitute = True, substitute
    assignment.save(update_fields=["on_leave", "substitute"])
    DutyChange.objects.create(
        assignment=assignment,
        kind=DutyChange.Kind.LEAVE,
        by=actor,
        detail=f"{substitute.name}：{reason}"[:300],
    )
    return assignment


@transaction.atomic
def assignments_swap(
    *,
    first: DutyAssignment,
    second: DutyAssignment,
    actor,
    reason: str = "",
    now: datetime | None = None,
) -> tuple[DutyAssignment, DutyAssignment]:
    """Two members exchange their coming shifts."""
    pair = sorted([first, second], key=lambda a: a.pk)  # lock in one order: no deadlock
    first, second = (_locked(a) for a in pair)
    if first.shift_id == second.shift_id:
        raise DutyError(_("Both duties are on the same shift."))
    for assignment in (first, second):
        if assignment.shift.has_started(now):
            raise DutyError(_("Only coming shifts can be swapped."))
        _check_open(assignment)
    a, b = first.member, second.member
    # Each takes the other's shift: check each is free then, ignoring the duty they give up.
    for member, target, own in ((a, second, first), (b, first, second)):
        clash = (
            _at_the_time_of(target.shift)
            .filter(Q(member=member) | Q(substitute=member))
            .exclude(pk__in=[own.pk, target.pk])
        )
        if clash.exists():
            raise DutyError(_("%(name)s is already on duty at that time.") % {"name": member.name})
    first.member, second.member = b, a
    first.save(update_fields=["member"])
    second.save(update_fields=["member"])
    note = reason[:200]
    # One by one, not in bulk: whoever hears of duty changes hears of these too.
    for assignment, giving, taking in ((first, a, b), (second, b, a)):
        DutyChange.objects.create(
            assignment=assignment,
            kind=DutyChange.Kind.SWAP,
            by=actor,
            detail=f"{giving.name} → {taking.name} {note}".strip(),
        )
    return first, second
