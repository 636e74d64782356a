"""Reading what a staff page shows, as a person would: rows, fields, sections."""

import re
from html import unescape

from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

NUMBER = re.compile(r"XC-\d{4}-\d{6}")
_ROW_LINK = re.compile(r'<td[^>]*><a href="/cases/(XC-\d{4}-\d{6})/">')


def html(response: HttpResponse) -> str:
    return response.content.decode()


def listed(response: HttpResponse, *, start: str = "", end: str = "") -> list[str]:
    """The tracking numbers of the case rows, in the order shown (between two markers)."""
    return _ROW_LINK.findall(section(response, start, end) if start else html(response))


def login_redirect(response: HttpResponse) -> bool:
    """The page sent an anonymous visitor to sign in first."""
    return response.status_code == 302 and response["Location"].startswith("/login/?next=")


def section(response: HttpResponse, start: str, end: str = "") -> str:
    """The page from the element with id `start` to the one with id `end` (or the end)."""
    page = html(response)
    begin = page.index(f'id="{start}"')
    stop = page.index(f'id="{end}"', begin) if end else len(page)
    return page[begin:stop]


def field_block(response: HttpResponse, field_id: str) -> str:
    """The rendered block of one form field: its label, input and error list."""
    blocks = html(response).split('<div class="field')[1:]
    for block in blocks:
        if f'id="{field_id}"' in block or f'for="{field_id}"' in block:
            # The last field of a form runs on into the rest of the page: stop there.
            return re.split(r"<fieldset|<button|</form>", block)[0]
    raise AssertionError(f"no field {field_id} on the page")


def errors_next_to(response: HttpResponse, field_id: str) -> list[str]:
    block = field_block(response, field_id)
    lists = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>', block, re.S)
    return [
        unescape(re.sub(r"<[^>]+>", "", item))
        for ul in lists
        for item in re.findall(r"<li>(.*?)</li>", ul, re.S)
    ]


def offered_actions(response: HttpResponse) -> set[str]:
    """The steps the case page offers a form for."""
    return set(re.findall(r'<details class="action" id="action-([a-z_]+)"', html(response)))


def queries_for(client, url: str) -> int:
    """The queries a page runs once the first visit has warmed the caches."""
    client.get(url)  # warm: content types, translations
    with CaptureQueriesContext(connection) as run:
        response = client.get(url)
    assert response.status_code == 200
    return len(run)


def still_signed_in(client) -> bool:
    """Whether the client's session is signed in (the keep-alive address answers 401 if
    not), without a page of any role."""
    return client.post("/session/keep-alive/").status_code == 200
