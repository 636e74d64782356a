"""A message given up after its attempts is shown to the office on the admin index,
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
    message("old", NoticeStatus.GIVEN_UP, timedelta(days=40))
    message("sent", NoticeStatus.SENT)
    message("retrying", NoticeStatus.FAILED)

    page = index()

    assert 'id="messages-given-up"' in page
    assert "1 message in the last 30 days could not be delivered." in page
    listed = admin_client.get("/admin/notices/notification/?status__exact=given_up")
    assert listed.status_code == 200
    assert f"/admin/notices/notification/{given_up.pk}/change/" in listed.content.decode()
    assert "provider timed out" in listed.content.decode()


def test_with_nothing_given_up_the_index_is_quiet(index):
    message("sent", NoticeStatus.SENT)

    assert 'id="messages-given-up"' not in index()


def test_the_warning_speaks_chinese_by_default(sign_in, administrator):
    message("recent", NoticeStatus.GIVEN_UP)

    page = sign_in(administrator, language="").get("/admin/").content.decode()

    assert "最近30天有1条消息未能送达。" in page and "查看原因" in page
