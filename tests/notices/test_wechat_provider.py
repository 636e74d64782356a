"""WeChat template messages against the official-account API played by a local HTTP
server: the token fetched once and kept in the cache, the message posted with the
template id and the fields; an invalid or expired token dropped so that the retry fetches
a new one; an HTTP error or a hang retried. A signed-in user who follows the account gets
their messages on WeChat too."""

import pytest
from django.core.cache import cache

from notices import delivery
from notices.models import (
    Channel,
    MessageTemplate,
    NoticeEvent,
    NoticeStatus,
    Notification,
    WechatFollower,
)
from notices.providers import wechat
from notices.services import Recipient, channels_for, notify

from ..factories import UserFactory
from .provider_server import HANG

OPENID = "oWx1234567890abcdefXYZ"
PARAMS = {"number": "XC-2026-000001", "title": "电梯停运", "workstation": "西一路街道委员工作室"}
TOKEN = (200, {"access_token": "TOKEN-1", "expires_in": 7200})


@pytest.fixture
def account(db, settings, provider):
    settings.NOTICE_BACKENDS = {
        **settings.NOTICE_BACKENDS,
        "wechat": "notices.providers.wechat.WechatTemplateBackend",
    }
    settings.NOTICE_WECHAT = {
        "APP_ID": "wx-app",
        "APP_SECRET": "app-secret",
        "API": provider.url,
        "TIMEOUT": 0.5,
    }
    cache.delete(wechat._token_key())
    return provider


@pytest.fixture
def follower(db):
    user = UserFactory(email="li@example.cn")
    WechatFollower.objects.create(user=user, openid=OPENID)
    MessageTemplate.objects.update_or_create(
        event=NoticeEvent.CASE_ASSIGNED,
        channel=Channel.WECHAT,
        defaults={"body": "请您参与办理{number}“{title}”", "provider_template_code": "TPL-9"},
    )
    return user


def message(user) -> Notification:
    return Notification.objects.create(
        key=f"test:{Notification.objects.count()}",
        event=NoticeEvent.CASE_ASSIGNED,
        channel=Channel.WECHAT,
        user=user,
        params=PARAMS,
        body="请您参与办理XC-2026-000001“电梯停运”",
        link="/cases/XC-2026-000001/",
    )


def test_the_token_is_fetched_once_and_the_template_message_posted(account, follower):
    account.answer(TOKEN, (200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332}))
    account.answer((200, {"errcode": 0, "errmsg": "ok", "msgid": 200228333}))
    first, second = message(follower), message(follower)

    assert delivery.deliver(first.pk) == NoticeStatus.SENT
    assert delivery.deliver(second.pk) == NoticeStatus.SENT

    token, sent, again = account.received
    assert token.path == "/cgi-bin/token" and token.query == {
        "grant_type": "client_credential",
        "appid": "wx-app",
        "secret": "app-secret",
    }
    assert sent.method == "POST" and sent.path == "/cgi-bin/message/template/send"
    assert sent.query == {"access_token": "TOKEN-1"} and again.query == sent.query
    body = sent.json()
    assert body["touser"] == OPENID and body["template_id"] == "TPL-9"
    assert body["url"].endswith("/cases/XC-2026-000001/")
    assert body["data"]["number"] == {"value": "XC-2026-000001"}
    assert body["data"]["content"] == {"value": first.body}
    first.refresh_from_db()
    assert first.provider_message_id == "200228332"


@pytest.mark.parametrize("errcode", [40001, 42001])
def test_an_invalid_token_is_dropped_and_the_retry_fetches_a_new_one(
    account, follower, errcode, django_capture_on_commit_callbacks
):
    account.answer(TOKEN, (200, {"errcode": errcode, "errmsg": "invalid credential"}))
    account.answer((200, {"access_token": "TOKEN-2", "expires_in": 7200}))
    account.answer((200, {"errcode": 0, "errmsg": "ok", "msgid": 7}))
    sent = message(follower)

    assert delivery.deliver(sent.pk) == NoticeStatus.FAILED
    assert cache.get(wechat._token_key()) is None
    Notification.objects.filter(pk=sent.pk).update(send_after=sent.created_at)
    assert delivery.deliver(sent.pk) == NoticeStatus.SENT

    paths = [(r.path, r.query.get("access_token")) for r in account.received]
    assert paths == [
        ("/cgi-bin/token", None),
        ("/cgi-bin/message/template/send", "TOKEN-1"),
        ("/cgi-bin/token", None),
        ("/cgi-bin/message/template/send", "TOKEN-2"),
    ]


@pytest.mark.parametrize("answer", [(500, {}), HANG, (200, {"errcode": 43004, "errmsg": "x"})])
def test_an_http_error_a_hang_or_an_error_code_is_retried_keeping_the_token(
    account, follower, answer, django_capture_on_commit_callbacks
):
    account.answer(TOKEN, answer)
    sent = message(follower)

    assert delivery.deliver(sent.pk) == NoticeStatus.FAILED

    sent.refresh_from_db()
    assert sent.last_error.startswith("wechat") and "TOKEN-1" not in sent.last_error
    assert cache.get(wechat._token_key()) == "TOKEN-1"


def test_a_user_without_an_openid_is_not_sent_to_on_wechat(account, db):
    sent = message(UserFactory())

    assert delivery.deliver(sent.pk) == NoticeStatus.REFUSED
    assert account.received == []


def test_a_follower_hears_on_wechat_too_and_others_do_not(follower, db):
    other = UserFactory(email="")

    assert channels_for(follower) == [Channel.INBOX, Channel.EMAIL, Channel.WECHAT]
    assert channels_for(other) == [Channel.INBOX]
    made = notify(
        NoticeEvent.CASE_ASSIGNED,
        "case1",
        [Recipient(follower), Recipient(other)],
        params={**PARAMS, "member": "李委员"},
    )
    on_wechat = [n for n in made if n.channel == Channel.WECHAT]
    assert [n.user for n in on_wechat] == [follower]
    assert on_wechat[0].params["number"] == PARAMS["number"]
