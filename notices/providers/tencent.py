"""Tencent Cloud SMS (2021-01-11) through its official SDK: SendSms with the SDK app id,
the sign name, the template's approved id and its parameters as an ordered list. A Tencent
template is positional ({1}, {2}, …): the office writes our copy of it with our names in
the same places, so {1} is the first parameter named in our text, {2} the second
(providers.ordered_params). The SerialNo is the provider's message id. Its callbacks: the
delivery status (a JSON array) and the citizens' replies (one JSON object each)."""

from django.conf import settings
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
    TencentCloudSDKException,
)
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models as sms_models
from tencentcloud.sms.v20210111.sms_client import SmsClient

from ..channels import ChannelError
from ..models import Notification
from . import Reply, Report, endpoint, ordered_params, provider_template, provider_time, read_push

# What Tencent expects back from a callback.
ACKNOWLEDGED = {"result": 0, "errmsg": "OK"}


def client() -> SmsClient:
    config = settings.NOTICE_TENCENT_SMS
    scheme, host = endpoint(config["ENDPOINT"])
    http = HttpProfile(protocol=scheme, endpoint=host, reqTimeout=config["TIMEOUT"])
    return SmsClient(
        credential.Credential(config["SECRET_ID"], config["SECRET_KEY"]),
        config["REGION"],
        ClientProfile(httpProfile=http),
    )


class TencentSmsBackend:
    def send(self, notification: Notification, address: str, subject: str, body: str) -> str:
        config = settings.NOTICE_TENCENT_SMS
        template = provider_template(notification)
        request = sms_models.SendSmsRequest()
        request.SmsSdkAppId = config["SDK_APP_ID"]
        request.SignName = config["SIGN_NAME"]
        request.TemplateId = template.provider_template_code
        request.TemplateParamSet = [
            value for _name, value in ordered_params(template, notification.params)
        ]
        request.PhoneNumberSet = [f"+86{address}"]
        request.SessionContext = str(notification.pk)
        try:
            answer = client().SendSms(request)
        except TencentCloudSDKException as failed:
            # The SDK's message: its error code, an HTTP status or a timeout, no phone.
            raise ChannelError(f"tencent: {failed.get_code()}") from failed
        statuses = answer.SendStatusSet or []
        if not statuses:
            raise ChannelError("tencent: no send status")
        status = statuses[0]
        if status.Code != "Ok":
            raise ChannelError(f"tencent: {status.Code} {status.Message}")
        return status.SerialNo


def _report(item: dict) -> Report:
    return Report(
        provider_message_id=str(item["sid"]),
        delivered=item["report_status"] == "SUCCESS",
        code=str(item.get("errmsg", ""))[:50],
        at=provider_time(item.get("user_receive_time")),
    )


def reports(data) -> list[Report]:
    return read_push(data, _report)


def replies(data) -> list[Reply]:
    return read_push(
        data,
        lambda item: Reply(str(item["mobile"]), str(item["text"])),
        # Ours are mainland numbers only.
        keep=lambda item: str(item.get("nationcode", "86")) == "86",
    )
