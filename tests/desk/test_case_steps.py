"""The steps posted from the case page (`desk.views.case_act`): each one changes the
case, writes its event and is audited; referring to two departments, merging, and the
closed loop walked through from registration to follow-up.

The lifecycle's rules themselves are tested in tests/visits/lifecycle/; here each step
goes through HTTP and its effects are read back from the database and the page."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from visits.models import Case, CaseStatus, EventKind, ReferralRole, ReferralState, Satisfaction
from workdays.calendar import add_working_days

from ..pages import html, section
from ..posts import act
from ..stories import lead_of

pytestmark = pytest.mark.usefixtures("working_calendar", "deadlines")

S = CaseStatus


@dataclass
class Step:
    make: str
    action: str
    fields: Callable[[Case], dict]
    status: str
    event: str
    check: Callable[[Case], bool] = lambda case: True
    note: str = ""


STEPS = [
    Step(
        "submitted",
        "accept",
        lambda c: {"note": "已核实"},
        S.REGISTERED,
        EventKind.ACCEPTED,
        note="已核实",
    ),
    Step(
        "registered",
        "consult",
        lambda c: {"method": "micro", "note": "物业、业委会和居民代表当面协商"},
        S.CONSULTING,
        EventKind.CONSULTED,
        # Kept in the office's language even though this client browses in English.
        note="微协商：物业、业委会和居民代表当面协商",
    ),
    Step(
        "referred",
        "acknowledge",
        lambda c: {"referral": lead_of(c).pk},
        S.REFERRED,
        EventKind.ACKNOWLEDGED,
        check=lambda c: (
            c.referrals.get(role="lead").state == ReferralState.ACKNOWLEDGED
            and c.referrals.get(role="lead").acknowledged_at is not None
        ),
    ),
    Step(
        "referred",
        "reply",
        lambda c: {"referral": lead_of(c).pk, "reply": "已责令物业限期维修电梯"},
        S.REPLIED,
        EventKind.REPLIED,
        check=lambda c: c.referrals.get(role="lead").reply == "已责令物业限期维修电梯",
        note="已责令物业限期维修电梯",
    ),
    Step(
        "referred",
        "return",
        lambda c: {"referral": lead_of(c).pk, "reason": "不属于本部门职责"},
        S.REFERRED,
        EventKind.RETURNED,
        check=lambda c: (
            c.referrals.get(role="lead").state == ReferralState.RETURNED
            and c.referrals.get(role="lead").return_reason == "不属于本部门职责"
        ),
        note="不属于本部门职责",
    ),
    Step(
        "replied",
        "resolve",
        lambda c: {"note": "电梯已修复", "public_summary": "小区电梯已修复"},
        S.RESOLVED,
        EventKind.RESOLVED,
        check=lambda c: c.resolved_at is not None and c.public_summary == "小区电梯已修复",
        note="电梯已修复",
    ),
    Step(
        "resolved",
        "close",
        lambda c: {"satisfaction": "basically", "note": "居民基本满意"},
        S.CLOSED,
        EventKind.CLOSED,
        check=lambda c: c.satisfaction == Satisfaction.BASICALLY and c.closed_at is not None,
        note="居民基本满意",
    ),
    Step(
        "resolved",
        "close",
        lambda c: {"satisfaction": "unsatisfied", "note": "电梯又坏了"},
        S.CONSULTING,
        EventKind.REOPENED,
        check=lambda c: c.satisfaction == Satisfaction.UNSATISFIED and c.resolved_at is None,
        note="电梯又坏了",
    ),
    Step(
        "registered",
        "reject",
        lambda c: {"reason": "属于诉讼程序，不予受理", "confirm": "on"},
        S.REJECTED,
        EventKind.REJECTED,
        note="属于诉讼程序，不予受理",
    ),
    Step(
        "consulting",
        "withdraw",
        lambda c: {"confirm": "on", "note": "居民已自行解决"},
        S.WITHDRAWN,
        EventKind.WITHDRAWN,
        note="居民已自行解决",
    ),
    Step(
        "replied",
        "note",
        lambda c: {"note": "居民来电询问进度"},
        S.REPLIED,
        EventKind.NOTE,
        note="居民来电询问进度",
    ),
]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: f"{s.action}-from-{s.make}-to-{s.status}")
def test_each_step_posted_from_the_case_page_changes_the_case_and_is_audited(
    client, staff, world, workstation, step
):
    case = getattr(world, step.make)(workstation)
    events_before = case.events.count()

    response = act(client, case, step.action, **step.fields(case))

    assert response.status_code == 302, errors_of(response)
    assert response["Location"] == f"/cases/{case.number}/"
    case.refresh_from_db()
    assert case.status == step.status
    assert step.check(case)
    assert case.events.count() == events_before + 1
    event = case.events.order_by("-at", "-pk").first()
    assert (event.kind, event.actor) == (step.event, staff)
    assert event.note == step.note or not step.note
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.action, entry.target, entry.detail, entry.ip_address) == (
        staff,
        AuditEntry.Action.TRANSITION,
        case.number,
        step.action,
        "127.0.0.1",
    )


def errors_of(response) -> str:
    form = (response.context or {}).get("action_forms")
    return str([f.errors for f in form if f.is_bound]) if form else ""


def test_referring_to_a_lead_and_a_co_handling_department_makes_two_referrals(
    client, staff, world, workstation, departments
):
    case = world.registered(workstation)
    lead, co = departments
    co_due = add_working_days(timezone.localdate(), 10)

    first = act(client, case, "refer", department=lead.pk, role="lead", due_on="", note="转住建局")
    second = act(client, case, "refer", department=co.pk, role="co", due_on=co_due.isoformat())

    assert (first.status_code, second.status_code) == (302, 302)
    case.refresh_from_db()
    assert case.status == S.REFERRED
    sent = list(case.referrals.order_by("pk"))
    assert [(r.department, r.role, r.state, r.sent_by) for r in sent] == [
        (lead, ReferralRole.LEAD, ReferralState.SENT, staff),
        (co, ReferralRole.CO, ReferralState.SENT, staff),
    ]
    assert sent[0].due_on == add_working_days(timezone.localdate(), 15)
    assert sent[1].due_on == co_due
    # Each department signs for its referral within two working days, then replies.
    signed_by = add_working_days(timezone.localdate(), 2)
    assert [r.acknowledge_due_on for r in sent] == [signed_by, signed_by]
    assert case.next_due_on == signed_by
    assert list(case.events.filter(kind=EventKind.REFERRED).values_list("referral", flat=True)) == [
        r.pk for r in sent
    ]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION).count() == 2
    page = html(client.get(f"/cases/{case.number}/"))
    assert "区住建局" in page and "区消防救援大队" in page


def test_merging_marks_the_case_as_a_duplicate_of_the_other(client, world, workstation):
    case = world.registered(workstation)
    original = world.registered(workstation)

    response = act(client, case, "merge", into=original.number.lower(), note="", confirm="on")

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.merged_into) == (S.MERGED, original)
    assert case.events.last().note == f"Duplicate of {original.number}"
    assert Case.objects.get(pk=original.pk).status == S.REGISTERED
    assert AuditEntry.objects.get().target == case.number


def test_the_closed_loop_can_be_walked_through_from_the_case_page(
    client, world, workstation, departments
):
    case = world.registered(workstation)
    lead, co = departments

    steps = [
        ("consult", {"method": "please_come", "note": "请住建局和物业到场协商"}),
        ("refer", {"department": lead.pk, "role": "lead"}),
        ("refer", {"department": co.pk, "role": "co"}),
        ("acknowledge", {"referral": lambda: lead_of(case).pk}),
        ("reply", {"referral": lambda: lead_of(case).pk, "reply": "已督促维修"}),
        ("resolve", {"note": "电梯恢复运行"}),
        ("close", {"satisfaction": "satisfied"}),
    ]
    for action, fields in steps:
        values = {k: v() if callable(v) else v for k, v in fields.items()}
        assert act(client, case, action, **values).status_code == 302, action

    case.refresh_from_db()
    assert case.status == S.CLOSED
    timeline = section(client.get(f"/cases/{case.number}/"), "timeline-heading", "actions-heading")
    assert re.findall(r"<strong>([^<]+)</strong>", timeline) == [
        "Registered",
        "Consultation held",
        "Referred",
        "Referred",
        "Referral acknowledged",
        "Department replied",
        "Resolved",
        "Followed up and closed",
    ]
    assert AuditEntry.objects.count() == len(steps)
