import datetime

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEntry
from audit.retention import PurgeRefused, audit_purge


class Command(BaseCommand):
    help = (
        "Delete the audit entries written before a day, once they are older than "
        "AUDIT_RETENTION_DAYS. Counts only, unless --apply."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--before",
            required=True,
            type=datetime.date.fromisoformat,
            help="YYYY-MM-DD: the entries written before this day (site time).",
        )
        parser.add_argument("--apply", action="store_true", help="Delete them.")

    def handle(self, *args, before: datetime.date, apply: bool, **options):
        try:
            count = audit_purge(before=before, apply=apply)
        except PurgeRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        if apply:
            self.stdout.write(self.style.SUCCESS(f"{count} entries before {before} deleted."))
        else:
            self.stdout.write(
                f"{count} entries before {before} would be deleted; --apply deletes them."
            )
        self.stdout.write(f"{AuditEntry.objects.count()} entries in the log.")
