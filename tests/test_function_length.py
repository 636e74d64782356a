"""No function in the apps is longer than 60 lines, counted from its `def` to its last
line: the source of every app (migrations left out) is parsed and each function,
method and nested function measured."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "base",
    "audit",
    "workstations",
    "workdays",
    "members",
    "rosters",
    "visits",
    "activities",
    "points",
    "public",
    "desk",
    "departments",
    "notices",
    "demo",
    "config",
)
LONGEST = 60


def app_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def too_long(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > LONGEST:
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)"


def test_the_scan_reads_every_app():
    read = {path.relative_to(ROOT).parts[0] for path in app_sources()}
    assert read == set(APPS)


def test_no_function_is_longer_than_sixty_lines():
    offenders = [line for path in app_sources() for line in too_long(path)]
    assert not offenders, "functions over 60 lines:\n" + "\n".join(offenders)
