"""No staff form loses what was typed to the end of an idle session: the staff pages
keep the session alive while a form is being filled in (static/js/staff.js, through the
keep-alive address), and a form saved after the session ended is kept, sent through
signing in again, and offered back filled in, for the same user only, never replayed."""

import json
import logging
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from base import kept_input
from base.models import Session
from visits.models import CaseEvent, EventKind, Visit

from .factories import open_case
from .posts import visit_data
from .stories import NAME, PHONE

PASSWORD = "correct horse battery staple"
KEPT_SCRIPT = re.compile(r'<script id="kept-input" type="application/json">(.*?)</script>', re.S)


pytestmark = pytest.mark.usefixtures("working_calendar")


def signed_in(username: str, client: Client | None = None) -> Client:
    """A browser signed in through the sign-in page, as a liaison does, in English."""
    client = client or Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def idle_for_thirty_minutes(client: Client) -> None:
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


def kept_on(response) -> dict | None:
    found = KEPT_SCRIPT.search(response.content.decode())
    return json.loads(found.group(1)) if found else None


def save_visit_too_late(
    client: Client, workstation, referer: str = "http://testserver/visits/new/"
):
    client.get("/visits/new/")
    idle_for_thirty_minutes(client)
    return client.post("/visits/new/", visit_data(workstation), HTTP_REFERER=referer)


def test_a_visit_saved_after_the_session_ended_is_filled_in_again_after_signing_in(
    staff, workstation
):
    liaison = signed_in("liaison")

    too_late = save_visit_too_late(liaison, workstation)
    back = liaison.post(
        "/login/", {"username": "liaison", "password": PASSWORD, "next": "/visits/new/"}
    )
    form = liaison.get("/visits/new/")

    assert too_late.status_code == 302 and too_late["Location"] == "/login/?next=/visits/new/"
    assert back["Location"] == "/visits/new/"
    kept = kept_on(form)
    assert kept["action"] == "/visits/new/"
    sent = visit_data(workstation)
    for name in ("visitor_name", "visitor_phone", "issues-0-title", "issues-1-answer"):
        assert kept["fields"][name] == [sent[name]]
    assert "What you typed was kept" in form.content.decode()
    assert not Visit.objects.exists()  # offered back, not submitted


def test_an_id_number_typed_into_the_visit_is_not_kept_in_the_session(staff, workstation):
    liaison = signed_in("liaison")
    liaison.get("/visits/new/")
    idle_for_thirty_minutes(liaison)

    liaison.post("/visits/new/", visit_data(workstation, visitor_id_number="11010519491231002X"))

    kept = liaison.session[kept_input.KEPT]
    assert "visitor_id_number" not in kept["fields"] and "visitor_name" in kept["fields"]


def test_the_kept_visit_saved_again_is_logged_once(staff, workstation):
    liaison = signed_in("liaison")
    save_visit_too_late(liaison, workstation)
    signed_in("liaison", liaison)
    fields = kept_on(liaison.get("/visits/new/"))["fields"]

    saved = liaison.post("/visits/new/", fields)
    again = liaison.post("/visits/new/", fields)

    assert saved.status_code == again.status_code == 302
    visit = Visit.objects.get()
    assert (visit.visitor_name, visit.created_by) == (NAME, staff)


def test_the_kept_input_is_offered_once_and_not_on_other_pages(staff, workstation):
    liaison = signed_in("liaison")
    save_visit_too_late(liaison, workstation)
    signed_in("liaison", liaison)

    elsewhere = liaison.get("/dashboard/")
    first, reloaded = liaison.get("/visits/new/"), liaison.get("/visits/new/")

    assert kept_on(elsewhere) is None and NAME not in elsewhere.content.decode()
    assert kept_on(first) is not None
    assert kept_on(reloaded) is None and NAME not in reloaded.content.decode()


def test_another_user_signing_in_on_that_browser_gets_nothing_of_it(
    staff, other_staff, workstation
):
    desk_computer = signed_in("liaison")
    save_visit_too_late(desk_computer, workstation)

    signed_in("other-liaison", desk_computer)
    page = desk_computer.get("/visits/new/")
    signed_in("liaison", desk_computer)  # and the first liaison, coming back too late

    assert kept_on(page) is None and NAME not in page.content.decode()
    assert kept_on(desk_computer.get("/visits/new/")) is None
    assert kept_input.KEPT not in desk_computer.session


def test_a_step_posted_from_the_case_page_comes_back_to_the_case_page(staff, workstation):
    case = open_case(workstation=workstation, actor=staff)
    page = f"/cases/{case.number}/"
    liaison = signed_in("liaison")
    liaison.get(page)
    idle_for_thirty_minutes(liaison)

    too_late = liaison.post(
        f"/cases/{case.number}/note/",
        {"note-seen_status": case.status, "note-note": "居民来电补充：电梯仍未修好"},
        HTTP_REFERER=f"http://testserver{page}",
    )
    signed_in("liaison", liaison)
    shown = liaison.get(page)

    assert too_late["Location"] == f"/login/?next={page}"
    kept = kept_on(shown)
    # The page's script fills the form that posts to the kept address (and unfolds it).
    assert kept["action"] == f"/cases/{case.number}/note/"
    assert f'action="{kept["action"]}"' in shown.content.decode()
    assert kept["fields"]["note-note"] == ["居民来电补充：电梯仍未修好"]
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


def test_a_button_pressed_after_the_session_ended_returns_to_its_page_keeping_nothing(
    staff, workstation
):
    case = open_case(workstation=workstation, actor=staff)
    liaison = signed_in("liaison")
    idle_for_thirty_minutes(liaison)

    too_late = liaison.post(
        f"/cases/{case.number}/reveal/", HTTP_REFERER=f"http://testserver/cases/{case.number}/"
    )

    # Not back to the button's own address: it answers POST only.
    assert too_late["Location"] == f"/login/?next=/cases/{case.number}/"
    assert kept_input.KEPT not in liaison.session


def test_a_referer_from_another_site_is_not_followed(staff, workstation):
    liaison = signed_in("liaison")

    too_late = save_visit_too_late(liaison, workstation, referer="https://evil.example/x")

    assert too_late["Location"] == "/login/?next=/visits/new/"


def test_what_was_typed_reaches_neither_an_address_nor_the_log(staff, workstation, caplog):
    liaison = signed_in("liaison")
    caplog.set_level(logging.DEBUG)

    too_late = save_visit_too_late(liaison, workstation)
    signed_in("liaison", liaison)
    liaison.get("/visits/new/")

    assert NAME not in too_late["Location"] and PHONE not in too_late["Location"]
    assert NAME not in caplog.text and PHONE not in caplog.text


def test_the_csrf_token_files_and_passwords_are_never_kept(staff, workstation):
    liaison = signed_in("liaison")
    liaison.get("/visits/new/")
    idle_for_thirty_minutes(liaison)

    liaison.post(
        "/visits/new/",
        visit_data(
            workstation, csrfmiddlewaretoken="t0ken", new_password1="s3cret-words", old_password="x"
        ),
    )

    fields = liaison.session[kept_input.KEPT]["fields"]
    assert "visitor_name" in fields
    assert not {"csrfmiddlewaretoken", "new_password1", "old_password"} & set(fields)


def test_a_post_from_a_browser_nobody_signed_in_on_is_not_kept(workstation, db):
    stranger = Client()

    response = stranger.post("/visits/new/", visit_data(workstation))

    assert response["Location"] == "/login/?next=/visits/new/"
    assert kept_input.KEPT not in stranger.session


def test_signing_out_forgets_who_was_signed_in_so_nothing_is_kept_after(staff, workstation):
    liaison = signed_in("liaison")
    signed_out = liaison.post("/logout/")

    liaison.post("/visits/new/", visit_data(workstation))

    assert signed_out.cookies[kept_input.SIGNED_IN_AS].value == ""
    assert kept_input.KEPT not in liaison.session


def test_kept_input_is_gone_after_thirty_minutes(staff, workstation, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    liaison = signed_in("liaison")
    save_visit_too_late(liaison, workstation)

    time_machine.shift(timedelta(minutes=31))
    signed_in("liaison", liaison)

    assert kept_on(liaison.get("/visits/new/")) is None


def test_more_than_any_staff_form_holds_is_not_kept(staff, workstation):
    liaison = signed_in("liaison")
    liaison.get("/visits/new/")
    idle_for_thirty_minutes(liaison)

    liaison.post(
        "/visits/new/",
        visit_data(workstation, summary="字" * (kept_input.KEPT_MAX_CHARACTERS + 1)),
    )

    assert kept_input.KEPT not in liaison.session


# --- the keep-alive address ----------------------------------------------------------------


def session_end(client: Client):
    return Session.objects.get(pk=client.session.session_key).expire_date


@pytest.mark.parametrize("persona", ["administrator", "staff", "other_staff", "member_user"])
def test_every_signed_in_user_keeps_their_session_alive_with_a_ping(request, persona, sign_in):
    # Not scoped by workstation: it names no record, it only touches the caller's session.
    client = sign_in(request.getfixturevalue(persona))
    client.get("/dashboard/")
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )

    response = client.post(reverse("session_keep_alive"))

    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "idle_seconds": 30 * 60}
    assert session_end(client) - timezone.now() > timedelta(minutes=29)


def test_a_ping_without_a_session_is_told_so_and_keeps_nothing(db):
    client = Client()

    response = client.post(reverse("session_keep_alive"))

    assert response.status_code == 401 and response.json() == {"signed_in": False}
    assert kept_input.KEPT not in client.session


def test_a_ping_after_the_session_ended_does_not_revive_it(staff):
    liaison = signed_in("liaison")
    idle_for_thirty_minutes(liaison)

    assert liaison.post(reverse("session_keep_alive")).status_code == 401
    assert liaison.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"


def test_the_keep_alive_address_takes_post_with_its_csrf_token_only(staff, sign_in):
    client = sign_in(staff, enforce_csrf_checks=True)

    assert client.get(reverse("session_keep_alive")).status_code == 405
    assert client.post(reverse("session_keep_alive")).status_code == 403


def test_staff_pages_carry_the_session_keeper_and_public_pages_do_not(staff, sign_in):
    page = sign_in(staff).get("/dashboard/").content.decode()
    public = sign_in().get("/").content.decode()
    sign_in_page = sign_in().get("/login/").content.decode()

    assert 'id="session-keeper"' in page and 'data-idle-seconds="1800"' in page
    assert f'data-keep-alive-url="{reverse("session_keep_alive")}"' in page
    assert re.search(r'<script src="[^"]*js/staff\.js" defer></script>', page)
    assert "session-keeper" not in public and "session-keeper" not in sign_in_page
