"""The public site checked for what an intruder plants in a government site's pages
(the source article's own site carried injected spam links): links to hosts outside an
allowlist, hidden text, markup our content security policy would never let us write, and
pages that differ when a search engine's crawler asks for them (cloaking).

`crawl` follows the site's own links from the column page, within the public pages, and
reads each as a person's browser and as Baidu's and Google's crawlers. It reads through
a `fetch(path, user_agent)` callable, so the same check runs on a test client in CI
(tests/public/test_site_integrity.py) and over HTTP against a running server
(`manage.py check_public_site --base-url https://…`).
"""

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve

PERSON = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)
CRAWLERS = {
    "Baiduspider": "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
}
# More characters than this in an element hidden by markup is text meant for crawlers:
# our own hidden elements hold a button's label or a form field's.
HIDDEN_TEXT_LIMIT = 40
# Tags no page of ours has: an intruder's frames, scrolling link lists and embedded code.
FORBIDDEN_TAGS = frozenset({"iframe", "frame", "frameset", "marquee", "object", "embed", "style"})
# Attributes that carry an address, by tag.
ADDRESSES = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action",
             "source": "src", "area": "href"}  # fmt: skip
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "source", "track", "wbr"})  # fmt: skip
# Differ on every answer by design: a form's CSRF token and its double-submit guard.
PER_REQUEST = re.compile(rb'(name="(?:csrfmiddlewaretoken|submission_id)" value=")[^"]*(")')


@dataclass(frozen=True)
class Finding:
    page: str
    kind: str  # "link", "hidden", "markup", "cloaking", "status"
    detail: str

    def __str__(self) -> str:
        return f"{self.page}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    location: str = ""  # of a redirect


Fetch = Callable[[str, str], Answer]


class _Page(HTMLParser):
    """One page's addresses, its hidden text and links, and its forbidden markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.addresses: list[str] = []
        self.markup: list[str] = []
        self.hidden_links: list[str] = []
        self.hidden_text: list[str] = []
        self._open: list[bool] = []  # for each open element: is it hidden?
        self._text = ""

    def _hidden(self) -> bool:
        return any(self._open)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS:
            self.markup.append(f"<{tag}>")
        if "style" in values:
            self.markup.append(f"<{tag} style=…>")
        if tag == "script" and not values.get("src"):
            self.markup.append("<script> without src")
        if any(name.startswith("on") for name in values):
            self.markup.append(f"<{tag}> with an event handler")
        address = values.get(ADDRESSES.get(tag, ""))
        if address:
            self.addresses.append(address)
            if tag == "a" and self._hidden():
                self.hidden_links.append(address)
        if tag in VOID:
            return
        self._flush_hidden_text()
        self._open.append("hidden" in values or values.get("aria-hidden") == "true")

    def handle_endtag(self, tag):
        if tag in VOID or not self._open:
            return
        self._flush_hidden_text()
        self._open.pop()

    def handle_data(self, data):
        if self._hidden():
            self._text += data

    def _flush_hidden_text(self):
        text = " ".join(self._text.split())
        if len(text) > HIDDEN_TEXT_LIMIT:
            self.hidden_text.append(text[:80])
        self._text = ""


def _public_path(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.namespace == "public"


def _followed(path: str, addresses, allowed_hosts) -> tuple[list, list]:
    """Links off the allowlist as findings, and the site's own public pages linked to."""
    findings, links = [], []
    for address in addresses:
        target = urlsplit(urljoin(path, urldefrag(address).url))
        if target.scheme in ("mailto", "tel", "data"):
            continue
        if target.netloc and target.netloc.lower() not in allowed_hosts:
            findings.append(Finding(path, "link", f"to {target.netloc}"))
        elif (
            not target.netloc
            and target.scheme in ("", "http", "https")
            and (_public_path(target.path))
        ):
            links.append(target.path + (f"?{target.query}" if target.query else ""))
    return findings, links


def check_page(path: str, body: bytes, *, allowed_hosts: frozenset[str]) -> tuple[list, list]:
    """The findings on one page, and the site's own public pages it links to."""
    parser = _Page()
    parser.feed(body.decode("utf-8", errors="replace"))
    parser.close()
    findings = [Finding(path, "markup", item) for item in parser.markup]
    findings += [
        Finding(path, "hidden", f"a link in hidden markup: {a}") for a in parser.hidden_links
    ]
    findings += [Finding(path, "hidden", f"hidden text: {t}") for t in parser.hidden_text]
    link_findings, links = _followed(path, parser.addresses, allowed_hosts)
    return findings + link_findings, links


def crawl(fetch: Fetch, *, start: str = "/", limit: int = 500, hosts=()) -> tuple[list, list]:
    """Every public page reachable from `start` (at most `limit`), checked; returns the
    findings and the pages read. `hosts`: the site's own host names (links to them are
    its own), beside the allowlist settings.PUBLIC_LINK_HOSTS."""
    allowed = frozenset(h.lower() for h in (*settings.PUBLIC_LINK_HOSTS, *hosts))
    findings: list[Finding] = []
    seen, queue, read = {start}, deque([start]), []
    while queue and len(read) < limit:
        path = queue.popleft()
        answer = fetch(path, PERSON)
        read.append(path)
        if answer.status in (301, 302, 303, 307, 308):
            # A preference set, then back: followed like a link.
            page_findings, links = _followed(path, [answer.location], allowed)
        elif answer.status != 200:
            page_findings, links = [Finding(path, "status", str(answer.status))], []
        elif answer.content_type.startswith("text/html"):
            page_findings, links = check_page(path, answer.body, allowed_hosts=allowed)
            page_findings += _cloaking(fetch, path, answer)
        else:
            page_findings, links = [], []
        findings += page_findings
        for link in links:
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return findings, read


def _cloaking(fetch: Fetch, path: str, person: Answer) -> list[Finding]:
    mine = PER_REQUEST.sub(rb"\1\2", person.body)
    differing = []
    for name, agent in CRAWLERS.items():
        theirs = fetch(path, agent)
        if theirs.status != person.status or PER_REQUEST.sub(rb"\1\2", theirs.body) != mine:
            differing.append(Finding(path, "cloaking", f"{name} is answered differently"))
    return differing
