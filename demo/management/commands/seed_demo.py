import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from demo.activities import seed_activities
from demo.bulk import DAYS_BACK, seed_bulk
from demo.cases import (
    demo_cases_exist,
    seed_cases,
    seed_department_work,
    seed_online_demo,
    seed_supervision,
)
from demo.network import DEMO_PASSWORD, seed_network, seed_rosters
from workdays.loading import load_year


class Command(BaseCommand):
    help = (
        "Load the demo network (nine workstations, members, rosters, visits and cases, one login "
        "per role). Safe to run again: what exists is kept. --scale N adds N cases in bulk."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases", type=int, default=300, help="Demo cases to play (default 300)."
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="Also generate this many cases in bulk, for performance work.",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")

    def handle(self, *args, cases, scale, seed, **options):
        if cases < 0 or scale < 0:
            raise CommandError("--cases and --scale take a number of cases, 0 or more.")

        # One random stream per part of the demo: what one part draws (say, attendance for
        # the shifts already past, which depends on today's weekday) never shifts what the
        # next part draws, so the demo's content is the same on any day; only dates move.
        def stream(part: str) -> random.Random:
            return random.Random(f"{seed}:{part}")

        now = timezone.now()
        today = timezone.localdate(now)
        # Every year the demo's dates reach: the bulk cases go back DAYS_BACK days.
        for year in range((today - timedelta(days=DAYS_BACK + 1)).year, today.year + 2):
            load_year(year)
        with transaction.atomic():
            logins = seed_network(stream("network"))
            shifts = seed_rosters(stream("rosters"), today)
        self.stdout.write(f"Network ready; {shifts} new duty shifts.")
        if demo_cases_exist():
            self.stdout.write("Demo cases already there; left as they are.")
        else:
            opened = seed_cases(stream("cases"), cases, now)
            self.stdout.write(f"{opened} demo cases played through the lifecycle.")
            referred = seed_department_work(now)
            self.stdout.write(f"{referred} referrals waiting on the departments' pages.")
            supervised = seed_supervision(now)
            self.stdout.write(f"{supervised} late referrals and cases supervised by the office.")
        online = seed_online_demo(now)
        seeded = seed_activities(stream("activities"), stream("proposals"), today)
        if seeded.activities:
            self.stdout.write(
                f"{seeded.activities} demo activities, {seeded.proposals} proposals; point rules "
                f"for {today.year - 1} and {today.year}, ledger rebuilt "
                f"({seeded.ledger_differences} facts scored afterwards)."
            )
        else:
            self.stdout.write("Demo activities already there; left as they are.")
        if scale:
            started = time.monotonic()
            made = seed_bulk(stream("bulk"), scale, now, progress=self.stdout.write)
            self.stdout.write(f"{made} bulk cases in {time.monotonic() - started:.0f} s.")
            # The planner's statistics now, not when autovacuum gets round to it: the first
            # pages after a bulk load would be planned for empty tables.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write("Tables analysed.")

        self._print_logins(logins)
        self.stdout.write(
            self.style.SUCCESS("\nAn opinion sent online, to look up at /track/ (no login)")
        )
        self.stdout.write(f"  tracking number {online.number}, lookup code {online.lookup_code}")

    def _print_logins(self, logins) -> None:
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  district administrator  {logins.administrator}")
        self.stdout.write(f"  security administrator  {logins.security_administrator}")
        self.stdout.write(f"  auditor                 {logins.auditor}")
        for username in logins.staff.values():
            self.stdout.write(f"  workstation staff       {username}")
        self.stdout.write(f"  member                  {logins.member}")
        for department, username in logins.departments.items():
            self.stdout.write(f"  department liaison      {username} ({department})")
