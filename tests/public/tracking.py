"""Scenario helpers for the tracking page's tests: an opinion sent online, a citizen's
client that has looked it up, and a resolved case."""

import uuid

from django.conf import settings
from django.test import Client
from django.urls import reverse

from visits import lifecycle
from visits.models import Case
from visits.online import Submission, online_submit

OPINION = "小区楼道堆满杂物，存在消防隐患，物业一直不管。"


def submit_online(workstation, text: str = OPINION) -> tuple[str, str]:
    """A citizen's opinion sent online: its tracking number and lookup code."""
    receipt = online_submit(
        Submission(
            workstation=workstation,
            name="赵秀芝",
            phone="13912345678",
            category=Case.Category.PROPERTY,
            text=text,
            consent_to_publish=False,
            submission_id=uuid.uuid4(),
        )
    )
    return receipt.number, receipt.lookup_code


def tracking(number: str, code: str) -> Client:
    """A citizen's client (in English) that has looked up the case."""
    client = Client(REMOTE_ADDR="10.0.0.7")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.post(reverse("public:track"), {"number": number, "code": code}).status_code == 302
    return client


def resolved(number: str, staff) -> Case:
    case = lifecycle.case_accept(case=Case.objects.get(number=number), actor=staff)
    return lifecycle.case_resolve(case=case, actor=staff, note="楼道已清理，物业已整改。")
