"""What the SMS providers push to us: delivery reports (Alibaba's SmsReport, Tencent's
status callback) mark the message they name delivered or not delivered; a citizen's reply
that is a stop keyword (Alibaba's SmsUp, Tencent's reply callback) withdraws the SMS
consent of every visit with that phone and refuses what is queued to it at once. Each
address carries a secret token: without it, a 403 and nothing changed; a push we cannot
read is a 400, never a 500. The phone is never logged."""

import json
import logging
from datetime import datetime

import pytest
from django.test import Client
from django.utils import timezone

from notices import delivery
from notices.models import Channel, NoticeEvent, NoticeStatus, Notification
from visits.models import Visit

from ..factories import VisitFactory

PHONE, OTHER_PHONE = "13812345678", "13912345678"
TOKENS = {"aliyun": "aliyun-push-secret", "tencent": "tencent-push-secret"}


@pytest.fixture(autouse=True)
def tokens(settings):
    settings.NOTICE_ALIYUN_SMS = {**settings.NOTICE_ALIYUN_SMS, "CALLBACK_TOKEN": TOKENS["aliyun"]}
    settings.NOTICE_TENCENT_SMS = {
        **settings.NOTICE_TENCENT_SMS,
        "CALLBACK_TOKEN": TOKENS["tencent"],
    }


def push(provider: str, kind: str, data, token: str | None = None):
    url = f"/notices/{provider}/{kind}/{token or TOKENS[provider]}/"
    body = data if isinstance(data, str | bytes) else json.dumps(data, ensure_ascii=False)
    return Client(enforce_csrf_checks=True).post(url, body, content_type="application/json")


def sms(address=PHONE, *, sent=True) -> Notification:
    """An SMS, sent through the console backend when `sent` (its id: console-N)."""
    message = Notification.objects.create(
        key=f"test:{Notification.objects.count()}",
        event=NoticeEvent.CASE_REGISTERED,
        channel=Channel.SMS,
        address=address,
        body="已登记，查询码QM3RABJBZZ",
        params={"lookup_code": "QM3RABJBZZ"},
    )
    if sent:
        assert delivery.deliver(message.pk) == NoticeStatus.SENT
    message.refresh_from_db()
    return message


def aliyun_report(message, success=True, code="DELIVERED"):
    return {
        "phone_number": message.address,
        "send_time": "2026-06-15 12:00:00",
        "report_time": "2026-06-15 12:00:03",
        "success": success,
        "err_code": code,
        "err_msg": "用户接收成功",
        "sms_size": "1",
        "biz_id": message.provider_message_id,
        "out_id": str(message.pk),
    }


def tencent_report(message, status="SUCCESS", code="DELIVRD"):
    return {
        "user_receive_time": "2026-06-15 12:00:03",
        "nationcode": "86",
        "mobile": message.address,
        "report_status": status,
        "errmsg": code,
        "description": "用户短信送达成功",
        "sid": message.provider_message_id,
    }


REPORTS = {"aliyun": aliyun_report, "tencent": tencent_report}
FAILED = {
    "aliyun": {"success": False, "code": "MK:0012"},
    "tencent": {"status": "FAIL", "code": "MK:0012"},
}
ACKNOWLEDGED = {"aliyun": {"code": 0, "msg": "接收成功"}, "tencent": {"result": 0, "errmsg": "OK"}}


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_delivery_report_marks_its_message_delivered_and_no_other(db, provider):
    reported, other = sms(), sms(OTHER_PHONE)

    response = push(provider, "reports", [REPORTS[provider](reported)])

    assert response.status_code == 200 and response.json() == ACKNOWLEDGED[provider]
    reported.refresh_from_db()
    other.refresh_from_db()
    assert reported.status == NoticeStatus.DELIVERED
    assert reported.delivered_at == timezone.make_aware(datetime(2026, 6, 15, 12, 0, 3))
    assert other.status == NoticeStatus.SENT and other.delivered_at is None


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_failure_report_records_the_providers_code_and_is_not_retried(db, provider):
    reported = sms()

    push(provider, "reports", [REPORTS[provider](reported, *FAILED[provider].values())])

    reported.refresh_from_db()
    assert (
        reported.status == NoticeStatus.UNDELIVERED and reported.last_error == "provider: MK:0012"
    )
    assert reported.delivered_at is None
    # The same report pushed again, or a late "delivered": nothing changes.
    push(provider, "reports", [REPORTS[provider](reported)])
    reported.refresh_from_db()
    assert reported.status == NoticeStatus.UNDELIVERED


def test_a_report_of_an_unknown_or_unsent_message_changes_nothing(db):
    queued = sms(sent=False)
    unknown = Notification(address=PHONE, provider_message_id="123^0", pk=999)

    assert push("aliyun", "reports", [aliyun_report(unknown)]).status_code == 200
    Notification.objects.filter(pk=queued.pk).update(provider_message_id="456^0")
    queued.refresh_from_db()
    assert push("aliyun", "reports", [aliyun_report(queued)]).status_code == 200

    queued.refresh_from_db()
    assert queued.status == NoticeStatus.QUEUED and queued.delivered_at is None


def aliyun_reply(text, phone=PHONE):
    return [
        {
            "phone_number": phone,
            "send_time": "2026-06-15 12:05:00",
            "content": text,
            "sign_name": "新城区政协",
            "dest_code": "1234",
            "sequence_id": 1234567890,
        }
    ]


def tencent_reply(text, phone=PHONE):
    return {
        "extend": "",
        "mobile": phone,
        "nationcode": "86",
        "sign": "新城区政协",
        "text": text,
        "time": 1781496300,
    }


REPLIES = {"aliyun": aliyun_reply, "tencent": tencent_reply}


@pytest.fixture
def citizens(db):
    """Two visits by the citizen at PHONE who agreed to SMS, one by another citizen."""
    return [
        VisitFactory(visitor_phone=PHONE, sms_consent=True),
        VisitFactory(visitor_phone=PHONE, sms_consent=True),
        VisitFactory(visitor_phone=OTHER_PHONE, sms_consent=True),
    ]


@pytest.mark.parametrize(
    ("provider", "text"),
    [
        ("aliyun", "退订"),
        ("aliyun", " td "),
        ("tencent", "T"),
        ("tencent", "n"),
        ("aliyun", "取 消"),
    ],
)
def test_a_stop_reply_withdraws_the_consent_and_refuses_what_is_queued_to_the_phone(
    citizens, provider, text, caplog
):
    queued, elsewhere, sent = sms(sent=False), sms(OTHER_PHONE, sent=False), sms()
    caplog.set_level(logging.DEBUG)

    response = push(provider, "replies", REPLIES[provider](text))

    assert response.status_code == 200 and response.json() == ACKNOWLEDGED[provider]
    consent = dict(Visit.objects.values_list("pk", "sms_consent"))
    assert [consent[visit.pk] for visit in citizens] == [False, False, True]
    queued.refresh_from_db()
    elsewhere.refresh_from_db()
    sent.refresh_from_db()
    assert queued.status == NoticeStatus.REFUSED
    assert "QM3RABJBZZ" not in queued.body + str(queued.params)  # the code forgotten too
    assert elsewhere.status == NoticeStatus.QUEUED and sent.status == NoticeStatus.SENT
    assert delivery.deliver(queued.pk) == NoticeStatus.REFUSED  # and it stays unsent
    assert PHONE not in caplog.text and PHONE[-4:] not in caplog.text


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_any_other_reply_changes_nothing(citizens, provider):
    queued = sms(sent=False)

    assert push(provider, "replies", REPLIES[provider]("谢谢，问题已解决")).status_code == 200

    assert all(Visit.objects.values_list("sms_consent", flat=True))
    queued.refresh_from_db()
    assert queued.status == NoticeStatus.QUEUED


def test_a_reply_from_plus_86_is_the_same_phone(citizens):
    push("aliyun", "replies", aliyun_reply("TD", phone=f"+86{PHONE}"))

    assert not Visit.objects.get(pk=citizens[0].pk).sms_consent


ENDPOINTS = [(p, k) for p in ("aliyun", "tencent") for k in ("reports", "replies")]


@pytest.mark.parametrize(("provider", "kind"), ENDPOINTS)
@pytest.mark.parametrize("token", ["wrong", "aliyun-push-secre", "tencent-push-secret-x"])
def test_a_push_without_the_right_token_is_refused_and_changes_nothing(
    citizens, provider, kind, token
):
    reported = sms()
    data = REPLIES[provider]("TD") if kind == "replies" else [REPORTS[provider](reported)]

    assert push(provider, kind, data, token=token).status_code == 403

    assert all(Visit.objects.values_list("sms_consent", flat=True))
    reported.refresh_from_db()
    assert reported.status == NoticeStatus.SENT


@pytest.mark.parametrize(("provider", "kind"), ENDPOINTS)
def test_without_a_configured_token_every_push_is_refused(settings, citizens, provider, kind):
    settings.NOTICE_ALIYUN_SMS = {**settings.NOTICE_ALIYUN_SMS, "CALLBACK_TOKEN": ""}
    settings.NOTICE_TENCENT_SMS = {**settings.NOTICE_TENCENT_SMS, "CALLBACK_TOKEN": ""}

    assert push(provider, kind, REPLIES[provider]("TD")).status_code == 403

    assert all(Visit.objects.values_list("sms_consent", flat=True))


@pytest.mark.parametrize(("provider", "kind"), ENDPOINTS)
@pytest.mark.parametrize(
    "body", ["{not json", b"\xff\xfe", "[]", "[1, 2]", '[{"unexpected": 1}]', '"TD"', "null"]
)
def test_a_push_we_cannot_read_is_a_400(citizens, provider, kind, body):
    assert push(provider, kind, body).status_code == 400

    assert all(Visit.objects.values_list("sms_consent", flat=True))


@pytest.mark.parametrize(("provider", "kind"), ENDPOINTS)
def test_a_push_is_post_only(db, provider, kind):
    assert Client().get(f"/notices/{provider}/{kind}/{TOKENS[provider]}/").status_code == 405
