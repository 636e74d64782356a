"""Demo visits and cases, played through the real lifecycle services."""

import contextlib
import random
import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Member
from public.forms import CONSENT_VERSION
from visits import lifecycle, selectors
from visits.lifecycle import Action
from visits.models import (
    OPEN_REFERRAL_STATES,
    Case,
    Referral,
    ReferralRole,
    Satisfaction,
    SupervisionLevel,
    Visit,
    VisitChannel,
)
from visits.online import Receipt, Submission, online_submit
from visits.services import visit_save
from workdays.calendar import CalendarMissing, add_working_days
from workstations.models import Department, Workstation

from .network import FAMILY, office_account
from .stories import case_on_topic, story_drawn

CHANNEL_WEIGHTS = {
    VisitChannel.WALK_IN: 60,
    VisitChannel.PHONE: 15,
    VisitChannel.COMMUNITY: 15,
    VisitChannel.EVENT: 10,
}
NOTES = {
    Action.CONSULT: "组织微协商，社区、物业及居民代表参加，形成初步意见。",
    Action.RESOLVE: "相关问题已整改到位，向群众反馈处理结果。",
    Action.CLOSE: "电话回访，群众表示认可。",
    Action.REOPEN: "回访时群众表示问题反复，要求重办。",
    Action.REJECT: "不属于工作室受理范围，已告知群众向相关部门反映。",
    Action.WITHDRAW: "群众表示问题已自行解决，申请撤回。",
    Action.ACCEPT: "",
}

# The actions taken by or for a department the case is referred to.
REFERRAL_ACTIONS = {
    Action.REFER,
    Action.ACKNOWLEDGE,
    Action.REPLY,
    Action.CO_REPLY,
    Action.RETURN,
}


# Citizens' given names share none with the members' (network.GIVEN): a member's name is
# public, so a test can tell a leaked visitor's name from a member's on a public page.
VISITOR_GIVEN = ["桂芳", "淑珍", "春生", "保国", "金凤", "长顺", "秋菊", "福来", "素琴", "满仓"]


def citizen(rng: random.Random) -> dict:
    return {
        "visitor_name": rng.choice(FAMILY) + rng.choice(VISITOR_GIVEN),
        "visitor_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
        "visitor_address": f"新城区某小区{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元",
    }


def seed_cases(rng: random.Random, count: int, now: datetime, days: int = 180) -> int:
    """Open `count` cases over the last `days` days and play each one's story up to now."""
    workstations = list(Workstation.objects.filter(is_active=True).order_by("ordering"))
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    staff = {w.pk: w.staff.order_by("pk").first() for w in workstations}
    members = {w.pk: list(Member.objects.filter(home_workstation=w)) for w in workstations}
    starts = sorted(now - timedelta(days=rng.uniform(0, days)) for _ in range(count))
    opened = 0
    for start in starts:
        workstation = rng.choice(workstations)
        opening, actions = story_drawn(rng)
        with transaction.atomic():
            case = _open(
                rng, workstation, staff[workstation.pk], members[workstation.pk], opening, start
            )
            _play(rng, case, actions, staff[workstation.pk], departments, start, now)
        opened += 1
    return opened


def seed_department_work(now: datetime) -> int:
    """Give each department with a liaison's login work waiting on its page: the oldest
    open cases not yet referred, referred to it — one a week ago, still to sign for; one
    today, signed for and asking for more time; one today, signed for, with a note for it
    and the citizen's contact details shared. Returns the referrals made."""
    made = 0
    for department in Department.objects.filter(liaisons__isnull=False).distinct():
        liaison = department.liaisons.order_by("pk").first()
        waiting = Case.objects.filter(
            status__in=(Case.Status.REGISTERED, Case.Status.CONSULTING), referrals__isnull=True
        ).order_by("created_at", "pk")[:3]
        for i, case in enumerate(list(waiting)):
            actor = case.workstation.staff.order_by("pk").first()
            # The first was referred a week ago, and is late to be signed for.
            referral = lifecycle.case_refer(
                case=case,
                actor=actor,
                department=department,
                note="请核查并答复。",
                now=now - timedelta(days=7) if i == 0 else now,
            )
            made += 1
            if i == 0:
                continue  # left to sign for
            referral = lifecycle.referral_acknowledge(referral=referral, actor=liaison, now=now)
            if i == 2:
                _share_with(referral, actor, now)
            if i == 1:
                # Not when the calendar of the days to ask for is not entered yet.
                with contextlib.suppress(CalendarMissing, lifecycle.CaseError):
                    lifecycle.extension_request(
                        referral=referral,
                        actor=liaison,
                        due_on=add_working_days(referral.due_on, 5),
                        reason="需会同街道现场勘察，材料较多。",
                        now=now,
                    )
    return made


def _share_with(referral, desk, now: datetime) -> None:
    """What a department is given to go and see the citizen: a note for it, and the office's
    leave to see the citizen's contact details."""
    lifecycle.case_note(
        case=Case.objects.get(pk=referral.case_id),
        actor=desk,
        note="居民白天上班，请于工作日18时后联系；现场位于3号楼东侧。",
        for_departments=True,
        now=now,
    )
    lifecycle.referral_share_contact(
        referral=referral,
        actor=office_account(),
        reason="需上门核实现场情况，须联系居民本人。",
        now=now,
    )


# What the office writes on a 督办单, and what comes back.
SUPERVISION_NOTE = "该件已超过办理时限，请于期限内说明原因并加快办理，结果报区政协办公室。"
SUPERVISION_ANSWER = "已召开专题会研究，明确责任科室，本周内完成整改并答复群众。"


def seed_supervision(now: datetime) -> int:
    """The office supervises the late work longest past its day: two departments' referrals
    (the first answered by the workstation, from the department's letter), one referral
    late to be signed for by a department with a liaison's login, and one workstation's
    own step. Returns the supervisions opened."""
    today = timezone.localdate(now)
    office = office_account()
    try:
        due_on = add_working_days(today, 3)
    except CalendarMissing:
        return 0
    with_login = Referral.objects.filter(department__liaisons__isnull=False).distinct()
    late = [(r.case, r) for r in selectors.late_referrals(today)[:2]]
    # One on a department's own page, waiting for its liaison's answer.
    late += [
        (r.case, r)
        for r in selectors.late_referrals(today, with_login)[:1]
        if r not in [referral for _case, referral in late]
    ]
    late += [(case, None) for case in selectors.late_case_steps(today)[:1]]
    for i, (case, referral) in enumerate(late):
        supervision = lifecycle.supervision_open(
            case=case,
            referral=referral,
            actor=office,
            level=SupervisionLevel.PRIORITY if i == 0 else SupervisionLevel.GENERAL,
            due_on=due_on,
            note=SUPERVISION_NOTE,
            now=now,
        )
        if i == 0:
            lifecycle.supervision_answer(
                supervision=supervision,
                actor=case.workstation.staff.order_by("pk").first(),
                answer=SUPERVISION_ANSWER,
                now=now,
            )
    return len(late)


def _open(rng, workstation, actor, members, opening, at: datetime) -> Case:
    online = opening == Action.SUBMIT
    visit = visit_save(
        Visit(
            workstation=workstation,
            visited_at=at,
            channel=VisitChannel.ONLINE
            if online
            else rng.choices(list(CHANNEL_WEIGHTS), weights=CHANNEL_WEIGHTS.values())[0],
            visitor_count=1 if online else rng.choice([1, 1, 1, 2, 3]),
            consent_to_publish=rng.random() < 0.6,
            summary="",
            created_by=None if online else actor,
            created_at=at,
            **citizen(rng),
        )
    )
    receiving = rng.sample(members, k=min(2, len(members)))
    if not online:
        visit.receiving_members.set(receiving)
    case = case_on_topic(rng, workstation, visit)
    note = ""
    if opening == Action.ANSWER:
        case.satisfaction = Satisfaction.SATISFIED
        note = "委员当场解答政策问题，群众表示满意。"
    case = lifecycle.case_open(
        case=case, actor=None if online else actor, action=opening, note=note, now=at
    )
    case.handling_members.set(receiving[:1])
    return case


def _play(rng, case, actions, actor, departments, start: datetime, now: datetime) -> None:
    at = start
    for action in actions:
        at += timedelta(days=rng.uniform(0.5, 9), minutes=rng.randint(0, 300))
        if at > now:
            return
        if not _step(rng, case, action, actor, departments, at):
            return
        case.refresh_from_db()


def _step(rng, case, action, actor, departments, at) -> bool:
    """Take one action through the lifecycle; False when the story cannot go on."""
    if action in REFERRAL_ACTIONS:
        _referral_step(rng, case, action, actor, departments, at)
    elif action == Action.MERGE:
        return _merge(case, actor, at)
    else:
        _case_step(rng, case, action, actor, at)
    return True


def _referral_step(rng, case, action, actor, departments, at) -> None:
    """Refer the case, or act for a department it was referred to."""
    open_referrals = case.referrals.filter(state__in=OPEN_REFERRAL_STATES)
    lead = lifecycle.current_lead(case)
    if action == Action.REFER:
        taken = set(open_referrals.values_list("department_id", flat=True))
        department = rng.choice([d for d in departments if d.pk not in taken])
        role = ReferralRole.CO if lead else ReferralRole.LEAD
        lifecycle.case_refer(case=case, actor=actor, department=department, role=role, now=at)
    elif action == Action.ACKNOWLEDGE:
        lifecycle.referral_acknowledge(referral=lead, actor=actor, now=at)
    elif action == Action.REPLY:
        lifecycle.referral_reply(
            referral=lead, actor=actor, reply=f"{lead.department}已安排专人现场核查并整改。", now=at
        )
    elif action == Action.CO_REPLY:
        co = open_referrals.filter(role=ReferralRole.CO).first()
        lifecycle.referral_reply(
            referral=co, actor=actor, reply=f"{co.department}配合办理完毕。", now=at
        )
    else:
        lifecycle.referral_return(
            referral=lead, actor=actor, reason="不属于本部门职责范围，建议转其他部门。", now=at
        )


def _merge(case, actor, at) -> bool:
    """Merge into another open case of the workstation; False when there is none."""
    target = (
        Case.objects.filter(
            workstation=case.workstation,
            status__in=[Case.Status.REGISTERED, Case.Status.CONSULTING],
        )
        .exclude(pk=case.pk)
        .first()
    )
    if target is None:
        return False
    lifecycle.case_merge(case=case, actor=actor, into=target, now=at)
    return True


def _case_step(rng, case, action, actor, at) -> None:
    """An action of the workstation's own on the case."""
    if action == Action.CONSULT:
        lifecycle.case_consult(case=case, actor=actor, note=NOTES[action], now=at)
    elif action == Action.RESOLVE:
        summary = f"{case.workstation.street}：{case.title}，已整改到位。"
        lifecycle.case_resolve(
            case=case, actor=actor, note=NOTES[action], public_summary=summary, now=at
        )
    elif action in (Action.CLOSE, Action.REOPEN):
        satisfaction = (
            Satisfaction.UNSATISFIED
            if action == Action.REOPEN
            else rng.choice(
                [Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASICALLY]
            )
        )
        lifecycle.case_follow_up(
            case=case, actor=actor, satisfaction=satisfaction, note=NOTES[action], now=at
        )
    elif action == Action.ACCEPT:
        lifecycle.case_accept(case=case, actor=actor, now=at)
    elif action == Action.REJECT:
        lifecycle.case_reject(case=case, actor=actor, reason=NOTES[action], now=at)
    elif action == Action.WITHDRAW:
        lifecycle.case_withdraw(case=case, actor=actor, note=NOTES[action], now=at)
    else:
        raise ValueError(action)


def demo_cases_exist() -> bool:
    return Visit.objects.filter(created_by__username__startswith="staff-").exists()


DEMO_SUBMISSION = uuid.UUID("5eed0000-0000-4000-8000-000000000001")
DEMO_LOOKUP_CODE = "DEMAXC2345"


def seed_online_demo(now: datetime) -> Receipt:
    """One opinion sent online with a known lookup code, for trying /track/. Kept on rerun."""
    existing = Case.objects.filter(visit__submission_id=DEMO_SUBMISSION).first()
    if existing is not None:
        return Receipt(existing.number, DEMO_LOOKUP_CODE)
    submission = Submission(
        workstation=Workstation.objects.filter(is_active=True).order_by("ordering").first(),
        name="孙桂芳",
        phone="13800001234",
        category=Case.Category.GROUP_RENTAL,
        text="小区6号楼有群租房\n一套房住了十几个人，楼道里电动车充电，存在消防隐患。",
        consent_to_publish=False,
        submission_id=DEMO_SUBMISSION,
        # So that /track/ offers to stop the SMS, and the desk's acceptance texts it.
        sms_consent=True,
        consent_version=CONSENT_VERSION,
    )
    return online_submit(submission, now=now, lookup_code=DEMO_LOOKUP_CODE)
