from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from notices.reminders import STALE_AFTER, send_reminders


class Command(BaseCommand):
    help = (
        "Queue the reminders that are due (members on duty tomorrow) and queue again the "
        "messages whose delivery was lost. Safe to run any number of times."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=int(STALE_AFTER.total_seconds() // 60),
            help="Queue again a message still waiting this many minutes after it was queued.",
        )

    def handle(self, *args, stale_minutes, **options):
        with transaction.atomic():
            reminded, requeued = send_reminders(stale_after=timedelta(minutes=stale_minutes))
        self.stdout.write(f"{reminded} reminders queued, {requeued} messages queued again.")
