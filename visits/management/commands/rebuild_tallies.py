from django.core.management.base import BaseCommand

from visits import tallies


class Command(BaseCommand):
    help = (
        "Recount the case and visit tallies the figures read from the cases and visits "
        "themselves and report every difference; --fix makes the tallies equal to them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Repair the differences.")

    def handle(self, *args, fix: bool, **options):
        differences = tallies.rebuild() if fix else tallies.compare()
        for difference in differences:
            self.stdout.write(
                f"{difference.table} {difference.key}: stored {difference.stored}, "
                f"counted {difference.counted}"
            )
        if not differences:
            self.stdout.write(self.style.SUCCESS("No difference: the tallies equal the records."))
        elif fix:
            self.stdout.write(self.style.SUCCESS(f"{len(differences)} differences repaired."))
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(differences)} differences; run with --fix to repair them."
                )
            )
