from django.core.management.base import BaseCommand

from visits import search


class Command(BaseCommand):
    help = (
        "Write every case's search tokens again from its number, title, description and "
        "timeline notes (after a change to the tokenizer, or to index cases written "
        "while an upgrade was under way)."
    )

    def handle(self, *args, **options):
        count = search.rebuild()
        self.stdout.write(self.style.SUCCESS(f"{count:,} cases indexed for the search."))
