"""Alibaba Cloud and Tencent Cloud SMS, through their official SDKs, against a provider
played by a local HTTP server: what the provider receives (the action, the phone, the
approved template and its parameters, a signature), the provider's id on a sent message,
and a provider's error, an HTTP 500 or a hang past the timeout retried with backoff and
given up after MAX_ATTEMPTS."""

import json

import pytest
from django.utils import timezone

from notices import delivery
from notices.models import Channel, MessageTemplate, NoticeEvent, NoticeStatus, Notification

from .provider_server import HANG

PHONE = "13812345678"
PARAMS = {"number": "XC-2026-000001", "workstation": "西一路街道委员工作室", "track_url": "/t/"}
ALIYUN = "notices.providers.aliyun.AliyunSmsBackend"
TENCENT = "notices.providers.tencent.TencentSmsBackend"


@pytest.fixture
def template(db):
    template, _created = MessageTemplate.objects.update_or_create(
        event=NoticeEvent.CASE_REGISTERED,
        channel=Channel.SMS,
        defaults={
            # The order the provider's positional template takes them in.
            "body": "{workstation}已登记您的诉求，编号{number}，进度请查{track_url}，{number}",
            "provider_template_code": "SMS_4711",
        },
    )
    return template


@pytest.fixture
def aliyun(settings, provider):
    settings.NOTICE_BACKENDS = {**settings.NOTICE_BACKENDS, "sms": ALIYUN}
    settings.NOTICE_ALIYUN_SMS = {
        "ACCESS_KEY_ID": "LTAI-test",
        "ACCESS_KEY_SECRET": "secret",
        "SIGN_NAME": "新城区政协",
        "ENDPOINT": provider.url,
        "TIMEOUT": 0.5,
        "CALLBACK_TOKEN": "",
    }
    return provider


@pytest.fixture
def tencent(settings, provider):
    settings.NOTICE_BACKENDS = {**settings.NOTICE_BACKENDS, "sms": TENCENT}
    settings.NOTICE_TENCENT_SMS = {
        "SECRET_ID": "AKID-test",
        "SECRET_KEY": "secret",
        "SDK_APP_ID": "1400000001",
        "SIGN_NAME": "新城区政协",
        "REGION": "ap-guangzhou",
        "ENDPOINT": provider.url,
        "TIMEOUT": 0.5,
        "CALLBACK_TOKEN": "",
    }
    return provider


def sms(template) -> Notification:
    return Notification.objects.create(
        key=f"test:{Notification.objects.count()}",
        event=template.event,
        channel=Channel.SMS,
        address=PHONE,
        params=PARAMS,
        body="…",
    )


def aliyun_ok(biz_id="900619746936498440^0"):
    return 200, {"Code": "OK", "Message": "OK", "BizId": biz_id, "RequestId": "R1"}


def tencent_status(code="Ok", serial="2028:f825e6b16e23f73f4123"):
    status = {"SerialNo": serial, "PhoneNumber": f"+86{PHONE}", "Code": code, "Message": code}
    return 200, {"Response": {"SendStatusSet": [status], "RequestId": "R1"}}


def test_aliyun_receives_the_sign_the_template_code_and_the_parameters(aliyun, template):
    aliyun.answer(aliyun_ok())
    message = sms(template)

    assert delivery.deliver(message.pk) == NoticeStatus.SENT

    (request,) = aliyun.received
    assert request.method == "POST" and request.headers["x-acs-action"] == "SendSms"
    assert request.headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test")
    assert request.query["PhoneNumbers"] == PHONE
    assert request.query["SignName"] == "新城区政协"
    assert request.query["TemplateCode"] == "SMS_4711"
    assert json.loads(request.query["TemplateParam"]) == PARAMS
    message.refresh_from_db()
    assert message.provider_message_id == "900619746936498440^0" and message.attempts == 1


def test_tencent_receives_the_app_the_template_and_the_parameters_in_the_texts_order(
    tencent, template
):
    tencent.answer(tencent_status())
    message = sms(template)

    assert delivery.deliver(message.pk) == NoticeStatus.SENT

    (request,) = tencent.received
    assert request.headers["x-tc-action"] == "SendSms"
    assert request.headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKID-test/")
    sent = request.json()
    assert sent["SmsSdkAppId"] == "1400000001" and sent["SignName"] == "新城区政协"
    assert sent["TemplateId"] == "SMS_4711" and sent["PhoneNumberSet"] == [f"+86{PHONE}"]
    # {1} workstation, {2} number, {3} track_url: the first place each is named.
    assert sent["TemplateParamSet"] == [PARAMS["workstation"], PARAMS["number"], "/t/"]
    message.refresh_from_db()
    assert message.provider_message_id == "2028:f825e6b16e23f73f4123"


ALIYUN_FAULTS = {
    "refused": ((200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "limit"}), "LIMIT"),
    "server error": ((500, {"Code": "ServiceUnavailable", "Message": "busy"}), "aliyun:"),
    "hang": (HANG, "aliyun:"),
}
TENCENT_FAULTS = {
    "refused": (tencent_status(code="LimitExceeded.PhoneNumberDailyLimit"), "LimitExceeded"),
    "api error": (
        (200, {"Response": {"Error": {"Code": "AuthFailure", "Message": "no"}, "RequestId": "R"}}),
        "AuthFailure",
    ),
    "server error": ((500, {}), "tencent:"),
    "hang": (HANG, "tencent:"),
}


@pytest.mark.parametrize(
    ("backend", "fault"),
    [("aliyun", name) for name in ALIYUN_FAULTS] + [("tencent", name) for name in TENCENT_FAULTS],
)
def test_a_provider_fault_is_retried_with_backoff(
    request, backend, fault, template, django_capture_on_commit_callbacks
):
    provider = request.getfixturevalue(backend)
    answer, error = (ALIYUN_FAULTS if backend == "aliyun" else TENCENT_FAULTS)[fault]
    provider.answer(answer)
    message = sms(template)
    before = timezone.now()

    with django_capture_on_commit_callbacks() as queued:
        assert delivery.deliver(message.pk) == NoticeStatus.FAILED

    message.refresh_from_db()
    assert error in message.last_error and PHONE not in message.last_error
    assert message.provider_message_id == "" and message.attempts == 1
    assert message.send_after >= before + delivery.backoff(1)
    assert len(queued) == 1  # its retry
    assert len(provider.received) == 1  # the SDK itself did not retry


def test_a_provider_that_keeps_failing_is_given_up_after_max_attempts(
    aliyun, template, django_capture_on_commit_callbacks
):
    aliyun.answer(*[(500, {"Code": "ServiceUnavailable"})] * delivery.MAX_ATTEMPTS)
    message = sms(template)
    statuses = []
    for _attempt in range(delivery.MAX_ATTEMPTS):
        Notification.objects.filter(pk=message.pk).update(send_after=timezone.now())
        statuses.append(delivery.deliver(message.pk))

    assert statuses == [NoticeStatus.FAILED] * (delivery.MAX_ATTEMPTS - 1) + [NoticeStatus.GIVEN_UP]
    assert len(aliyun.received) == delivery.MAX_ATTEMPTS
    # Given up, it is not sent again.
    assert delivery.deliver(message.pk) == NoticeStatus.GIVEN_UP
    assert len(aliyun.received) == delivery.MAX_ATTEMPTS


def test_a_retry_after_a_fault_sends_the_message(
    tencent, template, django_capture_on_commit_callbacks
):
    tencent.answer((500, {}), tencent_status(serial="2028:retry"))
    message = sms(template)
    assert delivery.deliver(message.pk) == NoticeStatus.FAILED
    Notification.objects.filter(pk=message.pk).update(send_after=timezone.now())

    assert delivery.deliver(message.pk) == NoticeStatus.SENT

    message.refresh_from_db()
    assert message.provider_message_id == "2028:retry" and message.attempts == 2


def test_a_template_without_the_providers_code_is_not_sent(aliyun, template):
    MessageTemplate.objects.filter(pk=template.pk).update(provider_template_code="")
    message = sms(template)

    assert delivery.deliver(message.pk) == NoticeStatus.FAILED

    assert aliyun.received == []
    message.refresh_from_db()
    assert "template code" in message.last_error
