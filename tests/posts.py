"""What the staff forms post, as a browser would send them."""

import uuid
from datetime import timedelta

from django.utils import timezone

from visits.models import Case

from .stories import ADDRESS, NAME, PHONE


def act(client, case: Case, form: str, *, seen_status: str | None = None, follow=False, **fields):
    """Post one of the case page's forms, a step or a correction, as the page renders it:
    its fields carry the form's prefix, and the status the user saw goes with them."""
    seen = seen_status or Case.objects.get(pk=case.pk).status
    data = {f"{form}-seen_status": seen, **{f"{form}-{k}": v for k, v in fields.items()}}
    return client.post(f"/cases/{case.number}/{form}/", data, follow=follow)


def local_minutes(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def visit_data(workstation, *, members=(), **overrides) -> dict:
    """What the visit form posts: one issue to follow, one answered on the spot."""
    data = {
        "submission_id": str(uuid.uuid4()),
        "workstation": str(workstation.pk),
        "visited_at": local_minutes(timezone.now() - timedelta(minutes=20)),
        "channel": "walk_in",
        "receiving_members": [str(m.pk) for m in members],
        "visitor_name": NAME,
        "visitor_phone": PHONE,
        "visitor_address": ADDRESS,
        "visitor_count": "2",
        "summary": "两位居民反映小区物业和就业问题",
        "issues-TOTAL_FORMS": "2",
        "issues-INITIAL_FORMS": "0",
        "issues-MIN_NUM_FORMS": "1",
        "issues-MAX_NUM_FORMS": "10",
        "issues-0-title": "小区物业长期不作为",
        "issues-0-category": "property",
        "issues-0-description": "电梯坏了三个月无人修",
        "issues-0-answer": "",
        "issues-0-satisfaction": "",
        "issues-1-title": "灵活就业人员社保怎么交",
        "issues-1-category": "employment",
        "issues-1-description": "",
        "issues-1-answer": "已讲解灵活就业社保缴费政策",
        "issues-1-satisfaction": "satisfied",
    }
    data.update(overrides)
    return data
