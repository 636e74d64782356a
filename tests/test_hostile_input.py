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

import copy
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from activities.models import Activity, ActivityKind
from activities.services import proposal_draft_from_case
from members.models import DutyAssignment
from points.models import PointEntry
from visits import lifecycle
from visits.models import Case
from visits.online import Submission, online_submit
from workdays.loading import load_year

from .factories import DepartmentFactory, DutyShiftFactory, MemberFactory
from .points.test_cards import attend, make_rules
from .visits.conftest import World

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

# The Django admin has its own tests (tests/test_admin*.py and each app's admin tests).
NOT_WALKED = re.compile(r"^admin/")

STAFF = ("administrator", "staff")
SIGNED_IN = ("administrator", "staff", "member")
EVERYONE = ("administrator", "staff", "member", "anonymous")


@dataclass
class Scene:
    """One of everything a page can show, at the staff's workstation."""

    workstation: object
    member: object
    registered: object  # handled by the member
    referred: object
    resolved: object
    submitted: object
    past_duty: DutyAssignment
    coming_duty: DutyAssignment
    activity: Activity
    proposal: object
    entry: PointEntry
    year: int


@dataclass(frozen=True)
class Route:
    """How to reach one URL pattern: its address in the scene, who may, and what it reads."""

    url: Callable[[Scene], str]
    personas: tuple[str, ...]
    query: tuple[str, ...] = ()  # the query parameters the view reads
    # The pages whose forms post here (default: the route's own page, when it answers GET).
    form_pages: Callable[[Scene], list[str]] | None = None
    get: bool = True  # whether the route answers GET (otherwise only its forms are posted)
    # The address with one text segment replaced, for <str:…> parameters.
    with_segment: Callable[[Scene, str], str] | None = None
    post: dict = field(default_factory=dict)  # fields to post when no page offers a form


def case_url(suffix: str = "") -> Callable[[Scene], str]:
    return lambda scene: f"/cases/{scene.registered.number}/{suffix}"


def case_pages(scene: Scene) -> list[str]:
    cases = (scene.registered, scene.referred, scene.resolved, scene.submitted)
    return [f"/cases/{case.number}/" for case in cases]


def past_duty_week(scene: Scene) -> list[str]:
    return [f"/rosters/{scene.workstation.slug}/week/?date={scene.past_duty.shift.date}"]


ROUTES: dict[str, Route] = {
    "healthz": Route(lambda s: "/healthz", ("anonymous",)),
    "set_language": Route(
        lambda s: "/i18n/setlang/", EVERYONE, get=False, post={"language": "en", "next": "/"}
    ),
    "login": Route(lambda s: "/login/", ("anonymous",), query=("next",)),
    "password_change": Route(lambda s: "/password/", SIGNED_IN),
    "password_change_done": Route(lambda s: "/password/changed/", SIGNED_IN),
    "logout": Route(lambda s: "/logout/", SIGNED_IN, get=False, post={"next": "/"}),
    "session_keep_alive": Route(lambda s: "/session/keep-alive/", SIGNED_IN, get=False),
    "members:member_calendar": Route(
        lambda s: f"/calendar/member/{s.member.calendar_token}.ics", ("anonymous",)
    ),
    "members:workstation_calendar": Route(
        lambda s: f"/calendar/workstation/{s.workstation.slug}.ics", ("anonymous",)
    ),
    "members:rosters": Route(lambda s: "/rosters/", STAFF),
    "members:roster_week": Route(
        lambda s: f"/rosters/{s.workstation.slug}/week/", STAFF, query=("date",)
    ),
    "members:roster_month": Route(
        lambda s: f"/rosters/{s.workstation.slug}/month/", STAFF, query=("date",)
    ),
    "members:assignment_attendance": Route(
        lambda s: f"/rosters/assignments/{s.past_duty.pk}/attendance/",
        STAFF,
        get=False,
        form_pages=past_duty_week,
    ),
    "members:assignment_change": Route(
        lambda s: f"/rosters/assignments/{s.coming_duty.pk}/change/", SIGNED_IN
    ),
    "members:assignment_leave": Route(
        lambda s: f"/rosters/assignments/{s.coming_duty.pk}/leave/",
        SIGNED_IN,
        get=False,
        form_pages=lambda s: [f"/rosters/assignments/{s.coming_duty.pk}/change/"],
    ),
    "members:assignment_swap": Route(
        lambda s: f"/rosters/assignments/{s.coming_duty.pk}/swap/",
        SIGNED_IN,
        get=False,
        form_pages=lambda s: [f"/rosters/assignments/{s.coming_duty.pk}/change/"],
    ),
    "members:my_duties": Route(lambda s: "/my/duties/", ("member",)),
    "visits:dashboard": Route(lambda s: "/dashboard/", SIGNED_IN),
    "visits:visit_new": Route(lambda s: "/visits/new/", STAFF),
    "visits:visit_detail": Route(lambda s: f"/visits/{s.registered.visit_id}/", STAFF),
    "visits:case_list": Route(
        lambda s: "/cases/", SIGNED_IN, query=("after", "before", "sort", "q", "created_from")
    ),
    "visits:case_export": Route(
        lambda s: "/cases/export.csv",
        SIGNED_IN,
        query=("contacts", "q", "workstation", "member", "created_to"),
        with_segment=lambda s, text: f"/cases/export.{text}",
    ),
    "visits:case_detail": Route(
        case_url(), SIGNED_IN, with_segment=lambda s, text: f"/cases/{text}/"
    ),
    "visits:case_reveal": Route(
        case_url("reveal/"),
        SIGNED_IN,
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{text}/reveal/",
    ),
    "visits:case_receipt": Route(
        case_url("receipt/"), STAFF, with_segment=lambda s, text: f"/cases/{text}/receipt/"
    ),
    "visits:case_receipt_renew": Route(
        case_url("receipt/renew/"),
        STAFF,
        get=False,
        form_pages=lambda s: [f"/cases/{s.registered.number}/receipt/"],
    ),
    "visits:case_correct": Route(
        case_url("edit/"),
        STAFF,
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{text}/edit/",
    ),
    "visits:case_act": Route(
        case_url("note/"),
        SIGNED_IN,
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{s.registered.number}/{text}/",
    ),
    "activities:activity_list": Route(lambda s: "/activities/", STAFF, query=("page",)),
    "activities:activity_new": Route(lambda s: "/activities/new/", STAFF),
    "activities:activity_detail": Route(lambda s: f"/activities/{s.activity.pk}/", STAFF),
    "activities:proposal_detail": Route(lambda s: f"/proposals/{s.proposal.pk}/", SIGNED_IN),
    "activities:case_proposal": Route(
        case_url("proposals/new/"),
        STAFF,
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{text}/proposals/new/",
    ),
    "points:my_card": Route(lambda s: "/my/report-card/", ("member",), query=("year",)),
    "points:year_cards": Route(lambda s: f"/report-cards/{s.year}/", ("administrator",)),
    "points:year_workbook": Route(lambda s: f"/report-cards/{s.year}.xlsx", ("administrator",)),
    "points:member_card": Route(
        lambda s: f"/report-cards/{s.year}/{s.member.pk}/", ("administrator", "member")
    ),
    "points:query_entry": Route(
        lambda s: f"/report-cards/entries/{s.entry.pk}/query/",
        ("member",),
        get=False,
        form_pages=lambda s: [f"/my/report-card/?year={s.year}"],
    ),
    "public:column": Route(lambda s: "/", EVERYONE),
    "public:workstation": Route(lambda s: f"/workstations/{s.workstation.slug}/", EVERYONE),
    "public:member": Route(lambda s: f"/members/{s.member.pk}/", EVERYONE),
    "public:stats": Route(lambda s: "/stats/", EVERYONE, query=("year",)),
    "public:submit": Route(lambda s: "/submit/", ("anonymous",)),
    "public:receipt": Route(lambda s: "/submit/receipt/", ("anonymous",)),
    "public:track": Route(lambda s: "/track/", ("anonymous", "citizen")),
    "public:track_add": Route(
        lambda s: "/track/add/", ("citizen",), get=False, form_pages=lambda s: ["/track/"]
    ),
    "public:track_follow_up": Route(
        lambda s: "/track/follow-up/",
        ("citizen_resolved",),
        get=False,
        form_pages=lambda s: ["/track/"],
    ),
    "public:preferences": Route(
        lambda s: "/preferences/", ("anonymous",), query=("next", "language", "care")
    ),
}


def _patterns(resolvers, prefix: str = "", namespace: str = ""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace + (entry.name or "")


def walked_patterns() -> dict[str, str]:
    """name → route of every URL pattern the walk must cover."""
    return {
        name: route
        for route, name in _patterns(get_resolver().url_patterns)
        if not NOT_WALKED.match(route)
    }


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
def scene(staff, member_user, workstation, administrator, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    for year in (today.year - 1, today.year, today.year + 1):
        load_year(year)
    member = member_user.member
    member.is_published = True
    member.save(update_fields=["is_published"])
    world = World(
        staff, (DepartmentFactory(name="区住建局"), DepartmentFactory(name="区消防救援大队"))
    )
    registered = world.registered(workstation, members=[member], title="小区物业不作为")
    referred = world.referred(workstation, members=[member], title="消防通道被占")
    resolved = world.resolved(workstation, title="老人助餐点太远")
    submitted = world.submitted(workstation, title="群租房")
    # Attendance is taken once a shift has started, leave and swaps before: yesterday's
    # shift and two coming ones, the second another member's to swap with.
    yesterday = today - timedelta(days=1)
    past_shift = DutyShiftFactory(workstation=workstation, date=yesterday)
    coming_shift = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=3))
    DutyAssignment.objects.create(
        shift=DutyShiftFactory(workstation=workstation, date=today + timedelta(days=4)),
        member=MemberFactory(home_workstation=workstation, name="王委员"),
    )
    activity = Activity.objects.create(
        kind=ActivityKind.COMMUNITY_VISIT, title="走访", date=today, organiser=staff
    )
    activity.workstations.add(workstation)
    proposal = proposal_draft_from_case(
        case=registered, actor=staff, kind="proposal", title="关于物业的提案", lead=member
    )
    make_rules(yesterday.year)
    attend(lambda: django_capture_on_commit_callbacks(execute=True), member, yesterday)
    return Scene(
        workstation=workstation,
        member=member,
        registered=registered,
        referred=referred,
        resolved=resolved,
        submitted=submitted,
        past_duty=DutyAssignment.objects.create(shift=past_shift, member=member),
        coming_duty=DutyAssignment.objects.create(shift=coming_shift, member=member),
        activity=activity,
        proposal=proposal,
        entry=PointEntry.objects.filter(member=member).first(),
        year=yesterday.year,
    )


def _citizen(workstation, *, resolved_by=None) -> Client:
    """A citizen who looked up their online opinion with its code, as /track/ asks."""
    receipt = online_submit(
        Submission(
            workstation=workstation,
            category="property",
            text="小区电梯坏了三个月",
            name="王小明",
            phone="13812345678",
            consent_to_publish=False,
            submission_id=uuid.uuid4(),
        )
    )
    if resolved_by is not None:
        case = lifecycle.case_accept(
            case=Case.objects.get(number=receipt.number), actor=resolved_by
        )
        lifecycle.case_resolve(case=case, actor=resolved_by, note="已办结")
    client = Client(raise_request_exception=False)
    client.post("/track/", {"number": receipt.number, "code": receipt.lookup_code})
    return client


@pytest.fixture
def personas(scene, administrator, staff, member_user, workstation) -> dict[str, Client]:
    def signed_in(user) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    return {
        "administrator": signed_in(administrator),
        "staff": signed_in(staff),
        "member": signed_in(member_user),
        "anonymous": Client(raise_request_exception=False),
        "citizen": _citizen(workstation),
        "citizen_resolved": _citizen(workstation, resolved_by=staff),
    }


class Walk:
    """Sends the requests and keeps those that answered 500."""

    def __init__(self, personas: dict[str, Client]):
        self.personas, self.failures, self.requests = personas, [], 0
        self.varied: set[tuple] = set()  # the forms and fields walked already

    def send(self, persona: str, method: str, url: str, data=None) -> None:
        client = self.personas[persona]
        # A sign-out, a new session or a language switch would stay with the client: the
        # database is rolled back after the request, the cookies too.
        cookies = copy.deepcopy(client.cookies)
        with transaction.atomic():
            response = getattr(client, method)(url, data or {})
            transaction.set_rollback(True)
        client.cookies = cookies
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
