"""WeChat template messages through the official account's HTTP API (urllib: the SDKs
for it are unofficial). The access token comes from /cgi-bin/token and is kept in
Django's cache until shortly before it expires; WeChat saying it is invalid or expired
(40001, 42001) drops it, and the retry fetches a new one. The msgid is the provider's
message id.

A WeChat template's fields are named in the official account's console: the office
names them after the event's parameters (`number`, `due`, …), and each is sent under its
name; `content` carries the whole text for a template with one field."""

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from ..channels import ChannelError
from ..models import Notification
from . import provider_template

TOKEN_INVALID = {40001, 40014, 42001}
# The token is dropped this long before WeChat's expires_in runs out.
TOKEN_MARGIN = 300


def _token_key() -> str:
    return f"notices:wechat:token:{settings.NOTICE_WECHAT['APP_ID']}"


def _call(url: str, payload: dict | None = None) -> dict:
    """One request to WeChat; its JSON answer. The URL carries the token or the secret:
    it is never written into an error or a log."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTICE_WECHAT["TIMEOUT"]) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as failed:
        raise ChannelError(f"wechat: HTTP {failed.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as failed:
        raise ChannelError(f"wechat: {type(failed).__name__}") from None
    except ValueError:
        raise ChannelError("wechat: the answer is not JSON") from None


def access_token() -> str:
    token = cache.get(_token_key())
    if token:
        return token
    config = settings.NOTICE_WECHAT
    query = urlencode(
        {
            "grant_type": "client_credential",
            "appid": config["APP_ID"],
            "secret": config["APP_SECRET"],
        }
    )
    answer = _call(f"{config['API']}/cgi-bin/token?{query}")
    if "access_token" not in answer:
        raise ChannelError(f"wechat token: {answer.get('errcode')} {answer.get('errmsg', '')}")
    lifetime = int(answer.get("expires_in", 7200))
    cache.set(_token_key(), answer["access_token"], max(lifetime - TOKEN_MARGIN, 60))
    return answer["access_token"]


class WechatTemplateBackend:
    def send(self, notification: Notification, address: str, subject: str, body: str) -> str:
        template = provider_template(notification)
        fields = {name: str(value) for name, value in notification.params.items()}
        payload = {
            "touser": address,
            "template_id": template.provider_template_code,
            "data": {name: {"value": value} for name, value in {**fields, "content": body}.items()},
        }
        if notification.link:
            payload["url"] = f"{settings.SITE_URL}{notification.link}"
        query = urlencode({"access_token": access_token()})
        answer = _call(
            f"{settings.NOTICE_WECHAT['API']}/cgi-bin/message/template/send?{query}", payload
        )
        errcode = answer.get("errcode", 0)
        if errcode in TOKEN_INVALID:
            cache.delete(_token_key())
        if errcode != 0:
            raise ChannelError(f"wechat: {errcode} {answer.get('errmsg', '')}")
        return str(answer.get("msgid", ""))
