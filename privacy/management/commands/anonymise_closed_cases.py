from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy.retention import retention_cutoff, retention_run


class Command(BaseCommand):
    help = (
        "Anonymise the visitors' personal data of the cases that ended more than "
        "CLOSED_CASE_RETENTION_DAYS ago, and remove the messages sent to them. Counts only, "
        "unless --apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Anonymise them.")

    def handle(self, *args, apply: bool, **options):
        now = timezone.now()
        report = retention_run(apply=apply, now=now)
        before = f"{timezone.localdate(retention_cutoff(now=now)):%Y-%m-%d}"
        days = settings.CLOSED_CASE_RETENTION_DAYS
        self.stdout.write(f"Cases ended before {before} ({days} days):")
        self.stdout.write(f"  visits: {report.visits}")
        self.stdout.write(f"  cases: {report.cases}")
        self.stdout.write(f"  messages to citizens: {report.notifications}")
        if apply:
            self.stdout.write(self.style.SUCCESS(f"Done: {report}."))
        else:
            self.stdout.write("Dry run: nothing changed; --apply anonymises them.")
