"""The signed hash manifest of templates and static files (base/manifest.py): verified
clean as written; a changed, removed or added file is named; a manifest edited to match,
or written with another SECRET_KEY, is refused."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from base import manifest


@pytest.fixture
def site(tmp_path, settings):
    """A site of its own: BASE_DIR elsewhere, so no app's real files are in it."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "templates" / "base.html").write_text(
        "<main>{% block content %}{% endblock %}</main>"
    )
    (tmp_path / "static" / "css" / "app.css").write_text("main { margin: 0 }")
    settings.BASE_DIR = tmp_path
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates"]}]
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.STATIC_ROOT = tmp_path / "staticfiles"
    settings.INTEGRITY_MANIFEST = tmp_path / "manifest.txt"
    return tmp_path


def verify() -> str:
    out = io.StringIO()
    call_command("integrity_manifest", "verify", stdout=out)
    return out.getvalue()


def test_as_written_every_file_verifies(site):
    call_command("integrity_manifest", "write", stdout=io.StringIO())

    assert verify() == "Every template and static file is as recorded.\n"
    assert set(manifest.recorded(site / "manifest.txt")) == {
        "templates/base.html",
        "static/css/app.css",
    }


def test_a_changed_removed_or_added_file_is_named(site):
    call_command("integrity_manifest", "write", stdout=io.StringIO())
    page = site / "templates" / "base.html"
    page.write_text(page.read_text() + '<a href="https://casino.example/">.</a>')
    (site / "static" / "css" / "app.css").unlink()
    (site / "templates" / "planted.html").write_text("x")
    out = io.StringIO()

    with pytest.raises(CommandError, match="differ from the manifest"):
        call_command("integrity_manifest", "verify", stdout=out)

    assert out.getvalue().splitlines() == [
        "changed: templates/base.html",
        "missing: static/css/app.css",
        "added: templates/planted.html",
    ]


def test_collected_static_files_are_covered(site, settings):
    (site / "staticfiles").mkdir()
    (site / "staticfiles" / "app.123.css").write_text("x")
    call_command("integrity_manifest", "write", stdout=io.StringIO())

    (site / "staticfiles" / "app.123.css").write_text("y")

    with pytest.raises(CommandError):
        verify()


def test_a_manifest_edited_to_match_is_refused(site):
    call_command("integrity_manifest", "write", stdout=io.StringIO())
    text = (site / "manifest.txt").read_text()
    (site / "manifest.txt").write_text(text[:-6] + ("A" if text[-6] != "A" else "B") + text[-5:])

    with pytest.raises(CommandError, match="not written with this SECRET_KEY"):
        verify()


def test_a_manifest_of_another_key_is_refused(site, settings):
    call_command("integrity_manifest", "write", stdout=io.StringIO())
    settings.SECRET_KEY = "another-" + "k" * 50

    with pytest.raises(CommandError, match="not written with this SECRET_KEY"):
        verify()


def test_without_a_manifest_verify_says_to_write_one(site):
    with pytest.raises(CommandError, match="No manifest"):
        verify()


def test_the_projects_own_templates_and_static_files_are_all_recorded(tmp_path):
    target = tmp_path / "manifest.txt"

    count = manifest.write(target)

    names = set(manifest.recorded(target))
    assert count == len(names)
    assert {
        "templates/base.html",
        "accounts/templates/accounts/set_up.html",
        "static/css/app.css",
    } <= names
    assert not any(name.startswith((".venv", "/")) for name in names)
    assert not manifest.verify(target)
    assert Path(__file__).name not in {Path(name).name for name in names}
