"""The URL patterns of the staff and public site, for the tests that walk every one of them
(tests/test_hostile_input.py, tests/test_url_authorization.py): how to build each address
in one scene with one of everything a page can show, who reaches it, what it reads. A new
URL pattern without an entry in ROUTES fails both walks."""

import copy
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from activities.models import Activity, ActivityKind
from activities.services import proposal_draft_from_case
from notices.models import Channel, NoticeEvent, NoticeStatus, Notification
from points.models import PointEntry
from rosters.models import DutyAssignment
from visits import lifecycle
from visits.models import Case
from visits.online import Submission, online_submit
from workdays.calendar import add_working_days
from workdays.loading import load_year
from workstations import roles

from .factories import DepartmentFactory, DutyShiftFactory, MemberFactory, UserFactory
from .points.test_cards import attend, make_rules
from .signing import force_login
from .stories import World

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
    referral: object  # the referred case's lead referral, to 区住建局
    liaison: object  # 区住建局's liaison
    # The office's supervisions: of the lead referral (its contact details shared with
    # the department), and of the registered case's own step.
    referral_supervision: object
    case_supervision: object
    message: object  # in the staff's inbox


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
    "accounts:second_factor": Route(lambda s: "/login/second-factor/", SIGNED_IN, query=("next",)),
    "accounts:security": Route(lambda s: "/account/second-factor/", SIGNED_IN),
    "accounts:set_up": Route(lambda s: "/account/second-factor/set-up/", SIGNED_IN),
    "accounts:recovery_codes": Route(
        lambda s: "/account/second-factor/recovery-codes/",
        SIGNED_IN,
        form_pages=lambda s: ["/account/second-factor/"],
    ),
    # Its form is on the page of an account with a factor it may remove: none in the scene.
    "accounts:remove": Route(
        lambda s: "/account/second-factor/remove/", SIGNED_IN, get=False, post={"code": "000000"}
    ),
    "rosters:member_calendar": Route(
        lambda s: f"/calendar/member/{s.member.calendar_token}.ics", ("anonymous",)
    ),
    "rosters:workstation_calendar": Route(
        lambda s: f"/calendar/workstation/{s.workstation.slug}.ics", ("anonymous",)
    ),
    "rosters:rosters": Route(lambda s: "/rosters/", STAFF),
    "rosters:roster_week": Route(
        lambda s: f"/rosters/{s.workstation.slug}/week/", STAFF, query=("date",)
    ),
    "rosters:roster_month": Route(
        lambda s: f"/rosters/{s.workstation.slug}/month/", STAFF, query=("date",)
    ),
    "rosters:assignment_attendance": Route(
        lambda s: f"/rosters/assignments/{s.past_duty.pk}/attendance/",
        STAFF,
        get=False,
        form_pages=past_duty_week,
    ),
    "rosters:assignment_change": Route(
        lambda s: f"/rosters/assignments/{s.coming_duty.pk}/change/", SIGNED_IN
    ),
    "rosters:assignment_leave": Route(
        lambda s: f"/rosters/assignments/{s.coming_duty.pk}/leave/",
        SIGNED_IN,
        get=False,
        form_pages=lambda s: [f"/rosters/assignments/{s.coming_duty.pk}/change/"],
    ),
    "rosters:assignment_swap": Route(
        lambda s: f"/rosters/assignments/{s.coming_duty.pk}/swap/",
        SIGNED_IN,
        get=False,
        form_pages=lambda s: [f"/rosters/assignments/{s.coming_duty.pk}/change/"],
    ),
    "rosters:my_duties": Route(lambda s: "/my/duties/", ("member",)),
    "desk:dashboard": Route(lambda s: "/dashboard/", SIGNED_IN),
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
    "desk:case_detail": Route(
        case_url(), SIGNED_IN, with_segment=lambda s, text: f"/cases/{text}/"
    ),
    "desk:case_reveal": Route(
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
    "desk:case_correct": Route(
        case_url("edit/"),
        STAFF,
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{text}/edit/",
    ),
    "desk:case_act": Route(
        case_url("note/"),
        SIGNED_IN,
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{s.registered.number}/{text}/",
    ),
    "departments:referral_list": Route(lambda s: "/department/", ("liaison",)),
    "departments:referral_detail": Route(
        lambda s: f"/department/referrals/{s.referral.pk}/", ("liaison",)
    ),
    "departments:referral_act": Route(
        lambda s: f"/department/referrals/{s.referral.pk}/acknowledge/",
        ("liaison",),
        get=False,
        form_pages=lambda s: [f"/department/referrals/{s.referral.pk}/"],
        with_segment=lambda s, text: f"/department/referrals/{s.referral.pk}/{text}/",
    ),
    "departments:referral_reveal": Route(
        lambda s: f"/department/referrals/{s.referral.pk}/reveal/",
        ("liaison",),
        get=False,
        form_pages=lambda s: [f"/department/referrals/{s.referral.pk}/"],
    ),
    "departments:supervision_answer": Route(
        lambda s: f"/department/supervisions/{s.referral_supervision.pk}/answer/",
        ("liaison",),
        get=False,
        form_pages=lambda s: [f"/department/referrals/{s.referral.pk}/"],
    ),
    "departments:supervision_list": Route(lambda s: "/office/supervision/", ("administrator",)),
    "departments:supervise_referral": Route(
        lambda s: f"/office/supervision/referrals/{s.referral.pk}/", ("administrator",)
    ),
    "departments:supervise_case": Route(
        lambda s: f"/office/supervision/cases/{s.registered.number}/",
        ("administrator",),
        with_segment=lambda s, text: f"/office/supervision/cases/{text}/",
    ),
    "desk:supervision_answer": Route(
        lambda s: f"/cases/{s.registered.number}/supervisions/{s.case_supervision.pk}/answer/",
        ("staff",),
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{text}/supervisions/{s.case_supervision.pk}/answer/",
    ),
    "desk:share_contact": Route(
        lambda s: f"/cases/{s.referred.number}/referrals/{s.referral.pk}/share-contact/",
        ("administrator",),
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{text}/referrals/{s.referral.pk}/share-contact/",
    ),
    "notices:inbox": Route(lambda s: "/inbox/", (*SIGNED_IN, "liaison")),
    "notices:read_all": Route(
        lambda s: "/inbox/read-all/",
        (*SIGNED_IN, "liaison"),
        get=False,
        form_pages=lambda s: ["/inbox/"],
    ),
    "notices:open": Route(
        lambda s: f"/inbox/{s.message.pk}/open/",
        ("staff",),
        get=False,
        form_pages=lambda s: ["/inbox/"],
    ),
    # The SMS providers' pushes (JSON, machine to machine): a token nobody configured.
    **{
        f"notices:{provider}_{kind}": Route(
            lambda s, provider=provider, kind=kind: f"/notices/{provider}/{kind}/not-the-token/",
            ("anonymous",),
            get=False,
            with_segment=lambda s, text, provider=provider, kind=kind: (
                f"/notices/{provider}/{kind}/{text}/"
            ),
        )
        for provider in ("aliyun", "tencent")
        for kind in ("reports", "replies")
    },
    "activities:activity_list": Route(lambda s: "/activities/", STAFF, query=("page",)),
    "activities:activity_new": Route(lambda s: "/activities/new/", STAFF),
    "activities:activity_detail": Route(lambda s: f"/activities/{s.activity.pk}/", STAFF),
    "activities:proposal_detail": Route(lambda s: f"/proposals/{s.proposal.pk}/", SIGNED_IN),
    "desk:case_proposal": Route(
        case_url("proposals/new/"),
        STAFF,
        get=False,
        form_pages=case_pages,
        with_segment=lambda s, text: f"/cases/{text}/proposals/new/",
    ),
    "departments:record": Route(
        lambda s: "/office/departments/", ("administrator",), query=("start", "end", "role")
    ),
    "departments:record_workbook": Route(
        lambda s: "/office/departments.xlsx", ("administrator",), query=("start", "end", "role")
    ),
    "departments:record_behind": Route(
        lambda s: f"/office/departments/{s.referral.department_id}/received/",
        ("administrator",),
        query=("start", "end", "role"),
        with_segment=lambda s, text: f"/office/departments/{s.referral.department_id}/{text}/",
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
    "public:duty": Route(lambda s: "/duty/", EVERYONE),
    "public:workstations": Route(lambda s: "/workstations/", EVERYONE),
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


def build_scene(staff, member_user, workstation, capture_on_commit) -> Scene:
    """The scene every route is reached in (`capture_on_commit` is pytest-django's
    django_capture_on_commit_callbacks fixture: the points are written on commit)."""
    today = timezone.localdate()
    for year in (today.year - 1, today.year, today.year + 1):
        load_year(year)
    member = member_user.member
    member.is_published = True
    member.save(update_fields=["is_published"])
    housing = DepartmentFactory(name="区住建局")
    world = World(staff, (housing, DepartmentFactory(name="区消防救援大队")))
    liaison = UserFactory(username="housing-liaison", role=roles.DEPARTMENT_LIAISONS)
    housing.liaisons.add(liaison)
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
    referral = referred.referrals.get(department=housing)
    office = UserFactory(username="office", role=roles.ADMINISTRATORS)
    lifecycle.referral_share_contact(referral=referral, actor=office, reason="需上门核实")
    supervised = {"actor": office, "level": "general", "note": "请尽快办理"}
    supervised["due_on"] = add_working_days(today, 3)
    make_rules(yesterday.year)
    attend(lambda: capture_on_commit(execute=True), member, yesterday)
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
        referral=referral,
        liaison=liaison,
        referral_supervision=lifecycle.supervision_open(
            case=referred, referral=referral, **supervised
        ),
        case_supervision=lifecycle.supervision_open(case=registered, **supervised),
        message=Notification.objects.create(
            key="scene:staff",
            event=NoticeEvent.REFERRAL_SENT,
            channel=Channel.INBOX,
            user=staff,
            subject="新转办件",
            link=f"/cases/{referred.number}/",
            status=NoticeStatus.SENT,
        ),
    )


def citizen(workstation, *, resolved_by=None) -> Client:
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


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    return force_login(client, user)


def personas_for(*, administrator, staff, member_user, liaison, workstation) -> dict[str, Client]:
    """A client for each role, and citizens who looked up their opinions on /track/."""
    return {
        "administrator": signed_in(administrator),
        "staff": signed_in(staff),
        "member": signed_in(member_user),
        "liaison": signed_in(liaison),
        "anonymous": Client(raise_request_exception=False),
        "citizen": citizen(workstation),
        "citizen_resolved": citizen(workstation, resolved_by=staff),
    }


def send(client: Client, method: str, url: str, data=None):
    """One request in a savepoint rolled back after it, its cookies restored: every
    request starts from the same scene, and one that succeeds leaves nothing behind (a
    sign-out, a new session or a language switch would stay with the client)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(url, data or {})
        if response.streaming:  # read while the scene holds (an export's rows)
            response.streaming_content = [b"".join(response.streaming_content)]
        transaction.set_rollback(True)
    client.cookies = cookies
    return response
