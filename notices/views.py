"""The in-app inbox: a user's messages, newest first, each marked read when opened (its
link followed) or all at once."""

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from . import access, inbox, receipts
from .providers import aliyun, tencent

INBOX_SIZE = 50


@require_safe
@login_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    messages = list(access.inbox_of(request.user).order_by("-created_at", "-pk")[:INBOX_SIZE])
    inbox.refresh(request)
    return render(request, "notices/inbox.html", {"inbox_messages": messages})


@require_POST
@login_required
def message_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the message read and follow its link (a page of this site only)."""
    message = access.own_message(request.user, pk)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    inbox.refresh(request)
    if message.link and url_has_allowed_host_and_scheme(message.link, allowed_hosts=None):
        return redirect(message.link)
    return redirect("notices:inbox")


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    access.inbox_of(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
    inbox.refresh(request)
    return redirect("notices:inbox")


# The providers' pushes: delivery reports and citizens' replies, per provider.
PUSHES = {"aliyun": aliyun, "tencent": tencent}
TOKENS = {"aliyun": "NOTICE_ALIYUN_SMS", "tencent": "NOTICE_TENCENT_SMS"}


@csrf_exempt
@require_POST
def provider_push(request: HttpRequest, provider: str, kind: str, token: str) -> HttpResponse:
    """A provider's push (`kind`: "report" or "reply"), authenticated by the secret in its
    address (the providers' consoles take a URL only). A wrong secret is a 403, a push we
    cannot read a 400; neither changes anything."""
    expected = getattr(settings, TOKENS[provider])["CALLBACK_TOKEN"]
    if not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        return HttpResponseForbidden()
    module = PUSHES[provider]
    try:
        data = json.loads(request.body)
        items = module.reports(data) if kind == "report" else module.replies(data)
    except (ValueError, TypeError):  # BadPush is a ValueError, as is bad JSON
        return HttpResponseBadRequest()
    for item in items:
        if kind == "report":
            receipts.notification_report(item)
        else:
            receipts.citizen_reply(item)
    return JsonResponse(module.ACKNOWLEDGED)
