"""Every URL pattern answers each role as its access rule says.

EXPECTED holds, for every URL pattern of the staff and public site, what each role gets:
an administrator, staff of the scene's workstation, staff of another workstation (a 404
on this workstation's objects; their own on lists), a member (who handles the scene's
registered case and holds its duties and card), and an anonymous visitor (the sign-in
page, or the public page). The address is built by the shared route table
(tests/routes.py); a GET route is fetched, a POST-only route is posted what its route
posts. The other method, sent by the administrator, must be refused (405) unless the
view answers both. A new URL pattern without an entry here fails
`test_every_url_pattern_has_an_authorization_entry`.
"""

from dataclasses import dataclass

import pytest
from django.test import Client

from .routes import ROUTES, Scene, build_scene, send, signed_in, walked_patterns

LOGIN = "login"  # a redirect to the sign-in page, with the way back
ROLES = (
    "administrator", "staff", "other_staff", "member", "anonymous", "liaison", "security",
    "auditor",
)  # fmt: skip


@dataclass(frozen=True)
class Expect:
    """What each role gets, in the order of ROLES; then the wrong method's answer."""

    administrator: int | str
    staff: int | str
    other_staff: int | str
    member: int | str
    anonymous: int | str
    wrong_method: int | None = 405  # None: the view answers GET and POST
    # A department's liaison (of the scene's referral): a 404 on every page but their own.
    liaison: int | str = 404
    # The security administrator and the auditor: their work is in admin; on the site
    # they have the public pages and their own account's, and a 404 on every other.
    security: int | str = 404
    auditor: int | str = 404


def _everyone(status: int) -> dict:
    return {"liaison": status, "security": status, "auditor": status}


def public(status: int = 200, **kwargs) -> Expect:
    return Expect(status, status, status, status, status, **{**_everyone(status), **kwargs})


def signed_in_only(status: int = 200, **kwargs) -> Expect:
    return Expect(status, status, status, status, LOGIN, **{**_everyone(status), **kwargs})


# A department's liaison only, on their department's referrals.
LIAISON_ONLY = Expect(404, 404, 404, 404, LOGIN, liaison=200)


# Scoped to the scene's workstation: administrators and its staff, nobody else.
DESK = Expect(200, 200, 404, 404, LOGIN)
# The case, its duty or its proposal: the handling member too.
HANDLERS = Expect(200, 200, 404, 200, LOGIN)
ADMINISTRATORS = Expect(200, 404, 404, 404, LOGIN)
MEMBER_ONLY = Expect(404, 404, 404, 200, LOGIN)
# A provider's push, machine to machine: the secret token in its address is the only
# credential (no session counts), so without it every role gets a 403.
PROVIDER_PUSH = public(403)

EXPECTED: dict[str, Expect] = {
    "healthz": public(),
    "set_language": public(302, wrong_method=302),  # Django's view redirects a GET too
    # To the desk (and from there a liaison to their referrals, the other two to admin).
    "login": Expect(302, 302, 302, 302, 200, wrong_method=None, **_everyone(302)),
    "password_change": signed_in_only(wrong_method=None),
    "password_change_done": signed_in_only(),
    "logout": public(302),
    # A script's call: no redirect.
    "session_keep_alive": Expect(200, 200, 200, 200, 401, **_everyone(200)),
    # Signed in with both factors already: on to where they were going.
    "accounts:second_factor": signed_in_only(302, wrong_method=None),
    "accounts:security": signed_in_only(),
    "accounts:set_up": signed_in_only(wrong_method=None),
    # No codes just made to show: back to the page; a POST makes new ones.
    "accounts:recovery_codes": signed_in_only(302, wrong_method=None),
    # A wrong code: refused beside the field; an administrator may not remove theirs.
    "accounts:remove": Expect(302, 400, 400, 400, LOGIN, liaison=400, security=302, auditor=302),
    "rosters:member_calendar": public(),  # the token is the credential
    "rosters:workstation_calendar": public(),
    # Staff go straight to their one workstation's week; a member keeps no roster.
    "rosters:rosters": Expect(200, 302, 302, 404, LOGIN),
    "rosters:roster_week": DESK,
    "rosters:roster_month": DESK,
    "rosters:assignment_attendance": Expect(302, 302, 404, 404, LOGIN),
    "rosters:assignment_change": HANDLERS,
    "rosters:assignment_leave": HANDLERS,  # the form again: nothing chosen
    "rosters:assignment_swap": HANDLERS,
    "rosters:my_duties": MEMBER_ONLY,
    # A liaison: to their referrals; the security administrator and the auditor: to admin.
    "desk:dashboard": signed_in_only(**_everyone(302)),
    "visits:visit_new": Expect(200, 200, 200, 404, LOGIN, wrong_method=None),
    "visits:visit_detail": DESK,
    "visits:case_list": signed_in_only(**_everyone(404)),  # each their own cases
    "visits:case_export": signed_in_only(**_everyone(404)),
    "departments:referral_list": LIAISON_ONLY,
    "departments:referral_detail": LIAISON_ONLY,
    "departments:referral_act": Expect(404, 404, 404, 404, LOGIN, liaison=400),  # nothing posted
    # The office shared the contact details with the liaison's department.
    "departments:referral_reveal": Expect(404, 404, 404, 404, LOGIN, liaison=200),
    "departments:supervision_answer": Expect(404, 404, 404, 404, LOGIN, liaison=400),
    "departments:supervision_list": ADMINISTRATORS,
    "departments:supervise_referral": Expect(200, 404, 404, 404, LOGIN, wrong_method=None),
    "departments:supervise_case": Expect(200, 404, 404, 404, LOGIN, wrong_method=None),
    # The workstation answers the supervision of its step; the office opened it.
    "desk:supervision_answer": Expect(404, 400, 404, 404, LOGIN),
    "desk:share_contact": Expect(400, 404, 404, 404, LOGIN),  # the office's; nothing posted
    "notices:inbox": signed_in_only(),  # each their own
    "notices:read_all": signed_in_only(302),
    "notices:open": Expect(404, 302, 404, 404, LOGIN),  # the staff's message
    "notices:aliyun_reports": PROVIDER_PUSH,
    "notices:aliyun_replies": PROVIDER_PUSH,
    "notices:tencent_reports": PROVIDER_PUSH,
    "notices:tencent_replies": PROVIDER_PUSH,
    "desk:case_detail": HANDLERS,
    "desk:case_reveal": HANDLERS,
    "visits:case_receipt": DESK,
    "visits:case_receipt_renew": Expect(302, 302, 404, 404, LOGIN),
    "desk:case_correct": Expect(400, 400, 404, 404, LOGIN),  # nothing posted: refused
    "desk:case_act": Expect(400, 400, 404, 400, LOGIN),
    "activities:activity_list": Expect(200, 200, 200, 404, LOGIN),
    "activities:activity_new": Expect(200, 200, 200, 404, LOGIN, wrong_method=None),
    "activities:activity_detail": Expect(200, 200, 404, 404, LOGIN, wrong_method=None),
    "activities:proposal_detail": HANDLERS,
    "desk:case_proposal": Expect(400, 400, 404, 404, LOGIN),
    "points:my_card": MEMBER_ONLY,
    "departments:record": ADMINISTRATORS,
    "departments:record_workbook": ADMINISTRATORS,
    "departments:record_behind": ADMINISTRATORS,
    "points:year_cards": ADMINISTRATORS,
    "points:year_workbook": ADMINISTRATORS,
    "points:member_card": Expect(200, 404, 404, 200, LOGIN),  # the year is not published
    "points:query_entry": Expect(404, 404, 404, 302, LOGIN),
    "public:column": public(),
    "public:duty": public(),
    "public:workstations": public(),
    "public:workstation": public(),
    "public:member": public(),
    "public:stats": public(),
    "public:submit": public(wrong_method=None),
    "public:receipt": public(),
    "public:track": public(wrong_method=None),
    # Without a looked-up opinion in the session, back to /track/ for everyone.
    "public:track_add": public(302),
    "public:track_follow_up": public(302),
    "public:preferences": public(302),
}


def test_every_url_pattern_has_an_authorization_entry():
    patterns = walked_patterns()
    assert sorted(set(patterns) - set(EXPECTED)) == [], "add these patterns to EXPECTED"
    assert sorted(set(EXPECTED) - set(patterns)) == [], "these entries have no pattern any more"


@pytest.fixture
def scene(staff, member_user, workstation, django_capture_on_commit_callbacks) -> Scene:
    return build_scene(staff, member_user, workstation, django_capture_on_commit_callbacks)


@pytest.fixture
def clients(
    scene, administrator, staff, other_staff, member_user, security_administrator, auditor
) -> dict[str, Client]:
    return {
        "security": signed_in(security_administrator),
        "auditor": signed_in(auditor),
        "liaison": signed_in(scene.liaison),
        "administrator": signed_in(administrator),
        "staff": signed_in(staff),
        "other_staff": signed_in(other_staff),
        "member": signed_in(member_user),
        "anonymous": Client(raise_request_exception=False),
    }


def _outcome(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/login/?next="):
        return LOGIN
    return response.status_code


def test_every_url_pattern_answers_each_role_as_its_access_rule_says(scene, clients):
    wrong = []
    for name, expect in EXPECTED.items():
        route = ROUTES[name]
        url, method = route.url(scene), "get" if route.get else "post"
        for role, expected in ((role, getattr(expect, role)) for role in ROLES):
            got = _outcome(send(clients[role], method, url, route.post))
            if got != expected:
                wrong.append(f"{role} {method.upper()} {name}: {got}, expected {expected}")
    assert wrong == []


def test_every_url_pattern_refuses_the_method_it_does_not_answer(scene, clients):
    wrong = []
    for name, expect in EXPECTED.items():
        if expect.wrong_method is None:
            continue
        route = ROUTES[name]
        method = "post" if route.get else "get"
        got = _outcome(send(clients["administrator"], method, route.url(scene)))
        if got != expect.wrong_method:
            wrong.append(f"{method.upper()} {name}: {got}, expected {expect.wrong_method}")
    assert wrong == []
