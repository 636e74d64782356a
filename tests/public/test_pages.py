"""The public pages (column, workstation, member): what everyone may see, what nobody
may, the page cache, the query counts, and markup typed into any field never rendering."""

from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from members.models import Member
from rosters.calendars import week_start
from rosters.models import Attendance
from tests.signing import force_login
from visits import lifecycle
from visits.models import Case
from workstations.models import Venue

from .. import stories
from ..factories import (
    ActivityGroupFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    SectorFactory,
    UserFactory,
    VisitFactory,
    WorkstationFactory,
    open_case,
)

SCRIPT = "<script>alert(1)</script>"
# The seed article's injected-link style of spam.
SPAM = '<a href="http://spam.example">国产</a>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_SPAM = "&lt;a href=&quot;http://spam.example&quot;&gt;国产&lt;/a&gt;"

VISITOR_NAME = "欧阳隐私"
VISITOR_PHONE = "13987654321"
VISITOR_ADDRESS = "幸福巷77号3单元"
PERSONAS = ["administrator", "staff", "member_user"]


@pytest.fixture
def today(time_machine):
    # A Tuesday, whatever the real date: the rosters seeded below hold Monday to Wednesday.
    time_machine.move_to(timezone.make_aware(datetime(2026, 6, 9, 10, 0)), tick=False)
    return timezone.localdate()


@pytest.fixture
def monday(today):
    return week_start(today)


@pytest.fixture
def anonymous() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def signed_in():
    def signed_in(user) -> Client:
        client = Client()
        force_login(client, user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return signed_in


def text(response) -> str:
    return response.content.decode()


def visit(workstation, *, consent: bool, name: str = VISITOR_NAME):
    return VisitFactory(
        workstation=workstation,
        visitor_name=name,
        visitor_phone=VISITOR_PHONE,
        visitor_address=VISITOR_ADDRESS,
        summary=f"{name}反映的详细情况",
        consent_to_publish=consent,
    )


def answered(workstation, *, consent: bool = True, now=None, **fields) -> Case:
    """A case answered on the spot: closed at once, resolved at the same moment."""
    return stories.answered(
        visit=visit(workstation, consent=consent), note="当场答复：已联系物业", now=now, **fields
    )


def published(workstation, *, summary: str, consent: bool = True, now=None, **fields) -> Case:
    """A case resolved with a summary for publication, its citizen consenting or not."""
    case = open_case(visit=visit(workstation, consent=consent), now=now, **fields)
    return lifecycle.case_resolve(
        case=case, actor=None, note="维保单位已更换配件", public_summary=summary, now=now
    )


# --- the column ---------------------------------------------------------------


@pytest.fixture
def column_world(workstation, other_workstation, monday):
    """Two workstations (the other one first), a closed one, this week's and next week's
    shifts, and a member substituted by another (all three published)."""
    workstation.ordering, other_workstation.ordering = 2, 1
    workstation.venue = Venue.SERVICE_CENTRE
    workstation.address = "西一路180号"
    workstation.opening_hours = "周一至周五 9:00–17:00"
    workstation.phone = "029-87654321"
    workstation.has_reading_corner = True
    workstation.save()
    other_workstation.save()
    WorkstationFactory(name="已撤销的委员工作室", is_active=False)
    legal = ActivityGroupFactory(name="法制组")
    shift = DutyShiftFactory(
        workstation=workstation,
        date=monday + timedelta(days=2),
        starts_at=time(9),
        ends_at=time(11, 30),
        holding_group=legal,
        theme="物业管理答疑",
    )
    DutyAssignmentFactory(shift=shift, member=MemberFactory(name="张律师", is_published=True))
    DutyAssignmentFactory(
        shift=shift,
        member=MemberFactory(name="请假的委员", is_published=True),
        attendance=Attendance.SUBSTITUTED,
        substitute=MemberFactory(name="顶班的委员", is_published=True),
    )
    DutyShiftFactory(workstation=workstation, date=monday + timedelta(days=7), theme="下周的主题")
    return workstation, other_workstation


def test_anonymous_finds_the_active_workstations_in_order_and_this_weeks_duty(
    anonymous, column_world
):
    # The column lists the workstations in brief (tests/public/test_column.py); where and
    # when they are open is on the list of workstations, this week's duty on its own page.
    workstation, other_workstation = column_world

    response = anonymous.get(reverse("public:workstations"))

    assert response.status_code == 200
    html = text(response)
    assert html.index(other_workstation.name) < html.index(workstation.name)
    for fact in ("西一路180号", "周一至周五 9:00–17:00", "029-87654321", "Reading corner"):
        assert fact in html
    assert "Street Party-and-public service centre" in html
    assert "已撤销的委员工作室" not in html
    assert reverse("public:workstation", args=[workstation.slug]) in html

    html = text(anonymous.get(reverse("public:duty")))
    assert "09:00–11:30" in html
    assert "法制组" in html
    assert "物业管理答疑" in html
    assert "张律师" in html
    assert "顶班的委员" in html
    assert "请假的委员" not in html
    assert "下周的主题" not in html


def test_the_column_links_to_statistics_submission_and_tracking(anonymous, db):
    html = text(anonymous.get(reverse("public:column")))

    for name in ("public:stats", "public:submit", "public:track"):
        assert f'href="{reverse(name)}"' in html


def test_the_column_publishes_resolved_and_closed_cases_with_consent_anonymised(
    anonymous, workstation, working_calendar
):
    case = published(workstation, summary="电梯已修好，恢复运行", title="电梯坏了")
    published(workstation, consent=False, summary="不愿公开的事项")
    open_case(visit=visit(workstation, consent=True), title="仍在办理的事项")
    answered(workstation, title="当场答复的事项")
    citizens_words = open_case(
        visit=visit(workstation, consent=True), title=f"我是{VISITOR_NAME}电话{VISITOR_PHONE}"
    )
    lifecycle.case_resolve(case=citizens_words, actor=None, note="已处理")  # no summary

    html = text(anonymous.get(reverse("public:column")))

    assert "电梯已修好，恢复运行" in html
    assert "Property management" in html
    assert workstation.name in html
    for unpublished in ("电梯坏了", "不愿公开的事项", "仍在办理的事项", "当场答复的事项"):
        assert unpublished not in html
    for private in (VISITOR_NAME, VISITOR_PHONE, VISITOR_ADDRESS, "反映的详细情况"):
        assert private not in html
    assert "维保单位已更换配件" not in html
    assert case.number not in html


def test_a_summary_for_publication_with_a_phone_or_id_number_is_refused(
    workstation, working_calendar
):
    case = open_case(visit=visit(workstation, consent=True))

    for summary in (f"联系{VISITOR_PHONE}", "身份证6101 0219 8001 0112 34"):
        with pytest.raises(lifecycle.CaseError, match="phone or ID number"):
            lifecycle.case_resolve(case=case, actor=None, note="已处理", public_summary=summary)

    case.refresh_from_db()
    assert (case.status, case.public_summary) == (Case.Status.REGISTERED, "")


def test_the_column_shows_the_years_headline_figures(anonymous, workstation, today):
    for _ in range(3):
        answered(workstation)

    html = text(anonymous.get(reverse("public:column")))

    assert f"The network in {today.year}" in html
    assert "Answered on the spot</dt><dd>3</dd>" in html
    assert f'href="{reverse("public:stats")}"' in html


def test_the_column_publishes_only_the_newest_ten_cases(anonymous, workstation, working_calendar):
    start = timezone.now() - timedelta(days=30)
    for n in range(12):
        published(workstation, summary=f"公开事项-{n:02d}", now=start + timedelta(days=n))

    html = text(anonymous.get(reverse("public:column")))

    assert "公开事项-00" not in html
    assert "公开事项-01" not in html
    assert all(f"公开事项-{n:02d}" in html for n in range(2, 12))
    assert html.index("公开事项-11") < html.index("公开事项-02")


# --- the workstation page -------------------------------------------------------


@pytest.fixture
def workstation_world(workstation, monday):
    workstation.description = "设有图书角，欢迎群众来访。"
    workstation.opening_hours = "每周三 14:00–17:00"
    workstation.save()
    MemberFactory(name="公开的委员", home_workstation=workstation, is_published=True)
    MemberFactory(name="未公开的委员", home_workstation=workstation)
    MemberFactory(
        name="离任的委员", home_workstation=workstation, is_published=True, is_active=False
    )
    MemberFactory(name="别处的委员", is_published=True)
    for days, theme in (
        (-1, "上周的主题"),
        (0, "本周的主题"),
        (27, "第四周的主题"),
        (28, "第五周的主题"),
    ):
        DutyShiftFactory(workstation=workstation, date=monday + timedelta(days=days), theme=theme)
    return workstation


def test_anonymous_sees_a_workstation_with_four_weeks_of_duty_and_its_public_members(
    anonymous, workstation_world
):
    workstation = workstation_world
    published = workstation.members.get(name="公开的委员")

    response = anonymous.get(reverse("public:workstation", args=[workstation.slug]))

    assert response.status_code == 200
    html = text(response)
    assert workstation.name in html
    assert "设有图书角，欢迎群众来访。" in html
    assert "每周三 14:00–17:00" in html
    assert "本周的主题" in html
    assert "第四周的主题" in html
    assert "上周的主题" not in html
    assert "第五周的主题" not in html
    assert f'href="{reverse("public:member", args=[published.pk])}"' in html
    for hidden in ("未公开的委员", "离任的委员", "别处的委员"):
        assert hidden not in html
    assert reverse("rosters:workstation_calendar", args=[workstation.slug]) in html


@pytest.mark.parametrize("slug", ["nowhere", "closed"])
def test_an_unknown_or_inactive_workstation_is_not_found(anonymous, slug, db):
    WorkstationFactory(slug="closed", is_active=False)

    response = anonymous.get(reverse("public:workstation", args=[slug]))

    assert response.status_code == 404


# --- the member page -------------------------------------------------------------


@pytest.fixture
def login():
    return UserFactory(username="login-zhang-8841", email="zhang-8841@example.org")


@pytest.fixture
def published_member(workstation, login):
    member = MemberFactory(
        name="张明德",
        home_workstation=workstation,
        sector=SectorFactory(name="法律界"),
        activity_group=ActivityGroupFactory(name="法制组"),
        employer="陕西某律师事务所",
        job_title="主任律师",
        bio="长期从事民事法律援助。",
        reception_hours="每月第一个周三上午",
        public_contact="029-88886666",
        is_published=True,
        user=login,
    )
    member.photo.name = "members/zhang.jpg"
    member.save()
    return member


def test_anonymous_sees_a_published_member_with_public_contact_and_coming_duties(
    anonymous, published_member, workstation, other_workstation, today
):
    member = published_member
    own = DutyShiftFactory(workstation=workstation, date=today, theme="今天的值班")
    DutyAssignmentFactory(shift=own, member=member)
    far = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=55), theme="第八周")
    DutyAssignmentFactory(shift=far, member=member)
    beyond = DutyShiftFactory(
        workstation=workstation, date=today + timedelta(days=56), theme="太远"
    )
    DutyAssignmentFactory(shift=beyond, member=member)
    past = DutyShiftFactory(workstation=workstation, date=today - timedelta(days=1), theme="昨天")
    DutyAssignmentFactory(shift=past, member=member)
    left = DutyShiftFactory(workstation=workstation, date=today + timedelta(days=3), theme="请假了")
    DutyAssignmentFactory(
        shift=left,
        member=member,
        attendance=Attendance.SUBSTITUTED,
        substitute=MemberFactory(name="代班的人"),
    )
    covering = DutyShiftFactory(
        workstation=other_workstation, date=today + timedelta(days=4), theme="替人顶班"
    )
    DutyAssignmentFactory(
        shift=covering,
        member=MemberFactory(name="请假的人"),
        attendance=Attendance.SUBSTITUTED,
        substitute=member,
    )

    response = anonymous.get(reverse("public:member", args=[member.pk]))

    assert response.status_code == 200
    html = text(response)
    for shown in (
        "张明德",
        "法律界",
        "法制组",
        "陕西某律师事务所",
        "主任律师",
        "长期从事民事法律援助。",
    ):
        assert shown in html
    assert "每月第一个周三上午" in html
    assert "029-88886666" in html
    assert f'href="{reverse("public:workstation", args=[workstation.slug])}"' in html
    assert 'src="/media/members/zhang.jpg"' in html
    assert "今天的值班" in html
    assert "第八周" in html
    assert "替人顶班" in html
    assert other_workstation.name in html
    for hidden in ("太远", "昨天", "请假了"):
        assert hidden not in html


def test_a_member_page_never_shows_the_calendar_token_or_the_login(
    anonymous, published_member, login
):
    html = text(anonymous.get(reverse("public:member", args=[published_member.pk])))

    assert published_member.calendar_token not in html
    assert "calendar/member" not in html
    assert login.username not in html
    assert login.email not in html


@pytest.mark.parametrize(
    "fields",
    [{"is_published": False}, {"is_active": False}, {"is_published": False, "is_active": False}],
)
def test_an_unpublished_or_inactive_member_is_not_found(anonymous, workstation, fields):
    member = MemberFactory(home_workstation=workstation, **{"is_published": True, **fields})

    response = anonymous.get(reverse("public:member", args=[member.pk]))

    assert response.status_code == 404


def test_an_unknown_member_is_not_found(anonymous, db):
    assert anonymous.get(reverse("public:member", args=[999999])).status_code == 404


# --- everyone, the page cache, the headers -------------------------------------------


@pytest.fixture
def pages(column_world, published_member, workstation):
    """Each public page with something it must show."""
    return [
        (reverse("public:column"), workstation.street),
        (reverse("public:duty"), "张律师"),
        (reverse("public:workstations"), "西一路180号"),
        (reverse("public:workstation", args=[workstation.slug]), published_member.name),
        (reverse("public:member", args=[published_member.pk]), "029-88886666"),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_signed_in_people_get_the_public_pages_but_never_from_the_page_cache(
    request, persona, pages, anonymous, signed_in
):
    client = signed_in(request.getfixturevalue(persona))
    for url, content in pages:
        assert anonymous.get(url)["X-Page-Cache"] == "miss"

        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200
            assert content in text(response)
            assert "X-Page-Cache" not in response


def test_a_second_anonymous_visit_is_served_from_the_page_cache_in_one_query(
    pages, anonymous, django_assert_num_queries
):
    for url, content in pages:
        first = anonymous.get(url)
        with django_assert_num_queries(1):  # the page's row in the cache table
            second = anonymous.get(url)

        assert first["X-Page-Cache"] == "miss"
        assert second["X-Page-Cache"] == "hit"
        assert second.content == first.content
        assert content in text(second)


def test_every_public_page_sends_the_security_headers(pages, anonymous):
    for url, _content in pages:
        for response in (anonymous.get(url), anonymous.get(url)):  # a miss, then a hit
            policy = response["Content-Security-Policy"]
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
            assert "'unsafe-inline'" not in directives["script-src"]
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Referrer-Policy"] == "same-origin"
            assert response["X-Frame-Options"] == "DENY"


def test_the_public_pages_refuse_posts(pages, anonymous):
    for url, _content in pages:
        assert anonymous.post(url).status_code == 405


def test_care_mode_marks_the_page_for_large_type(anonymous, db):
    anonymous.cookies["care_mode"] = "1"

    html = text(anonymous.get(reverse("public:column")))

    assert 'class="public care"' in html


def test_no_page_shows_a_visitors_personal_information_or_a_calendar_token(
    pages, anonymous, workstation, working_calendar
):
    answered(workstation, title="公开的事项")
    answered(workstation, consent=False, title="不公开的事项")
    tokens = list(Member.objects.values_list("calendar_token", flat=True))

    for url, _content in pages:
        html = text(anonymous.get(url))
        for private in (VISITOR_NAME, VISITOR_PHONE, VISITOR_ADDRESS, "反映的详细情况"):
            assert private not in html
        assert not any(token in html for token in tokens)


# --- query counts: constant whatever the number of rows ---------------------------------


def seed_roster(monday, workstations: int, shifts: int) -> list:
    """Workstations with `shifts` shifts this week, two people on each (one substituted),
    every member published, and a published case at each."""
    group = ActivityGroupFactory(name="法制组")
    places = []
    for w in range(workstations):
        place = WorkstationFactory(ordering=w)
        for s in range(shifts):
            shift = DutyShiftFactory(
                workstation=place,
                date=monday + timedelta(days=s % 7),
                starts_at=time(8 + s // 7 * 6),
                ends_at=time(11 + s // 7 * 6),
                holding_group=group,
            )
            DutyAssignmentFactory(
                shift=shift, member=MemberFactory(home_workstation=place, is_published=True)
            )
            DutyAssignmentFactory(
                shift=shift,
                member=MemberFactory(home_workstation=place, is_published=True),
                attendance=Attendance.SUBSTITUTED,
                substitute=MemberFactory(home_workstation=place, is_published=True),
            )
        answered(place)
        places.append(place)
    return places


# Storing a page in the database cache: count the rows (to cull), then, in a savepoint,
# look for the key and insert it.
CACHE_SET = 5


@pytest.mark.parametrize(("workstations", "shifts"), [(2, 3), (9, 10)])
def test_the_column_runs_a_fixed_number_of_queries(
    anonymous, monday, workstations, shifts, django_assert_num_queries
):
    seed_roster(monday, workstations, shifts)

    # 1 the page cache: a miss
    # 2 the active workstations
    # 3 their shifts today, with the holding group
    # 4 the people on those shifts, members and substitutes
    # 5 the published cases
    # 6 the year's visits and people received (public.figures.headline)
    # 7 the year's cases by status
    # 8 the year's rates and answers on the spot
    # 9 the year's activities, 10 its proposals (public.figures.participation)
    # 11-15 storing the page in the cache
    with django_assert_num_queries(10 + CACHE_SET):
        response = anonymous.get(reverse("public:column"))

    assert response["X-Page-Cache"] == "miss"


@pytest.mark.parametrize(("workstations", "shifts"), [(2, 3), (9, 10)])
def test_the_workstation_page_runs_a_fixed_number_of_queries(
    anonymous, monday, workstations, shifts, django_assert_num_queries
):
    place = seed_roster(monday, workstations, shifts)[0]

    # 1 the page cache: a miss
    # 2 the workstation
    # 3 its shifts of the four weeks
    # 4 the people on those shifts
    # 5 its published members, with sector and group
    # 6-10 storing the page in the cache
    with django_assert_num_queries(5 + CACHE_SET):
        response = anonymous.get(reverse("public:workstation", args=[place.slug]))

    assert response["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("duties", [2, 10])
def test_the_member_page_runs_a_fixed_number_of_queries(
    anonymous, published_member, today, duties, django_assert_num_queries
):
    for n in range(duties):
        shift = DutyShiftFactory(
            workstation=WorkstationFactory(), date=today + timedelta(days=n), theme=f"第{n}班"
        )
        DutyAssignmentFactory(shift=shift, member=published_member)
        DutyAssignmentFactory(shift=shift, member=MemberFactory(is_published=True))

    # 1 the page cache: a miss
    # 2 the member, with sector, group and home workstation
    # 3 their coming shifts
    # 4 the people on those shifts
    # 5-9 storing the page in the cache
    with django_assert_num_queries(4 + CACHE_SET):
        response = anonymous.get(reverse("public:member", args=[published_member.pk]))

    assert response["X-Page-Cache"] == "miss"
    assert f"第{duties - 1}班" in text(response)


# --- nothing typed renders as markup -----------------------------------------------------


def hostile(tag: str, room: int) -> str:
    """Both payloads around a tag when the column has room for them, else the script
    alone (a varchar(30) cannot hold both, and PostgreSQL enforces the length)."""
    both = f"{SCRIPT}{tag}{SPAM}"
    return both if len(both) <= room else f"{tag}{SCRIPT}"


@pytest.fixture
def hostile_world(today, login, working_calendar):
    sector = SectorFactory(name=hostile("界", 40))
    group = ActivityGroupFactory(name=hostile("组", 40))
    place = WorkstationFactory(
        street=hostile("街", 30),
        name=hostile("站", 60),
        slug="hostile",
        address=hostile("址", 200),
        opening_hours=hostile("时", 100),
        description=hostile("述", 4000),
    )
    member = MemberFactory(
        name=hostile("员", 30),
        sector=sector,
        activity_group=group,
        home_workstation=place,
        employer=hostile("单", 100),
        job_title=hostile("职", 60),
        bio=hostile("介", 4000),
        reception_hours=hostile("接", 100),
        public_contact=hostile("联", 100),
        is_published=True,
        user=login,
    )
    shift = DutyShiftFactory(
        workstation=place, date=today, holding_group=group, theme=hostile("题", 100)
    )
    DutyAssignmentFactory(shift=shift, member=member)
    published(place, summary=hostile("案", 100))
    return place, member, shift


def where(place) -> list[str]:
    """What every public page about a workstation says of where and when it is open."""
    return [place.street, place.name, place.address, place.opening_hours]


def assert_escaped(html: str, values: list[str]) -> None:
    assert "<script" not in html
    assert 'href="http://spam.example"' not in html
    assert ESCAPED_SCRIPT in html
    assert ESCAPED_SPAM in html
    for value in values:
        assert escape(value) in html


def test_markup_typed_into_any_field_is_shown_as_text_on_the_column(anonymous, hostile_world):
    place, member, shift = hostile_world

    html = text(anonymous.get(reverse("public:column")))

    assert_escaped(
        html,
        [
            place.street,
            place.name,
            shift.holding_group.name,
            shift.theme,
            member.name,
            Case.objects.get().public_summary,
        ],
    )


def test_markup_typed_into_any_field_is_shown_as_text_on_the_workstation_page(
    anonymous, hostile_world
):
    place, member, shift = hostile_world

    html = text(anonymous.get(reverse("public:workstation", args=[place.slug])))

    assert_escaped(
        html,
        [
            *where(place),
            place.description,
            shift.holding_group.name,
            shift.theme,
            member.name,
            member.sector.name,
        ],
    )


def test_markup_typed_into_any_field_is_shown_as_text_on_the_member_page(anonymous, hostile_world):
    place, member, shift = hostile_world

    html = text(anonymous.get(reverse("public:member", args=[member.pk])))

    assert_escaped(
        html,
        [
            member.name,
            member.bio,
            member.reception_hours,
            member.public_contact,
            member.employer,
            member.job_title,
            member.sector.name,
            member.activity_group.name,
            place.name,
            shift.theme,
        ],
    )
    assert member.calendar_token not in html


def test_the_column_shows_cases_by_status_and_the_average_days_to_close(
    anonymous, workstation, working_calendar, today, time_machine
):
    # The column counts this year's cases: mid-June, four days ago is this year on any day.
    time_machine.move_to(timezone.make_aware(datetime(today.year, 6, 15, 10)), tick=False)
    opened = timezone.now() - timedelta(days=4)
    published(workstation, summary="已办结的事项", now=opened)  # resolved at once: 0 days
    case = open_case(visit=visit(workstation, consent=False), now=opened)
    lifecycle.case_resolve(case=case, actor=None, note="已处理")
    open_case(visit=visit(workstation, consent=False))

    html = text(anonymous.get(reverse("public:column")))

    assert "Resolved <strong>2</strong>" in html and "Registered <strong>1</strong>" in html
    assert "Average days to close</dt><dd>2.0</dd>" in html
