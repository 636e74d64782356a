"""The week's duty as a page lists it: each shift with the names of its members."""

from dataclasses import dataclass, field
from datetime import date, time

from django.db.models import QuerySet

from .models import DutyShift


@dataclass
class DutyRow:
    date: date
    starts_at: time
    ends_at: time
    workstation_name: str
    group_name: str | None
    theme: str
    members: list[str] = field(default_factory=list)


def duty_rows(shifts: QuerySet[DutyShift]) -> list[DutyRow]:
    """`shifts` by date, time and the office's order of workstations, each with its
    members' names in the order they were put on duty: one query (an outer join, so a
    shift nobody holds is listed with no name)."""
    rows: dict[int, DutyRow] = {}
    for pk, day, starts_at, ends_at, workstation, group, theme, member in shifts.order_by(
        "date", "starts_at", "workstation__ordering", "pk", "assignments__pk"
    ).values_list(
        "pk", "date", "starts_at", "ends_at", "workstation__name", "holding_group__name",
        "theme", "assignments__member__name",
    ):  # fmt: skip
        row = rows.get(pk)
        if row is None:
            row = rows[pk] = DutyRow(day, starts_at, ends_at, workstation, group, theme)
        if member is not None:
            row.members.append(member)
    return list(rows.values())
