"""The public site's integrity check (public/integrity.py): over the demo's public pages
it reads every one and finds nothing; on a page carrying what an intruder plants (a link
to a casino, text hidden for crawlers, an inline script, a page served differently to
Baiduspider) it reports each."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

from public.integrity import Answer, check_page, crawl
from workstations.models import Workstation


def client_fetch(client: Client, *, cloak_for: str = "", planted: bytes = b""):
    """A `fetch` over the test client; `planted` is added to the page the crawler named
    `cloak_for` gets, as a cloaking intruder would."""

    def fetch(path: str, agent: str) -> Answer:
        response = client.get(path, HTTP_USER_AGENT=agent)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if cloak_for and cloak_for in agent:
            body = body.replace(b"</main>", planted + b"</main>")
        return Answer(
            response.status_code,
            response.get("Content-Type", ""),
            body,
            response.get("Location", ""),
        )

    return fetch


@pytest.fixture
def demo(db):
    call_command("seed_demo", cases=60, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_demos_public_pages_are_clean(demo):
    findings, read = crawl(client_fetch(Client()))

    assert findings == []
    # It did read the site: every workstation's page and members' pages among them.
    for workstation in Workstation.objects.filter(is_active=True):
        assert f"/workstations/{workstation.slug}/" in read
    assert any(path.startswith("/members/") for path in read)
    assert {"/", "/duty/", "/stats/", "/submit/", "/track/"} <= set(read)
    # Only public pages: no sign-in page, no admin.
    assert not any(path.startswith(("/login", "/admin", "/cases", "/dashboard")) for path in read)


def test_a_page_served_differently_to_a_crawler_is_reported(demo):
    fetch = client_fetch(Client(), cloak_for="Baiduspider", planted=b"<p>ok</p>")

    findings, _read = crawl(fetch, limit=3)

    assert {(f.kind, f.detail) for f in findings} == {
        ("cloaking", "Baiduspider is answered differently")
    }


def _findings(markup: str, **kwargs) -> set[tuple[str, str]]:
    page = f"<html><body><main>{markup}</main></body></html>".encode()
    found, _links = check_page("/", page, allowed_hosts=frozenset(kwargs.get("hosts", ())))
    return {(f.kind, f.detail) for f in found}


def test_a_link_to_another_host_is_reported_unless_allowed():
    markup = '<a href="https://casino.example/">x</a><a href="/duty/">值班</a>'

    assert _findings(markup) == {("link", "to casino.example")}
    assert _findings(markup, hosts={"casino.example"}) == set()


def test_text_and_links_hidden_in_markup_are_reported():
    stuffed = "博彩 " * 30
    assert ("hidden", f"hidden text: {' '.join(stuffed.split())[:80]}") in _findings(
        f"<div hidden>{stuffed}</div>"
    )
    assert ("hidden", "a link in hidden markup: /track/") in _findings(
        '<span aria-hidden="true"><a href="/track/">x</a></span>'
    )
    # A short label hidden until a script shows it is ours (the receipt's print button).
    assert _findings("<button hidden>打印回执</button>") == set()


def test_markup_the_site_never_writes_is_reported():
    found = _findings(
        '<div style="display:none">x</div><script>document.write(1)</script>'
        '<iframe src="/"></iframe><marquee>x</marquee><img src="/a.png" onerror="x()">'
    )

    assert found == {
        ("markup", "<div style=…>"),
        ("markup", "<script> without src"),
        ("markup", "<iframe>"),
        ("markup", "<marquee>"),
        ("markup", "<img> with an event handler"),
    }


def test_the_crawl_follows_only_public_pages(db):
    pages = {
        "/": b'<a href="/duty/">a</a><a href="/login/">b</a><a href="/admin/">c</a>',
        "/duty/": b'<a href="/">home</a><a href="/stats/?year=2026#top">s</a>',
        "/stats/?year=2026": b"",
    }

    def fetch(path, agent):
        return Answer(200, "text/html; charset=utf-8", pages[path])

    findings, read = crawl(fetch)

    assert findings == [] and read == ["/", "/duty/", "/stats/?year=2026"]


def test_an_error_answer_is_reported(db):
    def fetch(path, agent):
        return Answer(500 if path == "/duty/" else 200, "text/html", b'<a href="/duty/">a</a>')

    findings, _read = crawl(fetch)

    assert [(f.page, f.kind, f.detail) for f in findings] == [("/duty/", "status", "500")]


@pytest.mark.django_db(transaction=True)
def test_the_command_reads_a_running_site(live_server):
    call_command("seed_demo", cases=20, stdout=open("/dev/null", "w"))  # noqa: SIM115
    out = io.StringIO()

    call_command("check_public_site", base_url=live_server.url, stdout=out)

    assert re.fullmatch(r"\d+ pages, nothing found.\n", out.getvalue())


def test_a_redirect_off_the_site_is_reported(db):
    def fetch(path, agent):
        return Answer(302, "text/html", b"", "https://spam.example/x")

    findings, _read = crawl(fetch)

    assert [(f.kind, f.detail) for f in findings] == [("link", "to spam.example")]
