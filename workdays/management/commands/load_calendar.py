from django.core.management.base import BaseCommand
from django.utils import timezone

from workdays.loading import load_year


class Command(BaseCommand):
    help = "Fill the working-day calendar for this year and next (or the years given)."

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int)
        parser.add_argument(
            "--replace", action="store_true", help="Overwrite years that were already entered."
        )

    def handle(self, *args, years, replace, **options):
        this_year = timezone.localdate().year
        for year in years or [this_year, this_year + 1]:
            calendar_year = load_year(year, replace=replace)
            state = (
                "complete"
                if calendar_year.is_complete
                else "INCOMPLETE: enter make-up working days"
            )
            self.stdout.write(f"{year}: {calendar_year.source} ({state})")
