"""The demo network: the nine real streets of Xincheng, fictional members and logins."""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from members.models import ActivityGroup, Member, Sector
from rosters.duties import assignments_record_past_attendance
from rosters.models import Attendance, DutyAssignment, DutyShift
from workdays.calendar import working_days_between
from workstations import roles
from workstations.models import Department, Venue, Workstation

DEMO_PASSWORD = "bell-tower-demo-2026"

# (street, slug, venue, address); the addresses are plausible, not real offices.
STREETS = [
    (
        "西一路街道",
        "xiyilu",
        Venue.STREET_OFFICE,
        "新城区西一路与北新街十字东南角 西一路街道办事处二楼",
    ),
    (
        "长乐中路街道",
        "changle-middle-road",
        Venue.SERVICE_CENTRE,
        "新城区长乐中路街道党群服务中心一楼",
    ),
    ("中山门街道", "zhongshanmen", Venue.SERVICE_CENTRE, "新城区中山门街道党群服务中心三楼"),
    ("韩森寨街道", "hansenzhai", Venue.STREET_OFFICE, "新城区韩森寨街道办事处一楼东侧"),
    ("解放门街道", "jiefangmen", Venue.SERVICE_CENTRE, "新城区解放门街道党群服务中心二楼"),
    ("自强路街道", "ziqianglu", Venue.MEMBER_UNIT, "新城区自强东路某律师事务所会议室"),
    ("太华路街道", "taihualu", Venue.STREET_OFFICE, "新城区太华路街道办事处三楼"),
    (
        "长乐西路街道",
        "changle-west-road",
        Venue.SERVICE_CENTRE,
        "新城区长乐西路街道党群服务中心二楼",
    ),
    ("胡家庙街道", "hujiamiao", Venue.STREET_OFFICE, "新城区胡家庙街道办事处二楼"),
]
PILOTS = {"xiyilu", "changle-west-road"}  # opened in 2021, the others by June 2022

SECTORS = [
    "中国共产党",
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "九三学社",
    "无党派人士",
    "经济界",
    "教育界",
    "科技界",
    "医药卫生界",
    "法律界",
    "文化艺术界",
    "社会福利界",
]
GROUPS = {
    "法制组": "法律咨询、矛盾调解、政法直通车",
    "经济组": "营商环境、就业指导",
    "教育文化组": "教育、书香政协阅读推广",
    "医疗卫生组": "健康义诊、养老服务",
    "城建环保组": "物业治理、老旧小区改造、环境",
    "社会事业组": "民生保障、社区服务",
}
# The departments with a liaison's login in the demo: name -> (username, family, given).
DEPARTMENT_LOGINS = {
    "区住建局": ("dept-housing", "刘", "建华"),
    "区消防救援大队": ("dept-fire", "马", "超"),
    "区城管执法局": ("dept-cityadmin", "卫", "东"),
}
DEPARTMENTS = [
    ("区住建局", "刘科长"),
    ("区消防救援大队", "马队长"),
    ("区民政局", "周科长"),
    ("区人社局", "孙科长"),
    ("区司法局", "吴科长"),
    ("区信访局", "郑主任"),
    ("区教育局", "冯科长"),
    ("区卫健局", "陈科长"),
    ("区市场监管局", "褚科长"),
    ("区城管执法局", "卫科长"),
    ("区生态环境分局", "蒋科长"),
    ("新城交警大队", "沈警官"),
]
FAMILY = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施孔曹严华金魏陶姜"
# The liaisons' names, one a workstation, as (family name, given name).
LIAISON_NAMES = [
    ("张", "丽"),
    ("王", "建国"),
    ("李", "娜"),
    ("刘", "洋"),
    ("陈", "静"),
    ("杨", "帆"),
    ("赵", "敏"),
    ("黄", "磊"),
    ("吴", "芳"),
]
GIVEN = [
    "建平",
    "秀兰",
    "立新",
    "海燕",
    "志强",
    "丽娟",
    "国华",
    "晓东",
    "玉梅",
    "文博",
    "静怡",
    "振宇",
    "红霞",
    "德明",
    "雅琴",
    "浩然",
    "淑芬",
    "明轩",
    "桂英",
    "子涵",
]
EMPLOYERS = [
    ("陕西某律师事务所", "律师"),
    ("新城区某小学", "校长"),
    ("西安某医院", "主任医师"),
    ("某科技有限公司", "总经理"),
    ("某社区卫生服务中心", "主任"),
    ("某会计师事务所", "合伙人"),
    ("某文化传媒公司", "总监"),
    ("某养老服务中心", "院长"),
    ("某建筑设计院", "高级工程师"),
]
MEMBERS_PER_STREET = 8
SHIFT_SLOTS = [(time(9), time(11, 30)), (time(14, 30), time(17))]
DUTY_DAYS_PER_WEEK = 2
MEMBERS_PER_SHIFT = 2


@dataclass
class DemoLogins:
    administrator: str
    # The other two duties of administration (三员): lockouts and sessions; the audit log.
    security_administrator: str
    auditor: str
    staff: dict[str, str]  # workstation slug -> username
    member: str
    departments: dict[str, str]  # department name -> username of its liaison


def seed_network(rng: random.Random) -> DemoLogins:
    """Workstations, departments, sectors, groups, members and one login per role."""
    roles.ensure_groups()
    _seed_workstations()
    for name, contact in DEPARTMENTS:
        Department.objects.get_or_create(name=name, defaults={"contact_name": contact})
    sectors = [
        Sector.objects.get_or_create(name=n, defaults={"ordering": i})[0]
        for i, n in enumerate(SECTORS)
    ]
    groups = [
        ActivityGroup.objects.get_or_create(name=n, defaults={"description": d})[0]
        for n, d in GROUPS.items()
    ]
    workstations = list(Workstation.objects.filter(slug__in=[s[1] for s in STREETS]))

    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "last_name": "周", "first_name": "文静"}
    )
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    office = [admin, *_seed_separated_duties()]
    staff_logins = _seed_staff_logins(workstations)
    _seed_members(rng, workstations, sectors, groups)
    member_user = _seed_member_login()
    department_logins = _seed_department_logins()
    logins = [*staff_logins.values(), *department_logins.values()]
    for user in [*office, member_user, *User.objects.filter(username__in=logins)]:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return DemoLogins(
        administrator="admin",
        security_administrator="security",
        auditor="auditor",
        staff=staff_logins,
        member="member",
        departments=department_logins,
    )


def _seed_separated_duties() -> list:
    """The security administrator and the auditor, each holding their duty alone."""
    users = []
    for username, family, given, group in (
        ("security", "郑", "安", roles.SECURITY_ADMINISTRATORS),
        ("auditor", "冯", "审", roles.AUDITORS),
    ):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "last_name": family, "first_name": given}
        )
        user.groups.add(Group.objects.get(name=group))
        users.append(user)
    return users


def _seed_department_logins() -> dict[str, str]:
    """One liaison login for each department of DEPARTMENT_LOGINS: name -> username."""
    logins = {}
    for name, (username, family, given) in DEPARTMENT_LOGINS.items():
        # An address, so that the demo's messages to them go by e-mail too: through the
        # task worker, to the console (`make run` prints them).
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "last_name": family,
                "first_name": given,
                "email": f"{username}@xincheng.example",
            },
        )
        user.groups.add(Group.objects.get(name=roles.DEPARTMENT_LIAISONS))
        Department.objects.get(name=name).liaisons.add(user)
        logins[name] = username
    return logins


def _seed_workstations() -> None:
    for ordering, (street, slug, venue, address) in enumerate(STREETS):
        Workstation.objects.update_or_create(
            slug=slug,
            defaults={
                "street": street,
                "name": f"{street}委员工作室",
                "venue": venue,
                "address": address,
                "opening_hours": "周一至周五 9:00–12:00，14:30–17:30",
                "phone": f"029-8{ordering + 1:03d}{ordering + 5:04d}",
                "description": f"设在{street}，提供接待群众、微协商、法律咨询等服务，设有图书角。",
                "has_reading_corner": True,
                "opened_on": date(2021, 6, 1) if slug in PILOTS else date(2022, 6, 30),
                "ordering": ordering,
            },
        )


def _seed_staff_logins(workstations: list[Workstation]) -> dict[str, str]:
    """One staff login a workstation: workstation slug -> username."""
    staff_logins = {}
    for i, workstation in enumerate(workstations):
        family, given = LIAISON_NAMES[i % len(LIAISON_NAMES)]
        username = f"staff-{workstation.slug}"
        # An address, so that the demo's messages to them go by e-mail too: through the
        # task worker, to the console (`make run` prints them).
        user, _ = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "last_name": family,
                "first_name": given,
                "email": f"{username}@xincheng.example",
            },
        )
        user.groups.add(Group.objects.get(name=roles.STAFF))
        workstation.staff.add(user)
        staff_logins[workstation.slug] = username
    return staff_logins


def _seed_members(
    rng: random.Random,
    workstations: list[Workstation],
    sectors: list[Sector],
    groups: list[ActivityGroup],
) -> None:
    """MEMBERS_PER_STREET members a workstation; a workstation that has them gets none."""
    names = iter(
        rng.sample([f + g for f in FAMILY for g in GIVEN], len(workstations) * MEMBERS_PER_STREET)
    )
    for workstation in sorted(workstations, key=lambda w: w.ordering):
        for n in range(MEMBERS_PER_STREET):
            employer, job_title = EMPLOYERS[(workstation.ordering + n) % len(EMPLOYERS)]
            name = next(names)
            if Member.objects.filter(home_workstation=workstation).count() >= MEMBERS_PER_STREET:
                break
            Member.objects.create(
                name=name,
                sector=sectors[(workstation.ordering * 3 + n) % len(sectors)],
                activity_group=groups[(workstation.ordering + n) % len(groups)],
                home_workstation=workstation,
                employer=employer,
                job_title=job_title,
                bio=f"{employer}{job_title}，长期关注社区治理与民生服务。",
                reception_hours="每月第二个周二 9:00–11:30"
                if n % 2 == 0
                else "每月第四个周四 14:30–17:00",
                public_contact="029-87000000（工作室转）" if n % 3 == 0 else "",
                is_published=n % 4 != 3,
                term="第十届",
            )


def _seed_member_login():
    """The member login, tied to the first member of 西一路 unless either is tied already."""
    member = Member.objects.filter(home_workstation__slug="xiyilu").order_by("pk").first()
    member_user, _ = get_user_model().objects.get_or_create(
        username="member", defaults={"last_name": member.name[0], "first_name": member.name[1:]}
    )
    member_user.groups.add(Group.objects.get(name=roles.MEMBERS))
    if member.user_id is None and not Member.objects.filter(user=member_user).exists():
        member.user = member_user
        member.save(update_fields=["user"])
    return member_user


def seed_rosters(rng: random.Random, today: date, weeks: int = 8) -> int:
    """Duty shifts on two weekdays a week per workstation, four weeks either side of today.

    Workstations have different duty weekdays, and the groups take rotation days
    in turn, so that no member is on two workstations' duty at once. The members of
    the holding group fill the slots. Past shifts carry attendance. Returns the
    number of shifts created.
    """
    first = today - timedelta(weeks=weeks // 2, days=today.weekday())
    last = first + timedelta(weeks=weeks) - timedelta(days=1)
    working_days = working_days_between(first, last)
    groups = list(ActivityGroup.objects.order_by("name"))
    members_by_group = {g.pk: list(g.members.filter(is_active=True).order_by("pk")) for g in groups}
    created = 0
    # Every shift of a day before today has been held by today's first moment.
    held_by = timezone.make_aware(datetime.combine(today, time.min))
    for workstation in Workstation.objects.filter(is_active=True).order_by("ordering"):
        weekdays = {(workstation.ordering + 2 * n) % 5 for n in range(DUTY_DAYS_PER_WEEK)}
        days = [d for d in working_days if d.weekday() in weekdays]
        for index, day in enumerate(days):
            group = groups[(index + workstation.ordering) % len(groups)]
            for slot, (starts_at, ends_at) in enumerate(SHIFT_SLOTS):
                shift, is_new = DutyShift.objects.get_or_create(
                    workstation=workstation,
                    date=day,
                    starts_at=starts_at,
                    defaults={
                        "ends_at": ends_at,
                        "holding_group": group,
                        "theme": f"{group.name}轮值日",
                    },
                )
                if not is_new:
                    continue
                created += 1
                pool = members_by_group[group.pk]
                turn = (index * len(SHIFT_SLOTS) + slot) * MEMBERS_PER_SHIFT
                chosen = (
                    {pool[(turn + k) % len(pool)] for k in range(MEMBERS_PER_SHIFT)}
                    if pool
                    else set()
                )
                # Drawn for every shift, past or not, so that which shifts are past
                # does not change what the later draws give.
                absent = [rng.random() < 0.08 for _ in chosen]
                duties = [DutyAssignment(shift=shift, member=member) for member in chosen]
                if day < today:
                    assignments_record_past_attendance(
                        zip(duties, map(_past_attendance, absent), strict=True), now=held_by
                    )
                else:
                    DutyAssignment.objects.bulk_create(duties)
    return created


def _past_attendance(missed: bool) -> str:
    return Attendance.ABSENT if missed else Attendance.ATTENDED


def office_account():
    """The district office's account that acts for it in the demo: the first administrator."""
    return get_user_model().objects.filter(groups__name=roles.ADMINISTRATORS).order_by("pk").first()
