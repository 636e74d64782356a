"""A hash manifest of what the web servers render and serve: the project's templates, its
static files and, once collected, STATIC_ROOT. Written at deployment, after
collectstatic (`manage.py integrity_manifest write`), and verified on the server at any
time (`… verify`, also before gunicorn starts: deploy/xincheng-web.service): a file
changed, removed or added since is named, the way an injected spam link would be found.

The manifest is signed with SECRET_KEY, so that whoever changes a template must also know
the key to rewrite the manifest to match.
"""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import signing

SALT = "base.manifest"


@dataclass(frozen=True)
class Difference:
    changed: list[str]
    missing: list[str]
    added: list[str]

    def __bool__(self) -> bool:
        return bool(self.changed or self.missing or self.added)


def _roots() -> list[Path]:
    """The project's own template and static directories (not the installed libraries':
    their code is pinned and installed by pip), and STATIC_ROOT where collected."""
    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(d) for t in settings.TEMPLATES for d in t.get("DIRS", ())]
    roots += [Path(d) for d in settings.STATICFILES_DIRS]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and not path.is_relative_to(base / ".venv"):
            roots += [path / "templates", path / "static"]
    roots.append(Path(settings.STATIC_ROOT))
    return sorted({root.resolve() for root in roots if root.is_dir()})


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()


def current() -> dict[str, str]:
    """Every file's SHA-256, by its path relative to BASE_DIR (or absolute outside it)."""
    base = Path(settings.BASE_DIR).resolve()
    files = {}
    for root in _roots():
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            name = str(path.relative_to(base)) if path.is_relative_to(base) else str(path)
            files[name] = _digest(path)
    return files


def write(target: Path) -> int:
    files = current()
    target.write_text(signing.dumps(files, salt=SALT, compress=True) + "\n")
    return len(files)


def recorded(source: Path) -> dict[str, str]:
    """The files of a manifest; `signing.BadSignature` if it was not written with this
    SECRET_KEY or has been changed."""
    return signing.loads(source.read_text().strip(), salt=SALT)


def verify(source: Path) -> Difference:
    then, now = recorded(source), current()
    return Difference(
        changed=sorted(name for name in then.keys() & now.keys() if then[name] != now[name]),
        missing=sorted(then.keys() - now.keys()),
        added=sorted(now.keys() - then.keys()),
    )
