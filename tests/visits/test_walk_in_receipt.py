"""A citizen who comes to the desk (or phones) follows their case online like one who
submitted online: every case registered from a visit gets a lookup code, shown once on
a receipt slip the liaison prints and hands over; a lost slip gets a new code, which
invalidates the old one and is audited."""

import re

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from visits import lifecycle
from visits.lookup_codes import LOOKUP_ALPHABET, LOOKUP_LENGTH
from visits.models import Case, CaseEvent, CaseStatus, EventKind, Satisfaction
from visits.online import case_lookup

from ..posts import visit_data

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

SLIP_CODE = re.compile(r'id="slip-code">([^<]+)<')


@pytest.fixture
def desk(sign_in, staff, workstation):
    workstation.phone = "029-87654321"
    workstation.save()
    return sign_in(staff)


def log_visit(client, workstation) -> tuple[Case, Case]:
    """Log the standard visit: an issue to follow and one answered on the spot."""
    response = client.post(reverse("visits:visit_new"), visit_data(workstation))
    assert response.status_code == 302
    followed, answered = Case.objects.order_by("pk")
    return followed, answered


def receipt_url(case: Case) -> str:
    return reverse("visits:case_receipt", args=[case.number])


def read_slip(client, case: Case) -> str:
    response = client.get(receipt_url(case))
    assert response.status_code == 200
    return SLIP_CODE.search(response.content.decode()).group(1)


def test_every_case_registered_from_a_visit_gets_a_lookup_code_stored_only_as_a_hash(
    desk, workstation
):
    followed, answered = log_visit(desk, workstation)

    code = read_slip(desk, followed)

    assert len(code) == LOOKUP_LENGTH and set(code) <= set(LOOKUP_ALPHABET)
    assert followed.lookup_code and code not in followed.lookup_code
    assert check_password(code, followed.lookup_code)
    # Answered on the spot: closed there and then, nothing to follow.
    assert answered.lookup_code == ""


def test_the_visit_page_offers_the_receipt_slip_of_each_case_to_follow(desk, workstation):
    followed, answered = log_visit(desk, workstation)

    page = desk.get(f"/visits/{followed.visit_id}/").content.decode()

    assert f'href="{receipt_url(followed)}"' in page
    assert f'href="{receipt_url(answered)}"' not in page
    assert "shown only once" in page


def test_the_slip_shows_number_code_workstation_phone_and_where_to_look_it_up(desk, workstation):
    followed, _answered = log_visit(desk, workstation)

    response = desk.get(receipt_url(followed))

    page = response.content.decode()
    assert followed.number in page and SLIP_CODE.search(page)
    assert workstation.name in page and "029-87654321" in page
    assert "http://testserver/track/" in page
    assert "no-store" in response["Cache-Control"]
    assert re.search(r'<link rel="stylesheet" href="[^"]*receipt-slip\.css" media="print">', page)


def test_the_code_is_shown_once_and_a_reload_does_not_show_it_again(desk, workstation):
    followed, _answered = log_visit(desk, workstation)
    code = read_slip(desk, followed)

    reloaded = desk.get(receipt_url(followed)).content.decode()

    assert code not in reloaded and not SLIP_CODE.search(reloaded)
    assert "no longer be shown" in reloaded
    assert 'action="' + reverse("visits:case_receipt_renew", args=[followed.number]) in reloaded


def test_the_code_never_reaches_an_address_or_the_audit_log(desk, workstation):
    response = desk.post(reverse("visits:visit_new"), visit_data(workstation))
    followed = Case.objects.order_by("pk").first()
    code = read_slip(desk, followed)
    renewed = desk.post(reverse("visits:case_receipt_renew", args=[followed.number]))
    new_code = read_slip(desk, followed)

    for location in (response["Location"], renewed["Location"]):
        assert code not in location and new_code not in location
    entries = list(AuditEntry.objects.all())
    assert entries  # the visit and the new code were audited: the check below reads them
    for entry in entries:
        assert code not in entry.detail + entry.target and new_code not in entry.detail


def test_a_new_code_invalidates_the_old_one_and_is_audited(desk, staff, workstation):
    followed, _answered = log_visit(desk, workstation)
    lost = read_slip(desk, followed)

    response = desk.post(reverse("visits:case_receipt_renew", args=[followed.number]))
    new = read_slip(desk, followed)

    assert response.status_code == 302 and response["Location"] == receipt_url(followed)
    assert new != lost
    assert case_lookup(followed.number, lost) is None
    assert case_lookup(followed.number, new).pk == followed.pk
    entry = AuditEntry.objects.filter(target=followed.number).get()
    assert (entry.user, entry.action) == (staff, AuditEntry.Action.TRANSITION)
    assert entry.detail == "new lookup code"


def citizen() -> Client:
    client = Client(REMOTE_ADDR="10.0.0.1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_citizen_from_the_desk_tracks_adds_information_and_gives_the_follow_up(
    desk, staff, workstation
):
    followed, _answered = log_visit(desk, workstation)
    code = read_slip(desk, followed)
    at_home = citizen()

    opened = at_home.post(reverse("public:track"), {"number": followed.number, "code": code})
    page = at_home.get(reverse("public:track")).content.decode()
    added = at_home.post(reverse("public:track_add"), {"text": "补充：5号楼电梯也坏了。"})
    lifecycle.case_resolve(case=Case.objects.get(pk=followed.pk), actor=staff, note="电梯已修好")
    followed_up = at_home.post(
        reverse("public:track_follow_up"), {"satisfaction": "satisfied", "comment": "谢谢"}
    )

    assert opened.status_code == 302
    assert followed.number in page and "Registered" in page and 'id="add-form"' in page
    assert added.status_code == 302 and followed_up.status_code == 302
    note = CaseEvent.objects.get(case=followed, kind=EventKind.NOTE)
    assert (note.actor, note.note) == (None, "补充：5号楼电梯也坏了。")
    followed.refresh_from_db()
    assert (followed.status, followed.satisfaction) == (CaseStatus.CLOSED, Satisfaction.SATISFIED)


def test_a_new_code_ends_the_tracking_a_found_slip_had_opened(desk, workstation):
    followed, _answered = log_visit(desk, workstation)
    lost = read_slip(desk, followed)
    finder = citizen()
    finder.post(reverse("public:track"), {"number": followed.number, "code": lost})
    assert followed.number in finder.get(reverse("public:track")).content.decode()

    desk.post(reverse("visits:case_receipt_renew", args=[followed.number]))
    page = finder.get(reverse("public:track")).content.decode()
    added = finder.post(reverse("public:track_add"), {"text": "冒充者的补充"})

    assert followed.number not in page
    # Sent back to the lookup, and nothing was added to the case.
    assert added["Location"] == reverse("public:track")
    assert not CaseEvent.objects.filter(note="冒充者的补充").exists()


# --- every role --------------------------------------------------------------------------


@pytest.fixture
def case(world, workstation) -> Case:
    return world.registered(workstation)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("administrator", 200), ("staff", 200), ("other_staff", 404), ("member_user", 404)],
)
def test_the_receipt_page_is_for_the_cases_workstation_and_administrators(
    request, sign_in, case, persona, status
):
    client = sign_in(request.getfixturevalue(persona))

    assert client.get(receipt_url(case)).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("administrator", 302), ("staff", 302), ("other_staff", 404), ("member_user", 404)],
)
def test_only_the_cases_workstation_and_administrators_issue_a_new_code(
    request, sign_in, case, persona, status
):
    before = Case.objects.get(pk=case.pk).lookup_code
    client = sign_in(request.getfixturevalue(persona))

    response = client.post(reverse("visits:case_receipt_renew", args=[case.number]))

    assert response.status_code == status
    changed = Case.objects.get(pk=case.pk).lookup_code != before
    assert changed == (status == 302)
    # A 404 leaves only the refusal's line (tests/audit/test_denied.py).
    renewed = AuditEntry.objects.exclude(action=AuditEntry.Action.DENIED)
    assert renewed.exists() == (status == 302)


def test_a_member_handling_the_case_gets_no_receipt_either(sign_in, member_user, member, case):
    case.handling_members.set([member])
    client = sign_in(member_user)

    assert client.get(receipt_url(case)).status_code == 404
    assert client.post(reverse("visits:case_receipt_renew", args=[case.number])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(sign_in, case):
    client = sign_in()

    for response in (
        client.get(receipt_url(case)),
        client.post(reverse("visits:case_receipt_renew", args=[case.number])),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_the_receipt_is_read_with_get_and_a_new_code_taken_with_post(sign_in, staff, case):
    client = sign_in(staff)

    assert client.post(receipt_url(case)).status_code == 405
    assert client.head(receipt_url(case)).status_code == 405
    assert client.get(reverse("visits:case_receipt_renew", args=[case.number])).status_code == 405


def test_the_case_page_links_its_receipt_for_the_desk_but_not_for_a_member(
    sign_in, staff, member_user, member, case
):
    case.handling_members.set([member])
    link = f'href="{receipt_url(case)}"'

    assert link in sign_in(staff).get(f"/cases/{case.number}/").content.decode()
    assert link not in sign_in(member_user).get(f"/cases/{case.number}/").content.decode()
