"""A message given up after its attempts, or reported undelivered by the provider, is
shown to the office on the admin index,
with a link to those records (each says why); older ones and delivered ones are not
counted, and with none the index says nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notices.models import Channel, NoticeEvent, NoticeStatus, Notification


def message(key, status, age=timedelta(0)):
    return Notification.objects.create(
        key=key, event=NoticeEvent.DUTY_TOMORROW, channel=Channel.SMS, address="13812345678",
        status=status, last_error="provider timed out", created_at=timezone.now() - age,
    )  # fmt: skip


@pytest.fixture
def index(admin_client):
    return lambda: admin_client.get("/admin/").content.decode()


def test_the_admin_index_counts_the_recent_messages_given_up(index, admin_client):
    given_up = message("recent", NoticeStatus.GIVEN_UP, timedelta(days=2))
    reported = message("reported", NoticeStatus.UNDELIVERED, timedelta(days=1))
    old = message("old", NoticeStatus.GIVEN_UP, timedelta(days=40))
    delivered = message("delivered", NoticeStatus.DELIVERED)
    message("sent", NoticeStatus.SENT)
    message("retrying", NoticeStatus.FAILED)

    page = index()

    assert 'id="messages-given-up"' in page
    assert "2 messages in the last 30 days could not be delivered." in page
    link = "/admin/notices/notification/?status__in=given_up,undelivered"
    assert link in page
    listed = admin_client.get(link).content.decode()
    for shown in (given_up, reported):
        assert f"/admin/notices/notification/{shown.pk}/change/" in listed
    assert "provider timed out" in listed
    # The list shows every status's record it is asked for, old ones too; not the others.
    assert f"/admin/notices/notification/{old.pk}/change/" in listed
    assert f"/admin/notices/notification/{delivered.pk}/change/" not in listed


def test_with_nothing_given_up_the_index_is_quiet(index):
    message("sent", NoticeStatus.SENT)

    assert 'id="messages-given-up"' not in index()


def test_the_warning_speaks_chinese_by_default(sign_in, administrator):
    message("recent", NoticeStatus.GIVEN_UP)

    page = sign_in(administrator, language="").get("/admin/").content.decode()

    assert "最近30天有1条消息未能送达。" in page and "查看原因" in page
