"""No page answers a server error to hostile input.

Every URL pattern of the staff and public site (`get_resolver()`) is listed in ROUTES
with the roles that reach it, the query parameters it reads and where its forms are.
For each, as each of those roles, the walk sends every hostile value in every query
parameter, every field of every form the pages offer (the others filled in as a person
would) and every text segment of its address, and fails on any 500. A new URL pattern
without an entry in ROUTES fails `test_every_url_pattern_is_walked`, so the walk stays
complete. Each request runs in a savepoint rolled back after it: every one starts from
the same scene, and one that succeeds leaves nothing for the next.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from .routes import ROUTES, Scene, build_scene, personas_for, send, walked_patterns

HOSTILE = [
    "x" * 10_000,
    "\x00",
    "99999999999999999999",
    "-1",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
]
# A list where one value is expected: two hostile values under one name.
HOSTILE_LISTS = [["99999999999999999999", "\x00"]]
# Those a form field may let through to the rest of the view (every field refuses NUL).
PASSABLE = [value for value in HOSTILE if value != "\x00"]


def test_every_url_pattern_is_walked():
    patterns = walked_patterns()
    assert sorted(set(patterns) - set(ROUTES)) == [], "add these patterns to ROUTES"
    assert sorted(set(ROUTES) - set(patterns)) == [], "these entries have no pattern any more"


# --- the forms a page offers -----------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # what a person would send
    names: list[str] = field(default_factory=list)  # every field, sent or not


class FormParser(HTMLParser):
    """The forms of a page with the values a person would leave or type in them."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self.form = page_url, [], None
        self.select, self.options, self.textarea = None, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = Form(attrs.get("action") or self.page_url, attrs.get("method", "get"))
            self.forms.append(self.form)
        elif self.form is None or not attrs.get("name"):
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "select":
            self.select, self.options = attrs, []
        elif tag == "option" and self.select is not None:
            self.options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea":
            self.textarea, self.text = attrs["name"], ""
        elif tag == "button" and attrs.get("value"):
            self._add(attrs["name"], attrs["value"])

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea:
            self._add(self.textarea, self.text.strip() or "居民反映的情况")
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected]
            first = [value for value, _selected in self.options if value][:1]
            self._add(self.select["name"], *(chosen or first), multiple=True)
            self.select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def _input(self, attrs):
        kind, name, value = attrs.get("type", "text"), attrs["name"], attrs.get("value", "")
        if kind in ("checkbox", "radio"):
            if "checked" in attrs or (kind == "radio" and name not in self.form.fields):
                self._add(name, value or "on", multiple=kind == "checkbox")
            elif name not in self.form.names:
                self.form.names.append(name)
        elif kind in ("submit", "image", "reset", "file"):
            if kind == "submit" and value:
                self._add(name, value)
        elif name == "website":
            self.form.names.append(name)  # the honeypot: a person leaves it empty
        else:
            self._add(name, value or _typed(kind, name))

    def _add(self, name, *values, multiple=False):
        if name not in self.form.names:
            self.form.names.append(name)
        if multiple:
            self.form.fields.setdefault(name, []).extend(values)
        else:
            self.form.fields[name] = list(values)


def _typed(kind: str, name: str) -> str:
    """What a person types into an empty field of this kind."""
    now = timezone.localtime()
    return {
        "date": f"{now:%Y-%m-%d}",
        "datetime-local": f"{now - timedelta(hours=1):%Y-%m-%dT%H:%M}",
        "time": "09:00",
        "number": "1",
        "tel": "13812345678",
        "email": "resident@example.com",
        "password": "correct horse battery staple",
    }.get(kind, "13812345678" if "phone" in name else "小区电梯坏了三个月")


def forms_on(response, page_url: str) -> list[Form]:
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return []  # a workbook, a feed
    parser = FormParser(page_url)
    parser.feed(response.content.decode())
    return parser.forms


def route_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


# --- the walk --------------------------------------------------------------------------


@pytest.fixture
def scene(staff, member_user, workstation, django_capture_on_commit_callbacks) -> Scene:
    return build_scene(staff, member_user, workstation, django_capture_on_commit_callbacks)


@pytest.fixture
def personas(scene, administrator, staff, member_user, workstation) -> dict[str, Client]:
    return personas_for(
        administrator=administrator,
        staff=staff,
        member_user=member_user,
        liaison=scene.liaison,
        workstation=workstation,
    )


class Walk:
    """Sends the requests and keeps those that answered 500."""

    def __init__(self, personas: dict[str, Client]):
        self.personas, self.failures, self.requests = personas, [], 0
        self.varied: set[tuple] = set()  # the forms and fields walked already

    def send(self, persona: str, method: str, url: str, data=None) -> None:
        response = send(self.personas[persona], method, url, data)
        self.requests += 1
        if response.status_code >= 500:
            sent = {name: str(value)[:20] for name, value in (data or {}).items()}
            self.failures.append(f"{persona} {method.upper()} {url[:80]} {sent}")

    def page(self, persona: str, url: str):
        response = self.personas[persona].get(url)
        assert response.status_code < 500, f"{persona} GET {url} → {response.status_code}"
        return response

    def each_value(self, persona: str, method: str, url: str, data: dict, name: str) -> None:
        for value in (*HOSTILE, *HOSTILE_LISTS):
            self.send(persona, method, url, data | {name: value})

    def form(self, persona: str, form: Form) -> None:
        """Every hostile value in all the fields at once (what the form's fields make of
        them), then field by field with the others as a person filled them in (what the
        rest of the view makes of them): once per field of a form, whoever sends it, and
        once per kind of form and role."""
        method, kind = form.method.lower(), _form_kind(form.action)
        if (persona, kind) in self.varied:
            return  # the same step's form on another case's page
        self.varied.add((persona, kind))
        self.send(persona, method, form.action, form.fields)
        for value in (*HOSTILE, *HOSTILE_LISTS):
            self.send(persona, method, form.action, dict.fromkeys(form.names, value))
        for name in form.names:
            key = (kind, re.sub(r"-\d+-", "-N-", name))  # one form of a formset stands for all
            if name != "csrfmiddlewaretoken" and key not in self.varied:
                self.varied.add(key)
                for value in PASSABLE:
                    self.send(persona, method, form.action, form.fields | {name: value})


ROW_ARGUMENTS = {"pk", "number", "slug", "token", "year", "member_pk"}


def _form_kind(action: str) -> tuple:
    """What tells forms apart: the view and its other arguments (a case step's action),
    not the row it acts on."""
    match = resolve(urlsplit(action).path)
    return (match.view_name, *(v for k, v in match.kwargs.items() if k not in ROW_ARGUMENTS))


def test_no_hostile_value_in_any_parameter_answers_a_server_error(scene, personas):
    walk, reached = Walk(personas), set()
    for name, route in ROUTES.items():
        url = route.url(scene)
        for persona in route.personas:
            if route.get:
                walk.send(persona, "get", url)
                for parameter in route.query:
                    walk.each_value(persona, "get", url, {}, parameter)
            if route.with_segment:
                for value in HOSTILE:
                    method = "get" if route.get else "post"
                    walk.send(persona, method, route.with_segment(scene, quote(value)))
            pages = route.form_pages(scene) if route.form_pages else [url] if route.get else []
            offered = [
                form
                for page in pages
                for form in forms_on(walk.page(persona, page), page)
                if route_name(form.action) == name
            ]
            for form in offered:
                walk.form(persona, form)
            reached |= {name} if offered else set()
            if not offered and not route.get:
                walk.send(persona, "post", url, route.post)
                for field_name in route.post:
                    walk.each_value(persona, "post", url, route.post, field_name)
    assert walk.failures == [], f"{len(walk.failures)} of {walk.requests} requests answered 500"
    # The pages still offer the forms the walk posts (a form that went missing is not walked).
    assert {name for name, route in ROUTES.items() if route.form_pages} <= reached
