"""What citizens bring to the workstations, and the ways their cases unfold.

A story is a script of lifecycle actions after a case is opened. Demo cases play
a random prefix of a story, so every status of the lifecycle appears. The scripts
are checked against `visits.lifecycle.TRANSITIONS`, never trusted on their own.
"""

from visits.lifecycle import Action, replay
from visits.models import Case, CaseCategory

# (category, title, description): fictional, modelled on the field's examples.
TOPICS = [
    (
        CaseCategory.PROPERTY,
        "小区物业长期不作为",
        "居民反映物业公司对楼道照明、电梯维修长期拖延，希望社区加大物业治理力度。",
    ),
    (CaseCategory.PROPERTY, "物业费上涨未经业主大会", "物业公司单方面上调物业费，未召开业主大会。"),
    (
        CaseCategory.FIRE_SAFETY,
        "电动车楼道充电存在隐患",
        "多户居民在楼道内为电动车充电，存在火灾隐患。",
    ),
    (
        CaseCategory.GROUP_RENTAL,
        "群租房消防安全隐患",
        "某小区多套住房被隔断群租，人员混杂，消防通道被堵。",
    ),
    (
        CaseCategory.ELDERLY_CARE,
        "社区助餐点供餐不足",
        "老年人反映社区助餐点午餐份数不够，希望增加供应。",
    ),
    (CaseCategory.ELDERLY_CARE, "独居老人紧急呼叫设备", "希望为辖区独居老人安装紧急呼叫设备。"),
    (
        CaseCategory.RENOVATION,
        "老旧小区加装电梯",
        "老旧小区居民希望推进加装电梯，协调低层住户意见。",
    ),
    (CaseCategory.RENOVATION, "老旧小区雨污管网改造", "雨季污水倒灌，希望纳入老旧小区改造计划。"),
    (CaseCategory.EMPLOYMENT, "失业人员求职指导", "辖区失业青年希望获得职业培训和岗位信息。"),
    (CaseCategory.LEGAL, "邻里漏水纠纷调解", "楼上漏水多次协商未果，希望调解。"),
    (CaseCategory.LEGAL, "劳动合同纠纷法律咨询", "单位拖欠工资，咨询如何维权。"),
    (CaseCategory.EDUCATION, "小学放学时段接送难", "双职工家庭希望学校提供课后托管服务。"),
    (CaseCategory.HEALTH, "社区卫生服务中心预约难", "老年人不会使用手机预约挂号。"),
    (CaseCategory.ENVIRONMENT, "夜间施工噪音扰民", "附近工地夜间施工，影响居民休息。"),
    (CaseCategory.TRAFFIC, "学校门口缺少交通标志", "上下学时段车辆拥堵，缺少减速标志和人行横道。"),
    (CaseCategory.CONSUMER, "早教中心关门拒不退费", "早教机构突然停业，多名家长预付费用无法退还。"),
]

# Each story, as the actions that follow the case's opening action.
STORIES: list[tuple[str, list[str]]] = [
    (Action.REGISTER, [Action.CONSULT, Action.RESOLVE, Action.CLOSE]),
    (
        Action.REGISTER,
        [Action.REFER, Action.ACKNOWLEDGE, Action.REPLY, Action.RESOLVE, Action.CLOSE],
    ),
    (
        Action.REGISTER,
        [
            Action.CONSULT,
            Action.REFER,
            Action.REFER,
            Action.ACKNOWLEDGE,
            Action.REPLY,
            Action.CO_REPLY,
            Action.RESOLVE,
            Action.CLOSE,
        ],
    ),
    (
        Action.REGISTER,
        [
            Action.REFER,
            Action.RETURN,
            Action.REFER,
            Action.REPLY,
            Action.RESOLVE,
            Action.REOPEN,
            Action.CONSULT,
            Action.RESOLVE,
            Action.CLOSE,
        ],
    ),
    (Action.REGISTER, [Action.CONSULT, Action.MERGE]),
    (Action.REGISTER, [Action.REJECT]),
    (Action.REGISTER, [Action.CONSULT, Action.WITHDRAW]),
    (Action.SUBMIT, [Action.ACCEPT, Action.CONSULT, Action.RESOLVE, Action.CLOSE]),
    (Action.SUBMIT, [Action.REJECT]),
    (Action.ANSWER, []),
]
# How often each story is told, in the same order.
STORY_WEIGHTS = [20, 22, 10, 5, 3, 3, 2, 10, 2, 23]


def story_length(rng, actions: list[str]) -> int:
    """How much of a story has happened: all of it for most, a random part for the rest,
    so that every status is represented."""
    return len(actions) if rng.random() < 0.55 else rng.randrange(len(actions) + 1)


def story_drawn(rng, stories=STORIES) -> tuple[str, list[str]]:
    """A story drawn by how often it is told: its opening action and the part of its
    actions that has happened (`story_length`)."""
    opening, actions = rng.choices(stories, weights=STORY_WEIGHTS)[0]
    return opening, actions[: story_length(rng, actions)]


def case_on_topic(rng, workstation, visit) -> Case:
    """A new case, not yet saved, from the visit, on a topic drawn from TOPICS."""
    category, title, description = rng.choice(TOPICS)
    return Case(
        workstation=workstation,
        visit=visit,
        title=title,
        description=description,
        category=category,
    )


# Fail at import, not halfway through seeding, if a story breaks the lifecycle.
for _opening, _actions in STORIES:
    replay(_opening, _actions)
