from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.management.base import BaseCommand, CommandError

from base import manifest


class Command(BaseCommand):
    help = (
        "write: record the SHA-256 of every template and static file (after collectstatic). "
        "verify: fail, naming them, if any was changed, removed or added since."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["write", "verify"])
        parser.add_argument(
            "--file", type=Path, default=None, help="Default: settings.INTEGRITY_MANIFEST."
        )

    def handle(self, *args, action: str, file: Path | None, **options):
        path = file or Path(settings.INTEGRITY_MANIFEST)
        if action == "write":
            self.stdout.write(f"{manifest.write(path)} files recorded in {path}.")
            return
        if not path.exists():
            raise CommandError(f"No manifest at {path}: write one at deployment.")
        try:
            difference = manifest.verify(path)
        except signing.BadSignature as forged:
            raise CommandError(
                f"{path} was not written with this SECRET_KEY, or was changed since."
            ) from forged
        for kind in ("changed", "missing", "added"):
            for name in getattr(difference, kind):
                self.stdout.write(f"{kind}: {name}")
        if difference:
            raise CommandError("Templates or static files differ from the manifest.")
        self.stdout.write("Every template and static file is as recorded.")
