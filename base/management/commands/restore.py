from django.core.management.base import BaseCommand, CommandError

from base import backups


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` into the database DATABASE_URL "
        "names, which must be new and empty; refuses any other."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup to restore.")

    def handle(self, *args, file: str, **options):
        try:
            backups.restore(file)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {file}."))
