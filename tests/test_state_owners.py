"""One owner for every state: outside its lifecycle module, no project code writes a
case's or a proposal's `status`, and nothing outside the duty functions writes a duty's
`attendance`. Reads (filters, comparisons, `values()`) are free.

The project's Python source is parsed (not tests, migrations or the virtualenv), and
every write the ORM allows is looked for: an assignment to the attribute (plain, tuple,
augmented, `setattr`), the field as a keyword of a model's constructor or of a
create/update call (or a key of its `defaults`), and the field in `bulk_update`.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIPPED = {".venv", "tests", "migrations", "node_modules", "__pycache__"}

# field -> the modules allowed to write it
OWNERS = {
    # A message's delivery status: its delivery (notices.services writes it only when the
    # message is made).
    # notices.receipts: what a provider reports after sending (delivered or not), and the
    # queued SMS a citizen's stop reply refuses.
    "status": {
        "visits/lifecycle.py",
        "activities/lifecycle.py",
        "notices/delivery.py",
        "notices/receipts.py",
        "privacy/lifecycle.py",
    },
    "attendance": {"rosters/duties.py"},
}
MODELS = {"Case", "Proposal", "DutyAssignment", "DataRequest"}
WRITING_CALLS = {"create", "bulk_create", "update", "update_or_create", "get_or_create"}
DEFAULTS = {"defaults", "create_defaults"}


def _targets(node: ast.AST):
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)
    else:
        yield node


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _string(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _call_writes(call: ast.Call) -> set[str]:
    """The watched fields a call writes."""
    name = _call_name(call)
    written: set[str] = set()
    if name == "setattr" and len(call.args) >= 2:
        written.add(_string(call.args[1]) or "")
    if name in MODELS or name in WRITING_CALLS:
        for keyword in call.keywords:
            if keyword.arg in DEFAULTS and isinstance(keyword.value, ast.Dict):
                written.update(_string(k) or "" for k in keyword.value.keys if k is not None)
            elif keyword.arg:
                written.add(keyword.arg)
    if name == "bulk_update":
        fields = call.args[1] if len(call.args) >= 2 else None
        fields = fields or next((k.value for k in call.keywords if k.arg == "fields"), None)
        if isinstance(fields, ast.List | ast.Tuple | ast.Set):
            written.update(_string(e) or "" for e in fields.elts)
    return written & OWNERS.keys()


def writes(source: str) -> list[tuple[int, str]]:
    """(line, field) of every write of a watched field in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets for t in _targets(target)]
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = list(_targets(node.target))
        elif isinstance(node, ast.Call):
            found += [(node.lineno, field) for field in _call_writes(node)]
            continue
        else:
            continue
        found += [
            (node.lineno, t.attr)
            for t in targets
            if isinstance(t, ast.Attribute) and t.attr in OWNERS
        ]
    return sorted(found)


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if not SKIPPED.intersection(relative.parts):
            yield relative.as_posix(), path


def test_no_status_or_attendance_is_written_outside_its_owning_module():
    outside = [
        f"{name}:{line} writes {field}"
        for name, path in _sources()
        for line, field in writes(path.read_text(encoding="utf-8"))
        if name not in OWNERS[field]
    ]

    assert outside == []


def test_the_scan_reads_the_project_and_sees_the_owners_own_writes():
    names = {name for name, _ in _sources()}

    assert {"visits/lifecycle.py", "activities/lifecycle.py", "rosters/duties.py"} <= names
    assert not any(
        name.startswith(("tests/", ".venv/")) or "/migrations/" in name for name in names
    )
    for field, owners in OWNERS.items():
        for owner in owners:
            assert field in {f for _, f in writes((ROOT / owner).read_text(encoding="utf-8"))}


@pytest.mark.parametrize(
    "source",
    [
        "case.status = 'closed'",
        "proposal.status, proposal.submitted_on = 'submitted', today",
        "duty.attendance = Attendance.ABSENT",
        "row.attendance += ''",
        "setattr(case, 'status', 'closed')",
        "Case.objects.filter(pk=1).update(status='closed')",
        "Proposal.objects.create(title='t', status='accepted')",
        "Proposal(title='t', status='accepted')",
        "DutyAssignment.objects.bulk_create([DutyAssignment(member=m, attendance='absent')])",
        "DutyAssignment.objects.update_or_create(member=m, defaults={'attendance': 'absent'})",
        "DutyAssignment.objects.bulk_update(duties, ['attendance'])",
    ],
)
def test_the_scan_flags_every_kind_of_write(source):
    assert writes(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "if case.status == 'closed': pass",
        "Case.objects.filter(status='closed').exclude(status='merged')",
        "DutyAssignment.objects.filter(attendance='absent').count()",
        "Q(attendance=Attendance.SCHEDULED)",
        "case_note(case=case, note='n', seen_status=case.status)",
        "render(request, 'page.html', status=400)",
        "JsonResponse({'ok': False}, status=401)",
        "assignment_mark_attendance(assignment=a, attendance='attended', actor=u)",
        "status = case.status",
        "case.status_seen = 'x'",
    ],
)
def test_the_scan_leaves_reads_alone(source):
    assert writes(source) == []
