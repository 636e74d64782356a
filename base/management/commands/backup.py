from django.core.management.base import BaseCommand, CommandError

from base import backups


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database to FILE while the site runs "
        "(pg_dump's custom format on PostgreSQL, the online backup API on SQLite)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup to write; must not exist.")

    def handle(self, *args, file: str, **options):
        try:
            size = backups.back_up(file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backed up to {file} ({size:,} bytes)."))
