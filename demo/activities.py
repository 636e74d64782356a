"""Demo activities and proposals, and the point rules that score them, recorded through
the same services as the staff pages."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from activities import lifecycle
from activities.models import (
    Activity,
    ActivityKind,
    CoSignature,
    Proposal,
    ProposalKind,
    ReplyClass,
)
from activities.services import activity_record, proposal_draft_from_case, proposal_save
from members.models import Member
from points import ledger
from points.models import Category, Grade, GradeBand, PointRule, ScoringYear
from visits.lifecycle import TERMINAL
from visits.models import Case, Satisfaction
from workstations.models import Department, Workstation

from .network import office_account

POINTS = {
    Category.DUTY_ATTENDED: 2,
    Category.DUTY_ABSENT: -3,
    Category.CITIZENS_RECEIVED: 1,
    Category.CASE_CLOSED: 2,
    Category.CONSULTATION: 4,
    Category.COMMUNITY_VISIT: 3,
    Category.ACTIVITY: 2,
    Category.PROPOSAL_FILED: 5,
    Category.PROPOSAL_ACCEPTED: 5,
    Category.PROPOSAL_EXCELLENT: 10,
    Category.OPINION_ADOPTED: 6,
}
BANDS = {Grade.EXCELLENT: 60, Grade.COMPETENT: 20, Grade.INCOMPETENT: 0}

TITLES = {
    ActivityKind.MICRO_CONSULTATION: "{street}老旧小区加装电梯微协商",
    ActivityKind.PLEASE_COME: "“请你来协商”：{street}物业服务质量提升",
    ActivityKind.COMMUNITY_VISIT: "委员进社区：{street}听民意、解民忧",
    ActivityKind.LEGAL_AID: "{street}法律咨询公益日",
    ActivityKind.JOB_GUIDANCE: "{street}就业指导公益日",
    ActivityKind.DONATION: "{street}爱心捐助活动",
}
DESCRIPTIONS = {
    ActivityKind.MICRO_CONSULTATION: "社区、物业、居民代表和相关部门围坐协商，形成解决方案。",
    ActivityKind.PLEASE_COME: "邀请区住建局、街道办负责同志与居民面对面协商。",
    ActivityKind.COMMUNITY_VISIT: "委员入户走访，收集群众对社区治理的意见建议。",
    ActivityKind.LEGAL_AID: "律师委员现场解答婚姻家庭、劳动争议、物业纠纷等法律问题。",
    ActivityKind.JOB_GUIDANCE: "为失业人员和高校毕业生提供岗位推荐与职业指导。",
    ActivityKind.DONATION: "委员为困难群众捐款捐物。",
}
# (title, kind) of the proposals members file on their own, outside any case.
OWN_PROPOSALS = [
    ("关于推进“书香政协”阅读角向社区延伸的提案", ProposalKind.PROPOSAL),
    ("关于加强老年助餐服务点建设的提案", ProposalKind.PROPOSAL),
    ("关于规范校外培训机构预付费管理的提案", ProposalKind.PROPOSAL),
    ("关于优化背街小巷停车管理的提案", ProposalKind.PROPOSAL),
    ("关于电动自行车入户充电安全隐患的社情民意", ProposalKind.OPINION),
    ("关于提升社区卫生服务中心夜间服务能力的提案", ProposalKind.PROPOSAL),
    ("关于老旧小区雨污分流改造进度的社情民意", ProposalKind.OPINION),
    ("关于高校毕业生就业见习基地建设的提案", ProposalKind.PROPOSAL),
    ("关于加强群租房消防安全治理的提案", ProposalKind.PROPOSAL),
]
FROM_CASES = 6
REJECTION = "所提问题属于个案信访事项，建议通过信访渠道反映，不予立案。"
REPLY = "已会同相关部门制定整改方案，列入年度民生实事项目推进。"


@dataclass
class Seeded:
    activities: int = 0
    proposals: int = 0
    ledger_differences: int = 0


def seed_point_rules(today: date) -> None:
    """This year's and last year's rules and grade bands; existing ones are kept."""
    for year in (today.year - 1, today.year):
        scoring_year, _ = ScoringYear.objects.get_or_create(year=year)
        for category, points in POINTS.items():
            PointRule.objects.get_or_create(
                scoring_year=scoring_year, category=category, defaults={"points": points}
            )
        for grade, min_points in BANDS.items():
            GradeBand.objects.get_or_create(
                scoring_year=scoring_year, grade=grade, defaults={"min_points": min_points}
            )


def seed_activities(rng: random.Random, proposals_rng: random.Random, today: date) -> Seeded:
    """Activities of every kind at every workstation this year and last, ~15 proposals (some
    grown from demo cases), the point rules, then a ledger rebuilt from all the facts.
    Does nothing if activities exist. Each draws from its own stream, so that the number
    of days so far this year (which spreads the activities) never changes the proposals."""
    if Activity.objects.exists():
        return Seeded()
    # Rules first, so that the ledger scores the activities as they are recorded.
    seed_point_rules(today)
    seeded = Seeded()
    with transaction.atomic():
        activities = _activities(rng, today)
        seeded.activities = len(activities)
    seeded.proposals = _proposals(proposals_rng, today, activities)
    # Duties and visits seeded before the rules existed are scored now.
    seeded.ledger_differences = len(ledger.rebuild().differences)
    return seeded


def _activities(rng: random.Random, today: date) -> list[Activity]:
    made = []
    workstations = Workstation.objects.filter(is_active=True).order_by("ordering")
    for workstation in workstations:
        organiser = workstation.staff.order_by("pk").first()
        members = list(Member.objects.filter(home_workstation=workstation, is_active=True))
        if organiser is None or not members:
            continue
        for year in (today.year - 1, today.year):
            last_day = today if year == today.year else date(year, 12, 31)
            for kind in ActivityKind:
                # A fraction of the year so far: one draw whatever the date.
                day = date(year, 1, 1) + timedelta(
                    days=int(rng.random() * ((last_day - date(year, 1, 1)).days + 1))
                )
                activity = Activity(
                    kind=kind,
                    title=TITLES[kind].format(street=workstation.street),
                    date=day,
                    description=DESCRIPTIONS[kind],
                    suggestions_gathered=0 if kind == ActivityKind.DONATION else rng.randint(2, 9),
                    amount=Decimal(rng.randrange(5, 40) * 100)
                    if kind == ActivityKind.DONATION
                    else None,
                    is_published=rng.random() < 0.7,
                )
                made.append(
                    activity_record(
                        activity=activity,
                        workstations=[workstation],
                        participants=rng.sample(members, min(len(members), rng.randint(2, 5))),
                        organiser=organiser,
                    )
                )
    return made


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


# How the committee office moves the drafts on, one step a draft in order.
REVIEW_PLAN = [
    "accepted_excellent",
    "accepted",
    "not_accepted",
    "accepted",
    "submitted",
    "accepted_excellent",
    "merged",
    "submitted",
    "accepted",
    "not_accepted",
    "accepted",
    "draft",
    "submitted",
    "accepted",
    "draft",
]


def _proposals(rng: random.Random, today: date, activities: list[Activity]) -> int:
    members = list(Member.objects.filter(is_active=True).order_by("pk"))
    if len(members) < 3:
        return 0
    departments = list(Department.objects.filter(is_active=True).order_by("name"))
    drafts = _drafts_from_cases(rng, members)
    drafts += _own_drafts(rng, members, OWN_PROPOSALS[: 15 - len(drafts)])
    _review(rng, today, drafts, activities, departments)
    return len(drafts)


def _own_drafts(
    rng: random.Random, members: list[Member], proposals: list[tuple[str, str]]
) -> list[Proposal]:
    """The proposals members file on their own, each with two co-signers."""
    drafts = []
    for title, kind in proposals:
        lead = rng.choice(members)
        others = [m for m in members if m != lead]
        drafts.append(
            proposal_save(
                proposal=Proposal(kind=kind, title=title, lead=lead, body=title),
                cosigners=rng.sample(others, 2),
            )
        )
    return drafts


def _review(
    rng: random.Random,
    today: date,
    drafts: list[Proposal],
    activities: list[Activity],
    departments: list[Department],
) -> None:
    """Move the drafts on, as the committee office would record its review."""
    accepted = None
    consultations = [a for a in activities if a.kind == ActivityKind.MICRO_CONSULTATION]
    office = office_account()
    for index, (proposal, step) in enumerate(zip(drafts, REVIEW_PLAN, strict=False)):
        # Alternate years, so that this year and last both have every kind of outcome.
        year = today.year - index % 2
        submitted = min(today, date(year, rng.randint(1, 10), rng.randint(1, 28)))
        proposal.cosign_deadline = submitted
        proposal.save(update_fields=["cosign_deadline"])
        if consultations and rng.random() < 0.4:
            proposal.activities.add(rng.choice(consultations))
        if step != "draft":
            proposal = lifecycle.proposal_submit(
                proposal=proposal, actor=office, now=_moment(submitted)
            )
        decided = _moment(min(today, submitted + timedelta(days=30)))
        if step.startswith("accepted"):
            proposal = _accept(
                rng, proposal, office, decided, departments, excellent=step == "accepted_excellent"
            )
            accepted = accepted or proposal
        elif step == "not_accepted":
            lifecycle.proposal_decline(
                proposal=proposal, actor=office, reason=REJECTION, now=decided
            )
        elif step == "merged" and accepted is not None:
            lifecycle.proposal_merge(proposal=proposal, actor=office, into=accepted, now=decided)
        _date_cosignatures(rng, proposal, submitted)


def _date_cosignatures(rng: random.Random, proposal: Proposal, submitted: date) -> None:
    """Each co-signer signed on the day the proposal went in or up to five days before."""
    for cosignature in CoSignature.objects.filter(proposal=proposal):
        cosignature.signed_at = _moment(submitted - timedelta(days=rng.randint(0, 5)))
        cosignature.save(update_fields=["signed_at"])


def _accept(
    rng: random.Random,
    proposal: Proposal,
    office,
    decided: datetime,
    departments: list[Department],
    *,
    excellent: bool,
) -> Proposal:
    """Accept for filing, reply, the proposer's satisfaction; then a proposal rated
    excellent if chosen, a public-opinion report adopted."""
    lead_department = rng.choice(departments) if departments else None
    proposal = lifecycle.proposal_accept(
        proposal=proposal, actor=office, now=decided, lead_department=lead_department
    )
    proposal = lifecycle.proposal_reply(
        proposal=proposal,
        actor=office,
        now=decided,
        reply=REPLY,
        reply_class=rng.choice(ReplyClass.values),
    )
    proposal = lifecycle.proposal_record_satisfaction(
        proposal=proposal, actor=office, now=decided, satisfaction=rng.choice(Satisfaction.values)
    )
    if proposal.kind == ProposalKind.OPINION:
        return lifecycle.proposal_adopt(proposal=proposal, actor=office, now=decided)
    if excellent:
        return lifecycle.proposal_rate_excellent(proposal=proposal, actor=office, now=decided)
    return proposal


def _drafts_from_cases(rng: random.Random, members: list[Member]) -> list[Proposal]:
    """A few recurring problems raised at the workstations, turned into proposals from
    their case pages."""
    drafts = []
    cases = list(
        Case.objects.exclude(status__in=TERMINAL)
        .filter(workstation__staff__isnull=False)
        .select_related("workstation")
        .order_by("pk")
        .distinct()[:FROM_CASES]
    )
    for case in cases:
        actor = case.workstation.staff.order_by("pk").first()
        kind = ProposalKind.OPINION if len(drafts) % 3 == 2 else ProposalKind.PROPOSAL
        suffix = "的社情民意" if kind == ProposalKind.OPINION else "的提案"
        drafts.append(
            proposal_draft_from_case(
                case=case,
                actor=actor,
                kind=kind,
                title=f"关于{case.title}{suffix}",
                lead=rng.choice(members),
            )
        )
    return drafts
