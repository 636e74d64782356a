"""Duty rosters to and from Excel: export, edit in Excel, import back.

One row per shift. Members are named in one cell, separated by "、"; a hidden last
column carries their ids in the same order, so that two members of the same name
round-trip exactly. Names rule: the id column only chooses between members who share
a name, so a sheet edited by hand (names typed, ids left stale) still imports.

An exported sheet opens with a title row (what it covers, when it was exported) above
the header; the import passes over it, and reads sheets without one (older exports,
sheets made by hand) as well.

The import checks every row before writing anything: any bad row and nothing is
imported, and each bad row is reported by its row number in the sheet.
"""

import datetime
import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from django import forms
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from base.spreadsheets import title_line, write_sheet
from members.models import ActivityGroup, Member
from workstations.models import Workstation

from .models import DutyAssignment, DutyChange, DutyShift

SEPARATOR = "、"
# Separators people type instead of "、" when they edit the members cell by hand.
_LOOSE_SEPARATORS = (",", "，", ";", "；", "\n")
MAX_ROWS = 5000
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_COLUMNS = 8  # workstation, date, start, end, group, theme, members, member ids
_THEME_MAX = DutyShift._meta.get_field("theme").max_length


def _header() -> list[str]:
    return [
        _("Workstation"), _("Date"), _("Starts at"), _("Ends at"), _("Holding group"),
        _("Theme"), _("Members"), _("Member ids (do not edit)"),
    ]  # fmt: skip


def _title(shifts: list[DutyShift]) -> str:
    """The sheet's subject and what the selection covers: its workstations and dates."""
    words = []
    if shifts:
        names = dict.fromkeys(shift.workstation.name for shift in shifts)
        words.append((_("Workstation"), SEPARATOR.join(names)))
        first, last = shifts[0].date, shifts[-1].date
        dates = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        words.append((_("Date"), dates))
    words.append((_("Shifts"), str(len(shifts))))
    return title_line(_("Duty roster"), words)


def roster_export(shifts) -> bytes:
    """The shifts as an .xlsx workbook, one row per shift, in date order, below a title
    row and the header."""
    shifts = list(
        shifts.select_related("workstation", "holding_group")
        .prefetch_related("assignments__member")
        .order_by("date", "starts_at", "workstation__ordering", "workstation__name", "pk")
    )
    rows = []
    for shift in shifts:
        members = [assignment.member for assignment in shift.assignments.all()]
        rows.append(
            [
                shift.workstation.name,
                shift.date,
                shift.starts_at,
                shift.ends_at,
                shift.holding_group.name if shift.holding_group else "",
                shift.theme,
                SEPARATOR.join(member.name for member in members),
                SEPARATOR.join(str(member.pk) for member in members),
            ]
        )
    book = Workbook(write_only=True)
    # Text a spreadsheet would run as a formula ("=…") is written as text: no injection,
    # and the round trip gives back exactly what was exported.
    write_sheet(
        book, _("Duty roster"), title=_title(shifts), header=_header(), rows=rows, hidden={_COLUMNS}
    )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext_lazy("The file is larger than 5 MB."))
        return upload


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows; 0 for the file as a whole
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    workstation: Workstation
    date: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    group: ActivityGroup | None
    theme: str
    member_ids: list[int]

    @property
    def key(self) -> tuple[int, datetime.date, datetime.time]:
        return (self.workstation.pk, self.date, self.starts_at)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _split(value) -> list[str]:
    text = _text(value)
    for separator in _LOOSE_SEPARATORS:
        text = text.replace(separator, SEPARATOR)
    return [part.strip() for part in text.split(SEPARATOR) if part.strip()]


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _parse_time(value) -> datetime.time | None:
    if isinstance(value, datetime.datetime):
        return value.time()
    if isinstance(value, datetime.time):
        return value
    text = _text(value).replace("：", ":")
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    return None


def _is_title(values: tuple) -> bool:
    """Whether a first row is an export's title: text in its first cell only. (A header,
    in an exported sheet or one made by hand, names several columns.)"""
    return bool(values) and _text(values[0]) != "" and all(_text(v) == "" for v in values[1:])


def _read_sheet(file) -> list[tuple[int, tuple]] | RowError:
    """The non-blank data rows with their Excel row numbers, or what is wrong with the file."""
    not_a_workbook = RowError(0, _("The file is not an Excel workbook (.xlsx)."))
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return not_a_workbook
    try:
        rows = []
        header_row = 1
        for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
            if number == 1 and _is_title(values):
                header_row = 2  # an exported sheet: the title, then the header
            if number <= header_row:
                continue  # the header, whatever language it was written in
            values = (tuple(values) + (None,) * _COLUMNS)[:_COLUMNS]
            if all(_text(value) == "" for value in values):
                continue
            rows.append((number, values))
            if len(rows) > MAX_ROWS:
                return RowError(0, _("A roster may have at most %(max)d rows.") % {"max": MAX_ROWS})
        return rows
    # The rows are parsed as they are read: XML broken past the sheet's start, or what
    # defusedxml (openpyxl's parser once it is installed) refuses there, shows up here.
    except (ParseError, ValueError):
        return not_a_workbook
    finally:
        book.close()


class _Lookups:
    """Everything the rows refer to, loaded once for the whole sheet."""

    def __init__(self, raw_rows: list[tuple[int, tuple]]):
        self.workstations = {}
        for workstation in Workstation.objects.all():
            self.workstations[workstation.name] = workstation
            self.workstations[workstation.slug] = workstation
        self.groups = {group.name: group for group in ActivityGroup.objects.all()}
        names = {name for _number, values in raw_rows for name in _split(values[6])}
        self.members_by_name: dict[str, list[Member]] = defaultdict(list)
        for member in Member.objects.filter(name__in=names).order_by("pk"):
            self.members_by_name[member.name].append(member)


def _parse_row(number: int, values: tuple, lookups: _Lookups) -> tuple[_Row | None, list[str]]:
    errors: list[str] = []
    workstation_text, date_value, start_value, end_value, group_text, theme, names, ids = values
    workstation = lookups.workstations.get(_text(workstation_text))
    if not _text(workstation_text):
        errors.append(_("The workstation is missing."))
    elif workstation is None:
        errors.append(_("Unknown workstation “%(name)s”.") % {"name": _text(workstation_text)})
    date = _parse_date(date_value)
    if date is None:
        errors.append(_("“%(value)s” is not a date.") % {"value": _text(date_value)})
    starts_at, ends_at = _parse_time(start_value), _parse_time(end_value)
    if starts_at is None:
        errors.append(_("“%(value)s” is not a start time.") % {"value": _text(start_value)})
    if ends_at is None:
        errors.append(_("“%(value)s” is not an end time.") % {"value": _text(end_value)})
    if starts_at and ends_at and ends_at <= starts_at:
        errors.append(_("The shift ends at or before it starts."))
    group = None
    if _text(group_text):
        group = lookups.groups.get(_text(group_text))
        if group is None:
            errors.append(_("Unknown activity group “%(name)s”.") % {"name": _text(group_text)})
    theme = _text(theme)
    if len(theme) > _THEME_MAX:
        errors.append(_("The theme is longer than %(max)d characters.") % {"max": _THEME_MAX})
    hinted_ids = {int(part) for part in _split(ids) if part.isdigit()}
    member_ids: list[int] = []
    for name in _split(names):
        candidates = lookups.members_by_name.get(name, [])
        if len(candidates) > 1:
            candidates = [member for member in candidates if member.pk in hinted_ids]
        if not lookups.members_by_name.get(name):
            errors.append(_("Unknown member “%(name)s”.") % {"name": name})
        elif len(candidates) != 1:
            errors.append(
                _("More than one member is called “%(name)s”; export the roster to get their ids.")
                % {"name": name}
            )
        elif candidates[0].pk in member_ids:
            errors.append(_("Member “%(name)s” is on the shift twice.") % {"name": name})
        else:
            member_ids.append(candidates[0].pk)
    if None in (workstation, date, starts_at, ends_at) or ends_at <= starts_at:
        return None, errors
    # A row with other errors still takes part in the overlap checks, so that one upload
    # reports all that is wrong with it.
    return _Row(number, workstation, date, starts_at, ends_at, group, theme, member_ids), errors


def _overlaps(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and b_start < a_end


def _check_overlaps(rows: list[_Row], existing: dict[tuple, DutyShift]) -> dict[int, list[str]]:
    errors: dict[int, list[str]] = defaultdict(list)
    by_day: dict[tuple, list[_Row]] = defaultdict(list)
    for row in rows:
        by_day[(row.workstation.pk, row.date)].append(row)
    for day_rows in by_day.values():
        for i, row in enumerate(day_rows):
            for other in day_rows[:i]:
                if _overlaps(row.starts_at, row.ends_at, other.starts_at, other.ends_at):
                    errors[row.number].append(
                        _("The shift overlaps the shift in row %(row)d.") % {"row": other.number}
                    )
    # A shift already saved and not in the sheet keeps its times: the rows must not overlap it.
    keys = {row.key for row in rows}
    kept: dict[tuple, list[DutyShift]] = defaultdict(list)
    for key, shift in existing.items():
        if key not in keys:
            kept[(shift.workstation_id, shift.date)].append(shift)
    for row in rows:
        for shift in kept.get((row.workstation.pk, row.date), []):
            if _overlaps(row.starts_at, row.ends_at, shift.starts_at, shift.ends_at):
                errors[row.number].append(
                    _("The shift overlaps the saved shift %(start)s–%(end)s.")
                    % {"start": f"{shift.starts_at:%H:%M}", "end": f"{shift.ends_at:%H:%M}"}
                )
    return errors


def _existing_shifts(rows: list[_Row]) -> dict[tuple, DutyShift]:
    if not rows:
        return {}
    recorded = DutyChange.objects.filter(assignment=OuterRef("pk"))
    assignments = DutyAssignment.objects.select_related("member").annotate(
        has_changes=Exists(recorded)
    )
    shifts = (
        DutyShift.objects.select_for_update(of=("self",))
        .filter(
            workstation__in={row.workstation.pk for row in rows},
            date__in={row.date for row in rows},
        )
        .select_related("workstation")
    )
    shifts = list(shifts)
    # Prefetched apart from the locking query, which PostgreSQL keeps free of joins.
    prefetch_related_objects(shifts, Prefetch("assignments", queryset=assignments))
    return {(shift.workstation_id, shift.date, shift.starts_at): shift for shift in shifts}


def _check_members(row: _Row, shift: DutyShift | None, members: dict[int, Member]) -> list[str]:
    errors = []
    current = {a.member_id: a for a in shift.assignments.all()} if shift else {}
    for member_id in row.member_ids:
        if member_id not in current and not members[member_id].is_active:
            errors.append(
                _("Member “%(name)s” is no longer active.") % {"name": members[member_id].name}
            )
    for member_id, assignment in current.items():
        recorded = assignment.attendance != DutyAssignment.Attendance.SCHEDULED
        if member_id not in row.member_ids and (recorded or assignment.has_changes):
            errors.append(
                _("“%(name)s” has attendance or leave recorded on this shift and stays on it.")
                % {"name": assignment.member.name}
            )
    return errors


def roster_import(file, *, actor) -> ImportResult:
    """Create or update the sheet's shifts (matched by workstation, date and start) and
    set their members; or, if any row is bad, write nothing and say which rows and why."""
    raw_rows = _read_sheet(file)
    if isinstance(raw_rows, RowError):
        return ImportResult(errors=[raw_rows])
    lookups = _Lookups(raw_rows)
    members = {m.pk: m for same_name in lookups.members_by_name.values() for m in same_name}
    result = ImportResult()
    errors: dict[int, list[str]] = defaultdict(list)
    rows: list[_Row] = []
    for number, values in raw_rows:
        row, row_errors = _parse_row(number, values, lookups)
        errors[number].extend(row_errors)
        if row:
            rows.append(row)
    with transaction.atomic():
        existing = _existing_shifts(rows)
        for number, messages in _check_overlaps(rows, existing).items():
            errors[number].extend(messages)
        for row in rows:
            errors[row.number].extend(_check_members(row, existing.get(row.key), members))
        result.errors = [
            RowError(number, message) for number, _values in raw_rows for message in errors[number]
        ]
        if result.errors:
            return result
        _write(rows, existing, actor, result)
    return result


def _write(rows: list[_Row], existing: dict[tuple, DutyShift], actor, result: ImportResult):
    created: list[DutyShift] = []
    updated: list[DutyShift] = []
    wanted: list[tuple[DutyShift, list[int]]] = []
    removed: list[int] = []
    for row in rows:
        shift = existing.get(row.key)
        if shift is None:
            shift = DutyShift(
                workstation=row.workstation,
                date=row.date,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                holding_group=row.group,
                theme=row.theme,
            )
            created.append(shift)
            wanted.append((shift, row.member_ids))
            continue
        current = {a.member_id: a for a in shift.assignments.all()}
        same = (
            shift.ends_at == row.ends_at
            and shift.holding_group_id == (row.group.pk if row.group else None)
            and shift.theme == row.theme
            and set(current) == set(row.member_ids)
        )
        if same:
            result.unchanged += 1
            continue
        shift.ends_at, shift.holding_group, shift.theme = row.ends_at, row.group, row.theme
        updated.append(shift)
        removed += [a.pk for member_id, a in current.items() if member_id not in row.member_ids]
        wanted.append((shift, [m for m in row.member_ids if m not in current]))
    # No full_clean() per shift: the rows were checked above (times, lengths, overlaps),
    # and the database's constraints still stand behind the bulk writes.
    DutyShift.objects.bulk_create(created)
    DutyShift.objects.bulk_update(updated, ["ends_at", "holding_group", "theme"])
    DutyAssignment.objects.filter(pk__in=removed).delete()
    DutyAssignment.objects.bulk_create(
        DutyAssignment(shift=shift, member_id=member_id)
        for shift, member_ids in wanted
        for member_id in member_ids
    )
    message = _("Imported from Excel.")
    if created:
        LogEntry.objects.log_actions(actor.pk, created, ADDITION, message)
    if updated:
        LogEntry.objects.log_actions(actor.pk, updated, CHANGE, message)
    result.created, result.updated = len(created), len(updated)
