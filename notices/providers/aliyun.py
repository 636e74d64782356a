"""Alibaba Cloud SMS (dysmsapi 2017-05-25) through its official SDK: SendSms with the
office's sign name, the template's approved code and the parameters as JSON; the BizId is
the provider's message id. Its pushes (the console's "HTTP batch push"): SmsReport, the
delivery reports, and SmsUp, the citizens' replies, each a JSON array."""

import json

from alibabacloud_dysmsapi20170525 import models as sms_models
from alibabacloud_dysmsapi20170525.client import Client
from alibabacloud_tea_openapi import models as open_api_models
from django.conf import settings
from Tea.exceptions import TeaException

from ..channels import ChannelError
from ..models import Notification
from . import Reply, Report, endpoint, ordered_params, provider_template, provider_time, read_push

# What Alibaba expects back from a push it may stop retrying.
ACKNOWLEDGED = {"code": 0, "msg": "接收成功"}


def client() -> Client:
    config = settings.NOTICE_ALIYUN_SMS
    scheme, host = endpoint(config["ENDPOINT"])
    timeout_ms = int(config["TIMEOUT"] * 1000)
    return Client(
        open_api_models.Config(
            access_key_id=config["ACCESS_KEY_ID"],
            access_key_secret=config["ACCESS_KEY_SECRET"],
            endpoint=host,
            protocol=scheme,
            connect_timeout=timeout_ms,
            read_timeout=timeout_ms,
        )
    )


class AliyunSmsBackend:
    def send(self, notification: Notification, address: str, subject: str, body: str) -> str:
        template = provider_template(notification)
        request = sms_models.SendSmsRequest(
            phone_numbers=address,
            sign_name=settings.NOTICE_ALIYUN_SMS["SIGN_NAME"],
            template_code=template.provider_template_code,
            template_param=json.dumps(
                dict(ordered_params(template, notification.params)), ensure_ascii=False
            ),
            out_id=str(notification.pk),
        )
        try:
            answer = client().send_sms(request).body
        except TeaException as failed:
            # An HTTP error or a timeout (the SDK's message names neither phone nor text).
            raise ChannelError(f"aliyun: {getattr(failed, 'code', '') or failed}") from failed
        if answer.code != "OK":
            raise ChannelError(f"aliyun: {answer.code} {answer.message}")
        return answer.biz_id


def _report(item: dict) -> Report:
    return Report(
        provider_message_id=str(item["biz_id"]),
        delivered=item["success"] is True,
        code=str(item.get("err_code", ""))[:50],
        at=provider_time(item.get("report_time")),
    )


def reports(data) -> list[Report]:
    return read_push(data, _report)


def replies(data) -> list[Reply]:
    return read_push(data, lambda item: Reply(str(item["phone_number"]), str(item["content"])))
