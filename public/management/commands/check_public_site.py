import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

from public.integrity import Answer, crawl


class Command(BaseCommand):
    help = (
        "Crawl the public pages of a running site and report links to hosts outside "
        "PUBLIC_LINK_HOSTS, hidden text, markup the site never writes, and pages that "
        "differ for Baidu's and Google's crawlers. Exits with an error on any finding."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", required=True, help="e.g. https://workstations.example.gov.cn"
        )
        parser.add_argument("--limit", type=int, default=500, help="At most this many pages.")

    def handle(self, *args, base_url: str, limit: int, **options):
        base = base_url.rstrip("/")

        def fetch(path: str, agent: str) -> Answer:
            request = urllib.request.Request(base + path, headers={"User-Agent": agent})
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return Answer(
                        response.status, response.headers.get_content_type(), response.read()
                    )
            except urllib.error.HTTPError as refused:
                return Answer(refused.code, refused.headers.get_content_type(), refused.read())

        findings, read = crawl(fetch, limit=limit, hosts=[urlsplit(base).netloc])
        for finding in findings:
            self.stdout.write(str(finding))
        if findings:
            raise CommandError(f"{len(findings)} findings on {len(read)} pages.")
        self.stdout.write(f"{len(read)} pages, nothing found.")
