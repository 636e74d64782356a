from django.core.management.base import BaseCommand

from points import ledger


class Command(BaseCommand):
    help = (
        "Compare the points ledger with the facts it scores and report every difference; "
        "--fix makes the ledger equal to the facts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Repair the differences.")

    def handle(self, *args, fix: bool, **options):
        result = ledger.rebuild() if fix else ledger.compare()
        for difference in result.differences:
            member_id, category, source_type_id, source_id = difference.key
            self.stdout.write(
                f"{difference.kind:8} member {member_id} {category} "
                f"source {source_type_id}:{source_id}  {difference.detail}"
            )
        if result.clean:
            self.stdout.write(self.style.SUCCESS("No difference: the ledger equals the facts."))
        elif fix:
            self.stdout.write(
                self.style.SUCCESS(f"{len(result.differences)} differences repaired.")
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(result.differences)} differences; run with --fix to repair them."
                )
            )
