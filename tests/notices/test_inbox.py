"""The in-app inbox: each signed-in user's own messages, newest first; opening one marks
it read and follows its link; another's message is a 404; the header counts the unread
from the session, read again at most once a minute."""

import pytest
from django.conf import settings

from notices.models import Channel, NoticeEvent, NoticeStatus, Notification

from ..pages import html, login_redirect


def inbox_message(user, subject="新转办件：XC-2026-000001", link="/department/", **fields):
    return Notification.objects.create(
        key=f"test:{Notification.objects.count()}",
        event=NoticeEvent.REFERRAL_SENT,
        channel=Channel.INBOX,
        user=user,
        subject=subject,
        body="西一路街道委员工作室转来诉求",
        link=link,
        status=NoticeStatus.SENT,
        **fields,
    )


@pytest.mark.parametrize("persona", ["administrator", "staff", "member_user", "liaison"])
def test_every_signed_in_user_reads_their_own_messages_only(request, sign_in, persona, other_staff):
    user = request.getfixturevalue(persona)
    inbox_message(user, subject="给我的消息")
    inbox_message(other_staff, subject="给别人的消息")

    page = html(sign_in(user).get("/inbox/"))

    assert "给我的消息" in page and "给别人的消息" not in page


def test_anonymous_visitors_sign_in_first(client, staff):
    message = inbox_message(staff)

    assert login_redirect(client.get("/inbox/"))
    assert login_redirect(client.post(f"/inbox/{message.pk}/open/"))
    message.refresh_from_db()
    assert message.read_at is None


def test_opening_a_message_marks_it_read_and_follows_its_link(sign_in, liaison):
    message = inbox_message(liaison, link="/department/referrals/7/")

    response = sign_in(liaison).post(f"/inbox/{message.pk}/open/")

    assert response.status_code == 302 and response["Location"] == "/department/referrals/7/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_a_link_off_the_site_is_not_followed(sign_in, staff):
    message = inbox_message(staff, link="https://evil.example/")

    response = sign_in(staff).post(f"/inbox/{message.pk}/open/")

    assert response["Location"] == "/inbox/"


def test_another_users_message_is_a_404_and_stays_unread(sign_in, staff, other_staff):
    message = inbox_message(other_staff)

    assert sign_in(staff).post(f"/inbox/{message.pk}/open/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_read_reads_the_users_messages_only(sign_in, staff, other_staff):
    mine, theirs = inbox_message(staff), inbox_message(other_staff)

    assert sign_in(staff).post("/inbox/read-all/")["Location"] == "/inbox/"

    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_the_header_counts_the_unread_and_forgets_them_once_read(sign_in, staff):
    client = sign_in(staff)
    inbox_message(staff), inbox_message(staff)

    assert 'id="unread-count">2<' in html(client.get("/inbox/"))

    client.post("/inbox/read-all/")
    assert 'id="unread-count"' not in html(client.get("/dashboard/"))


def test_the_count_is_read_again_after_a_minute(sign_in, staff, time_machine):
    time_machine.move_to("2026-06-15 09:00:00+08:00", tick=False)
    client = sign_in(staff)
    client.get("/inbox/")  # counted: none
    inbox_message(staff)

    assert 'id="unread-count"' not in html(client.get("/dashboard/"))  # kept
    time_machine.move_to("2026-06-15 09:01:01+08:00", tick=False)
    assert 'id="unread-count">1<' in html(client.get("/dashboard/"))
    assert settings.SESSION_REFRESH_SECONDS == 60
