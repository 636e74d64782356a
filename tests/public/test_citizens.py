"""Online submission (/submit/), the receipt, and progress lookup (/track/), as a citizen
and as every signed-in role; bad input, double submits, guessing and rate limits."""

import re
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from public import throttle
from public.forms import (
    CONSENT_VERSION,
    PROCESSING_CONSENT,
    PUBLICATION_CONSENT,
    SMS_CONSENT,
    consent_version,
)
from tests.signing import force_login
from visits import lifecycle
from visits.models import Case, CaseEvent, EventKind, Referral, Visit

from ..factories import DepartmentFactory, WorkstationFactory

NAME, PHONE = "赵秀芝", "13912345678"
XSS = "<script>alert(1)</script>"


pytestmark = pytest.mark.usefixtures("working_calendar")


def citizen(address: str = "10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form_data(desk, **fields) -> dict:
    data = {
        "workstation": desk.pk,
        "category": "property",
        "text": "小区楼道堆满杂物，存在消防隐患，物业一直不管。",
        "name": NAME,
        "phone": PHONE,
        "consent_to_processing": "on",
        "consent_to_publish": "on",
        "website": "",
        "submission_id": "6f1c1b8e-2a7c-4d1e-9d55-1f3f2e0c9a11",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, desk, **fields):
    return client.post(reverse("public:submit"), form_data(desk, **fields))


def read_receipt(client) -> tuple[str, str]:
    html = client.get(reverse("public:receipt")).content.decode()
    number = re.search(r'id="receipt-number">([^<]+)<', html).group(1)
    code = re.search(r'id="receipt-code">([^<]+)<', html).group(1)
    return number, code


# Submitting


@pytest.mark.parametrize("persona", [None, "administrator", "staff", "other_staff", "member_user"])
def test_everyone_gets_the_form_with_its_fields_and_consents(request, workstation, persona):
    client = citizen()
    if persona:
        force_login(client, request.getfixturevalue(persona))

    response = client.get(reverse("public:submit"))

    html = response.content.decode()
    for field in ("workstation", "category", "text", "name", "phone", "consent_to_processing"):
        assert f'name="{field}"' in html
    assert workstation.street in html
    assert "no-store" in response["Cache-Control"]


def test_a_citizen_submits_and_reads_the_receipt_for_fifteen_minutes_only(workstation, monkeypatch):
    client = citizen()

    response = submit(client, workstation)

    assert response.status_code == 302 and response["Location"] == reverse("public:receipt")
    number, code = read_receipt(client)
    case = Case.objects.get(number=number)
    assert case.status == Case.Status.SUBMITTED and case.workstation == workstation
    assert case.visit.visitor_name == NAME and case.visit.consent_to_publish
    assert len(code) == 10 and code not in case.lookup_code
    # A reload, or a switch to large text, still shows it...
    client.get(reverse("public:preferences"), {"care": "on", "next": "/submit/receipt/"})
    assert read_receipt(client) == (number, code)
    # ...but not a quarter of an hour later, and then never again.
    later = time.time() + 15 * 60 + 1
    monkeypatch.setattr("public.citizens.time.time", lambda: later)
    gone = client.get(reverse("public:receipt")).content.decode()
    assert code not in gone and "There is no receipt to show" in gone
    assert "public_receipt" not in client.session


def test_sending_and_looking_up_each_start_a_new_session(workstation):
    client = citizen()
    submit(client, workstation, submission_id="00000000-0000-0000-0000-000000000001")
    first = client.cookies["sessionid"].value
    number, code = read_receipt(client)

    client.post(reverse("public:track"), {"number": number, "code": code})
    after_lookup = client.cookies["sessionid"].value
    submit(client, workstation, submission_id="00000000-0000-0000-0000-000000000002")

    assert first != after_lookup != client.cookies["sessionid"].value


def test_a_double_submit_creates_one_case_and_still_shows_the_receipt(workstation):
    client = citizen()

    submit(client, workstation)
    second = submit(client, workstation)

    assert second["Location"] == reverse("public:receipt")
    assert Case.objects.count() == 1 and Visit.objects.count() == 1
    assert read_receipt(client)[0] == Case.objects.get().number


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "长" * 2001}, "text", "at most 2000 characters"),
        ({"text": "太短"}, "text", "at least 10 characters"),
        ({"workstation": "999999"}, "workstation", "Select a valid choice"),
        ({"consent_to_processing": None}, "consent_to_processing", "Without this consent"),
        ({"phone": "12345"}, "phone", "Enter a mobile number"),
        ({"name": ""}, "name", "This field is required"),
        ({"category": "gossip"}, "category", "Select a valid choice"),
    ],
)
def test_bad_input_is_a_field_error_and_saves_nothing(workstation, fields, field, message):
    response = submit(citizen(), workstation, **fields)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message.lower() in " ".join(errors[field]).lower()
    assert not Case.objects.exists() and not Visit.objects.exists()


def test_an_inactive_workstation_cannot_be_chosen(workstation):
    closed = WorkstationFactory(is_active=False)

    response = submit(citizen(), closed)

    assert response.status_code == 400 and "workstation" in response.context["form"].errors
    assert not Case.objects.exists()


def test_the_honeypot_filled_in_saves_nothing(workstation):
    response = submit(citizen(), workstation, website="http://spam.example")

    assert response.status_code == 400
    assert not Case.objects.exists()


def test_submissions_from_one_address_are_limited_and_the_refusal_saves_nothing(workstation):
    client = citizen("10.0.0.7")
    for n in range(throttle.SUBMISSIONS.count):
        submit(client, workstation, submission_id=f"00000000-0000-0000-0000-{n:012d}")
    assert Case.objects.count() == throttle.SUBMISSIONS.count

    refused = submit(client, workstation, submission_id="00000000-0000-0000-0000-999999999999")

    assert refused.status_code == 429
    assert "Too many submissions" in refused.content.decode()
    assert Case.objects.count() == throttle.SUBMISSIONS.count
    # Another address is not held back.
    assert submit(citizen("10.0.0.8"), workstation).status_code == 302


def test_markup_in_the_opinion_comes_out_escaped_on_the_tracking_page(workstation):
    client = citizen()
    submit(client, workstation, text=f"{XSS} 楼道堆物严重，请尽快处理。")
    number, code = read_receipt(client)

    client.post(reverse("public:track"), {"number": number, "code": code})
    html = client.get(reverse("public:track")).content.decode()

    assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Tracking


@pytest.fixture
def submitted(workstation):
    """A citizen's client after submitting, with the number and code from the receipt."""
    client = citizen()
    submit(client, workstation)
    number, code = read_receipt(client)
    return client, number, code


def test_the_lookup_shows_status_dates_and_public_steps_but_no_personal_data(submitted, staff):
    client, number, code = submitted
    case = Case.objects.get(number=number)
    lifecycle.case_accept(case=case, actor=staff, note="内部：已电话联系")

    response = client.post(reverse("public:track"), {"number": number, "code": code})
    assert response.status_code == 302
    page = client.get(reverse("public:track"))

    html = page.content.decode()
    assert "Registered" in html and number in html
    assert "Submitted online" in html and "Accepted" in html
    assert "内部" not in html and NAME not in html and PHONE not in html
    assert "no-store" in page["Cache-Control"]


def test_a_wrong_code_answers_exactly_like_an_unknown_number(submitted):
    _, number, code = submitted
    wrong = code[:-1] + ("2" if code[-1] != "2" else "3")

    def answer(number, code):
        response = citizen().post(reverse("public:track"), {"number": number, "code": code})
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return response.status_code, body.replace(number, "N")

    assert answer(number, wrong) == answer("2026-999999", wrong)
    assert "No case matches" in answer(number, wrong)[1]


def test_repeated_guessing_from_one_address_is_refused_even_with_the_right_code(submitted):
    _, number, code = submitted
    guesser = citizen("10.9.9.9")
    for n in range(throttle.LOOKUPS.count):
        guesser.post(reverse("public:track"), {"number": f"2026-{n:06d}", "code": "AAAAAAAAAA"})

    refused = guesser.post(reverse("public:track"), {"number": number, "code": code})

    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()


def test_wrong_codes_for_a_number_lock_that_address_out_of_it_but_not_the_citizen(submitted):
    _, number, code = submitted
    guesser = citizen("10.1.1.1")
    for _ in range(throttle.FAILED_LOOKUPS_PER_NUMBER.count):
        guesser.post(reverse("public:track"), {"number": number, "code": "WRONGCODE2"})

    refused = guesser.post(reverse("public:track"), {"number": number, "code": code})
    allowed = citizen("10.2.2.2").post(reverse("public:track"), {"number": number, "code": code})

    assert refused.status_code == 429
    assert allowed.status_code == 302


def test_addresses_of_one_ipv6_network_share_their_limit(workstation):
    for n in range(throttle.SUBMISSIONS.count):
        submit(
            citizen(f"2001:db8:1:2::{n + 1:x}"),
            workstation,
            submission_id=f"00000000-0000-0000-0000-{n:012d}",
        )

    assert submit(citizen("2001:db8:1:2::ffff"), workstation).status_code == 429
    assert submit(citizen("2001:db8:1:3::1"), workstation).status_code == 302


def test_additions_to_one_case_are_limited(submitted):
    client, number, code = submitted
    client.post(reverse("public:track"), {"number": number, "code": code})
    for n in range(throttle.ADDITIONS.count):
        client.post(reverse("public:track_add"), {"text": f"补充第{n}条"})

    client.post(reverse("public:track_add"), {"text": "再补充一条"})

    notes = CaseEvent.objects.filter(case__number=number, kind=EventKind.NOTE)
    assert notes.count() == throttle.ADDITIONS.count
    assert "Too many additions" in client.get(reverse("public:track")).content.decode()


def test_the_citizen_adds_information_to_their_open_case(submitted):
    client, number, code = submitted
    client.post(reverse("public:track"), {"number": number, "code": code})

    response = client.post(reverse("public:track_add"), {"text": "补充：5号楼也有同样问题。"})

    assert response["Location"] == reverse("public:track")
    event = CaseEvent.objects.filter(case__number=number, kind=EventKind.NOTE).get()
    assert (event.actor, event.note) == (None, "补充：5号楼也有同样问题。")
    assert "5号楼" in client.get(reverse("public:track")).content.decode()


def test_the_citizen_gives_the_follow_up_once_the_case_is_resolved(submitted, staff):
    client, number, code = submitted
    case = Case.objects.get(number=number)
    lifecycle.case_accept(case=case, actor=staff)
    case.refresh_from_db()
    lifecycle.case_resolve(case=case, actor=staff, note="楼道已清理，物业已整改。")
    client.post(reverse("public:track"), {"number": number, "code": code})
    page = client.get(reverse("public:track")).content.decode()
    assert 'id="follow-up-form"' in page and "楼道已清理" in page

    client.post(reverse("public:track_follow_up"), {"satisfaction": "satisfied", "comment": ""})

    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Case.Status.CLOSED, "satisfied")
    page = client.get(reverse("public:track")).content.decode()
    assert "Followed up and closed" in page and 'id="follow-up-form"' not in page
    assert 'id="add-form"' not in page


def test_a_follow_up_before_resolution_is_refused_and_changes_nothing(submitted):
    client, number, code = submitted
    client.post(reverse("public:track"), {"number": number, "code": code})

    client.post(reverse("public:track_follow_up"), {"satisfaction": "satisfied"})

    assert Case.objects.get(number=number).status == Case.Status.SUBMITTED
    assert "not possible while the case is" in client.get(reverse("public:track")).content.decode()


def test_an_empty_addition_is_a_field_error(submitted):
    client, number, code = submitted
    client.post(reverse("public:track"), {"number": number, "code": code})

    response = client.post(reverse("public:track_add"), {"text": ""})

    assert response.status_code == 400 and "text" in response.context["add_form"].errors
    assert not CaseEvent.objects.filter(kind=EventKind.NOTE).exists()


@pytest.mark.usefixtures("submitted")
def test_without_a_lookup_the_actions_go_back_to_the_form_and_change_nothing():
    stranger = citizen("10.3.3.3")

    response = stranger.post(reverse("public:track_add"), {"text": "我不是提交人"})

    assert response["Location"] == reverse("public:track")
    assert not CaseEvent.objects.filter(kind=EventKind.NOTE).exists()


def test_the_action_addresses_take_post_only(submitted):
    client, _, _ = submitted
    assert client.get(reverse("public:track_add")).status_code == 405
    assert client.get(reverse("public:track_follow_up")).status_code == 405
    assert client.put(reverse("public:track")).status_code == 405


def test_look_up_another_case_forgets_the_current_one(submitted):
    client, number, code = submitted
    client.post(reverse("public:track"), {"number": number, "code": code})

    client.post(reverse("public:track"), {"forget": "1"})

    html = client.get(reverse("public:track")).content.decode()
    assert 'id="lookup-form"' in html and number not in html


def test_staff_accept_the_online_case_from_their_case_page_and_the_citizen_sees_it(
    submitted, staff
):
    client, number, code = submitted
    desk = citizen()
    desk.force_login(staff)

    desk.post(
        reverse("desk:case_act", args=[number, "accept"]),
        {"accept-seen_status": "submitted", "accept-note": ""},
    )

    client.post(reverse("public:track"), {"number": number, "code": code})
    assert "Registered" in client.get(reverse("public:track")).content.decode()


def test_markup_in_additions_replies_and_the_outcome_comes_out_escaped(submitted, staff):
    client, number, code = submitted
    case = Case.objects.get(number=number)
    lifecycle.case_accept(case=case, actor=staff)
    case.refresh_from_db()
    lifecycle.case_refer(case=case, actor=staff, department=DepartmentFactory(name=XSS[:30]))
    lifecycle.referral_reply(
        referral=Referral.objects.get(case=case), actor=staff, reply=f"答复{XSS}"
    )
    case = Case.objects.get(pk=case.pk)
    lifecycle.case_resolve(case=case, actor=staff, note=f"办结{XSS}")
    client.post(reverse("public:track"), {"number": number, "code": code})
    client.post(reverse("public:track_add"), {"text": f"补充{XSS}"})

    html = client.get(reverse("public:track")).content.decode()

    assert "<script>" not in html
    for text in ("答复", "办结", "补充"):
        assert f"{text}&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_each_consent_keeps_the_version_of_the_wording_agreed_to(workstation):
    submit(citizen(), workstation)

    visit = Visit.objects.get()
    assert visit.privacy_consent_at is not None
    assert visit.privacy_consent_version == CONSENT_VERSION != ""


def test_a_change_of_the_consents_wording_is_a_new_version():
    reworded = (PROCESSING_CONSENT + " ", PUBLICATION_CONSENT, SMS_CONSENT)

    assert consent_version(reworded) != CONSENT_VERSION
    assert consent_version((PROCESSING_CONSENT, PUBLICATION_CONSENT, SMS_CONSENT)) == (
        CONSENT_VERSION
    )
