"""Django admin, as the district administrator uses it (is_staff, in the administrators'
group, not a superuser): every registered ModelAdmin, and the rules admin must keep."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activities.lifecycle import proposal_submit
from activities.models import Activity, Proposal, ProposalEvent
from audit.models import AuditEntry
from members.models import ActivityGroup, Member, Sector
from notices.models import Channel, MessageTemplate, NoticeEvent, Notification, WechatFollower
from points import ledger
from points.models import GradeBand, PointEntry, PointQuery, PointRule, ScoringYear
from privacy.lifecycle import request_record
from privacy.models import DataRequest
from rosters.models import DutyAssignment, DutyChange, DutyShift
from tests.signing import force_login
from visits.admin import CaseAdmin
from visits.lifecycle import (
    allocate_numbers,
    case_consult,
    case_note,
    case_refer,
    referral_reply,
)
from visits.models import (
    Case,
    CaseEvent,
    CaseNumberSequence,
    Extension,
    Referral,
    Supervision,
    TimeLimit,
    Visit,
)
from workdays.models import CalendarYear, SpecialDay
from workstations import roles
from workstations.models import Department, Workstation

from .admin_pages import add_visit
from .admin_pages import admin_url as _url
from .admin_pages import management_data as _management_data
from .factories import (
    ActivityGroupFactory,
    DepartmentFactory,
    DutyAssignmentFactory,
    DutyShiftFactory,
    MemberFactory,
    SectorFactory,
    UserFactory,
    VisitFactory,
    WorkstationFactory,
    open_case,
)

User = get_user_model()
REGISTERED = list(admin.site._registry)
# Written only by the lifecycle or the audit trail: never added, changed or deleted here.
READ_ONLY = {
    Referral, CaseEvent, CaseNumberSequence, AuditEntry, DutyChange, PointEntry, ProposalEvent,
    Extension, Supervision, Notification,
}  # fmt: skip
# Login records are written by django-axes; deleting an attempt is how a lockout is lifted.
# A member asks a query from their report card; the office only answers it here.
NOT_ADDABLE = READ_ONLY | {AccessAttempt, AccessLog, AccessFailureLog, PointQuery}
SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED_AT = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)


def _label(model: type[Model]) -> str:
    return model._meta.label


def _translated(response, message: str) -> str:
    """`message` in the language the response was rendered in."""
    with translation.override(response["Content-Language"]):
        return translation.gettext(message)


# The models of the other two duties of administration (三员), each seen by its holder.
SECURITY_RECORDS = {AccessAttempt, AccessLog, AccessFailureLog}
KEPT_BY = {AuditEntry: "auditor"} | dict.fromkeys(SECURITY_RECORDS, "security_administrator")


@pytest.fixture
def admin_client(client, request):
    """Signed in as whoever keeps the test's `model` in admin: the district
    administrator, or for the security records and the audit log the other two duties."""
    params = getattr(request.node, "callspec", None)
    model = params.params.get("model") if params else None
    keeper = request.getfixturevalue(KEPT_BY.get(model, "administrator"))
    assert not keeper.is_superuser
    force_login(client, keeper)
    return client


# --- one row of every model ----------------------------------------------------------


@dataclass
class Seeded:
    row: Model
    listed: list[str]  # shown on the changelist
    shown: list[str]  # shown on the change page


@pytest.fixture
def seeded(administrator, staff, workstation, member_user) -> dict[type[Model], Seeded]:
    group = Group.objects.create(name="书香政协志愿者")
    department = DepartmentFactory(name="区住建局", contact_name="张科长")
    sector = SectorFactory(name="民盟")
    activity_group = ActivityGroupFactory(name="教育文化组", description="书香政协阅读活动")
    member = Member.objects.get(user=member_user)
    shift = DutyShiftFactory(
        workstation=workstation, date=date(2026, 12, 1), theme="法律咨询轮值日"
    )
    assignment = DutyAssignmentFactory(shift=shift, member=member, note="准时到岗")
    visit = VisitFactory(
        workstation=workstation,
        visitor_name="王小明",
        visitor_phone="13812345678",
        summary="反映小区物业公司长期不维修电梯",
    )
    case = open_case(visit=visit, actor=staff, now=OPENED_AT, title="小区电梯长期停运")
    referral = case_refer(
        case=case,
        actor=staff,
        department=department,
        due_on=date(2026, 11, 20),
        now=OPENED_AT + timedelta(days=1),
    )
    referral = referral_reply(
        referral=referral,
        actor=staff,
        reply="已责成物业公司五日内修复电梯",
        now=OPENED_AT + timedelta(days=3),
    )
    case.refresh_from_db()
    case_note(
        case=case, actor=staff, note="已电话告知居民答复内容", now=OPENED_AT + timedelta(days=4)
    )
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.NOTE)
    allocate_numbers(2025, 2718)
    sequence = CaseNumberSequence.objects.get(year=2025)
    extension = Extension.objects.create(
        referral=referral,
        due_on=date(2026, 11, 27),
        previous_due_on=referral.due_on,
        reason="需要会同街道现场勘察",
        requested_by=staff,
        state=Extension.State.REFUSED,
    )
    supervision = Supervision.objects.create(
        case=case,
        referral=referral,
        level=Supervision.Level.PRIORITY,
        due_on=date(2026, 11, 30),
        note="请于三个工作日内说明未签收原因",
        opened_by=administrator,
    )
    template = MessageTemplate.objects.get(event=NoticeEvent.DUTY_TOMORROW, channel=Channel.INBOX)
    notification = Notification.objects.create(
        key="seeded", event=NoticeEvent.DUTY_TOMORROW, channel=Channel.SMS, address="13812345678"
    )
    follower = WechatFollower.objects.create(user=member_user, openid="oWx1234567890abcdefXYZ")
    time_limit = TimeLimit.objects.create(
        year=2031, step=TimeLimit.Step.REPLY, category=Case.Category.FIRE_SAFETY, working_days=7
    )
    calendar_year = CalendarYear.objects.create(year=2031, source="区政协办公室录入")
    special_day = SpecialDay.objects.create(
        date=date(2031, 10, 8), kind=SpecialDay.Kind.HOLIDAY, name="国庆节补休"
    )
    duty_change = DutyChange.objects.create(
        assignment=assignment, kind=DutyChange.Kind.ATTENDANCE, by=staff, detail="到岗签到"
    )
    audit_entry = AuditEntry.objects.create(
        user=staff, ip_address="10.1.2.3", action=AuditEntry.Action.REVEAL, target=case.number
    )
    attempt = AccessAttempt.objects.create(
        username="guesser", ip_address="10.9.9.9", failures_since_start=3
    )
    access_log = AccessLog.objects.create(username="liaison", ip_address="10.1.2.4")
    failure = AccessFailureLog.objects.create(username="guesser", ip_address="10.9.9.8")
    activity = Activity.objects.create(
        kind=Activity.Kind.COMMUNITY_VISIT, title="委员进社区听民意", date=date(2026, 11, 3),
        organiser=staff,
    )  # fmt: skip
    activity.workstations.add(workstation)
    activity.participants.add(member)
    proposal = proposal_submit(
        proposal=Proposal.objects.create(title="关于电梯改造的提案", lead=member),
        actor=administrator, note="区政协提案委收件",
        now=timezone.make_aware(datetime(2026, 11, 5, 9)),
    )  # fmt: skip
    proposal_event = proposal.events.get()
    proposal.cases.add(case)
    scoring_year = ScoringYear.objects.create(year=2026)
    PointRule.objects.create(scoring_year=scoring_year, category="proposal_filed", points=5)
    GradeBand.objects.create(scoring_year=scoring_year, grade="excellent", min_points=60)
    ledger.sync({Proposal: [proposal.pk]})
    entry = PointEntry.objects.get()
    query = PointQuery.objects.create(entry=entry, asked_by=member_user, text="提案得分有误吗")
    data_request = request_record(
        data_request=DataRequest(kind="access", phone="13812345678", asked="查阅本人来访记录")
    )
    return {
        Activity: Seeded(activity, ["委员进社区听民意"], ['value="委员进社区听民意"']),
        Proposal: Seeded(proposal, ["关于电梯改造的提案", "李委员"], [case.number]),
        ProposalEvent: Seeded(proposal_event, ["关于电梯改造的提案"], ["区政协提案委收件"]),
        ScoringYear: Seeded(scoring_year, ["2026"], ['value="5.00"', 'value="60.00"']),
        PointEntry: Seeded(entry, ["李委员", "5.00"], ["李委员", "5.00"]),
        PointQuery: Seeded(query, ["提案得分有误吗"], ["提案得分有误吗"]),
        DataRequest: Seeded(data_request, ["138****5678"], ["138****5678", "查阅本人来访记录"]),
        AuditEntry: Seeded(audit_entry, ["10.1.2.3", case.number], ["10.1.2.3", case.number]),
        DutyChange: Seeded(duty_change, ["到岗签到"], ["到岗签到"]),
        AccessAttempt: Seeded(attempt, ["guesser", "10.9.9.9"], ["guesser", "10.9.9.9"]),
        AccessLog: Seeded(access_log, ["10.1.2.4"], ["10.1.2.4"]),
        AccessFailureLog: Seeded(failure, ["10.9.9.8"], ["10.9.9.8"]),
        Group: Seeded(group, ["书香政协志愿者"], ['value="书香政协志愿者"']),
        User: Seeded(staff, [">liaison<"], ['value="liaison"', "西一路街道委员工作室"]),
        Workstation: Seeded(
            workstation, ["西一路街道委员工作室"], ['value="西一路街道委员工作室"']
        ),
        Department: Seeded(
            department, ["区住建局", "张科长"], ['value="区住建局"', 'value="张科长"']
        ),
        Sector: Seeded(sector, ["民盟"], ['value="民盟"']),
        ActivityGroup: Seeded(
            activity_group, ["教育文化组", "书香政协阅读活动"], ["书香政协阅读活动</textarea>"]
        ),
        Member: Seeded(member, ["李委员", "西一路街道委员工作室"], ['value="李委员"']),
        DutyShift: Seeded(shift, ["法律咨询轮值日"], ['value="法律咨询轮值日"', "李委员"]),
        DutyAssignment: Seeded(
            assignment, ["李委员", "西一路街道委员工作室"], ['value="准时到岗"']
        ),
        Visit: Seeded(
            visit,
            ["王**", "138****5678"],
            ["反映小区物业公司长期不维修电梯</textarea>", case.number],
        ),
        Case: Seeded(
            case,
            [case.number, "小区电梯长期停运"],
            [case.number, "小区电梯长期停运", "区住建局", "已电话告知居民答复内容"],
        ),
        Referral: Seeded(referral, [case.number, "区住建局"], ["已责成物业公司五日内修复电梯"]),
        CaseEvent: Seeded(event, [case.number], ["已电话告知居民答复内容"]),
        CaseNumberSequence: Seeded(
            sequence, ["2025", "2718"], ['<div class="readonly">2718</div>']
        ),
        CalendarYear: Seeded(
            calendar_year, ["2031", "区政协办公室录入"], ['value="区政协办公室录入"']
        ),
        SpecialDay: Seeded(special_day, ["国庆节补休"], ['value="国庆节补休"']),
        Extension: Seeded(
            extension, [case.number, "需要会同街道现场勘察"], ["需要会同街道现场勘察"]
        ),
        TimeLimit: Seeded(time_limit, ["2031", "部门答复转办"], ['value="7"']),
        Supervision: Seeded(
            supervision, [case.number, "重点督办"], ["请于三个工作日内说明未签收原因"]
        ),
        MessageTemplate: Seeded(template, ["明日值班提醒"], ["{member}委员"]),
        Notification: Seeded(notification, ["138****5678"], ["138****5678"]),
        WechatFollower: Seeded(
            follower, ["oWx1234567890abcdefXYZ"], ['value="oWx1234567890abcdefXYZ"']
        ),
    }


def test_every_registered_model_admin_has_a_seeded_row(seeded):
    assert set(seeded) == set(REGISTERED)


@pytest.fixture
def on_the_seeded_shifts_day(time_machine):
    """The day of the seeded shift: the shift list opens on the week of today."""
    time_machine.move_to(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI), tick=False)


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_the_changelist_lists_the_seeded_row(on_the_seeded_shifts_day, admin_client, seeded, model):
    expected = seeded[model]

    response = admin_client.get(_url(model, "changelist"))

    assert response.status_code == 200
    assert expected.row in list(response.context["cl"].result_list)
    content = response.content.decode()
    for text in expected.listed:
        assert text in content


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_the_change_page_shows_the_row(admin_client, seeded, model):
    expected = seeded[model]

    response = admin_client.get(_url(model, "change", expected.row.pk))

    assert response.status_code == 200
    assert response.context["original"] == expected.row
    content = response.content.decode()
    for text in expected.shown:
        assert text in content


@pytest.mark.parametrize("model", [m for m in REGISTERED if m not in NOT_ADDABLE], ids=_label)
def test_the_add_page_renders_a_form_with_the_editable_fields(admin_client, model):
    response = admin_client.get(_url(model, "add"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.fields
    content = response.content.decode()
    assert f'id="{model._meta.model_name}_form"' in content
    for name in form.fields:
        # A date-and-time field is posted as two inputs, name_0 and name_1.
        assert re.search(rf'name="{name}(_[01])?"', content)
    assert 'name="_save"' in content


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=_label), ids=_label)
def test_rows_written_by_the_lifecycle_cannot_be_added_in_admin(admin_client, seeded, model):
    before = model.objects.count()

    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.post(_url(model, "add"), {"note": "x", "year": "2030"}).status_code == 403
    assert model.objects.count() == before


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=_label), ids=_label)
def test_rows_written_by_the_lifecycle_are_view_only_in_admin(admin_client, seeded, model):
    row = seeded[model].row

    response = admin_client.get(_url(model, "change", row.pk))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()
    assert admin_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=row.pk).exists()


def _listed_on_the_index(client, user) -> set[type[Model]]:
    force_login(client, user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return {
        apps.get_model(app["app_label"], entry["object_name"])
        for app in response.context["app_list"]
        for entry in app["models"]
    }


def test_the_admin_index_lists_every_registered_model_to_the_one_who_keeps_it(
    client, administrator, security_administrator, auditor
):
    office = _listed_on_the_index(client, administrator)
    security = _listed_on_the_index(client, security_administrator)
    audit = _listed_on_the_index(client, auditor)

    assert office == set(REGISTERED) - SECURITY_RECORDS - {AuditEntry}
    assert security == SECURITY_RECORDS | {AuditEntry, User}
    assert audit == {AuditEntry}


# --- cases ----------------------------------------------------------------------------


def test_adding_a_case_in_admin_opens_it_with_a_tracking_number_and_a_registered_event(
    admin_client, administrator, workstation, member_user
):
    visit = VisitFactory(workstation=workstation)
    member = Member.objects.get(user=member_user)
    add_page = admin_client.get(_url(Case, "add"))

    response = admin_client.post(
        _url(Case, "add"),
        {
            "title": "楼道堆放杂物",
            "description": "居民反映楼道堆放杂物，存在消防隐患",
            "category": Case.Category.FIRE_SAFETY,
            "workstation": workstation.pk,
            "visit": visit.pk,
            "handling_members": [member.pk],
            **_management_data(add_page),
        },
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.title == "楼道堆放杂物"
    assert re.fullmatch(rf"XC-{timezone.localdate().year}-\d{{6}}", case.number)
    assert case.status == Case.Status.REGISTERED
    assert list(case.handling_members.all()) == [member]
    assert list(case.events.values_list("kind", "from_status", "to_status", "actor")) == [
        (CaseEvent.Kind.REGISTERED, "", Case.Status.REGISTERED, administrator.pk)
    ]
    assert LogEntry.objects.filter(
        object_id=str(case.pk), action_flag=ADDITION, user=administrator
    ).exists()


def test_two_cases_added_in_admin_get_consecutive_tracking_numbers(admin_client, workstation):
    visit = VisitFactory(workstation=workstation)
    add_page = admin_client.get(_url(Case, "add"))
    for title in ("一号楼漏水", "二号楼漏水"):
        admin_client.post(
            _url(Case, "add"),
            {
                "title": title,
                "category": Case.Category.PROPERTY,
                "workstation": workstation.pk,
                "visit": visit.pk,
                **_management_data(add_page),
            },
        )

    first, second = (Case.objects.get(title=t).number for t in ("一号楼漏水", "二号楼漏水"))
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_a_case_without_a_title_is_refused_and_takes_no_tracking_number(admin_client, workstation):
    visit = VisitFactory(workstation=workstation)
    add_page = admin_client.get(_url(Case, "add"))

    response = admin_client.post(
        _url(Case, "add"),
        {
            "title": "",
            "category": Case.Category.PROPERTY,
            "workstation": workstation.pk,
            "visit": visit.pk,
            **_management_data(add_page),
        },
    )

    assert response.status_code == 200
    assert "title" in response.context["adminform"].form.errors
    assert not Case.objects.exists()
    assert not CaseNumberSequence.objects.exists()


def test_a_saved_case_is_corrected_on_its_case_page_not_in_admin(
    admin_client, workstation, other_workstation
):
    case = open_case(workstation=workstation, now=OPENED_AT)
    elsewhere = open_case(workstation=other_workstation, now=OPENED_AT)
    change_page = admin_client.get(_url(Case, "change", case.pk))
    assert f'href="/cases/{case.number}/"' in change_page.content.decode()

    response = admin_client.post(
        _url(Case, "change", case.pk),
        {
            "title": "小区物业不作为（更正）",
            "category": Case.Category.FIRE_SAFETY,
            "workstation": other_workstation.pk,
            "visit": elsewhere.visit.pk,
            "public_summary": "物业已整改到位",
            **_management_data(change_page),
        },
    )

    assert response.status_code == 302
    changed = Case.objects.get(pk=case.pk)
    # Only the summary for publication is the office's to word here; a transfer, another
    # visit or a new title would bypass the lifecycle and leave no event.
    assert changed.public_summary == "物业已整改到位"
    assert (changed.title, changed.category) == (case.title, case.category)
    assert (changed.workstation_id, changed.visit_id) == (workstation.pk, case.visit_id)
    assert (changed.number, changed.status) == (case.number, Case.Status.REGISTERED)
    assert changed.events.count() == 1


def test_cases_cannot_be_deleted_in_admin(admin_client, workstation):
    case = open_case(workstation=workstation)

    response = admin_client.post(_url(Case, "delete", case.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


# --- duty rosters ---------------------------------------------------------------------


def _shift_data(workstation, **fields) -> dict[str, str]:
    data = {
        "workstation": str(workstation.pk),
        "date": "2026-12-01",
        "starts_at": "09:00",
        "ends_at": "12:00",
        "holding_group": "",
        "theme": "法律咨询",
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize(("starts_at", "ends_at"), [("14:00", "09:00"), ("09:00", "09:00")])
def test_a_duty_shift_ending_before_it_starts_is_refused_next_to_the_field(
    admin_client, workstation, starts_at, ends_at
):
    response = admin_client.post(
        _url(DutyShift, "add"), _shift_data(workstation, starts_at=starts_at, ends_at=ends_at)
    )

    assert response.status_code == 200
    message = _translated(response, "A shift must end after it starts.")
    form = response.context["adminform"].form
    assert form.errors == {"ends_at": [message]}
    assert re.search(
        r'<div class="form-row errors field-ends_at">\s*'
        rf'<ul class="errorlist" id="id_ends_at_error"><li>{re.escape(message)}</li></ul>',
        response.content.decode(),
    )
    assert not DutyShift.objects.exists()


def test_a_duty_shift_that_ends_after_it_starts_is_saved(admin_client, workstation):
    response = admin_client.post(_url(DutyShift, "add"), _shift_data(workstation))

    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert (shift.workstation, shift.date, shift.theme) == (
        workstation,
        date(2026, 12, 1),
        "法律咨询",
    )


def _assignment_rows(*members, start: int = 0) -> dict[str, str]:
    data = {}
    for n, member in enumerate(members, start=start):
        data |= {
            f"assignments-{n}-member": str(member.pk),
            f"assignments-{n}-attendance": DutyAssignment.Attendance.SCHEDULED,
            f"assignments-{n}-substitute": "",
            f"assignments-{n}-note": "",
        }
    return data


def _duplicate_member_message(response) -> str:
    return _translated(response, "Please correct the duplicate data for %(field)s.") % {
        "field": "member"
    }


def test_the_duty_shift_inline_refuses_the_same_member_twice(admin_client, workstation):
    member = MemberFactory(home_workstation=workstation)

    response = admin_client.post(
        _url(DutyShift, "add"),
        _shift_data(workstation, **{"assignments-TOTAL_FORMS": "2"})
        | _assignment_rows(member, member),
    )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    message = _duplicate_member_message(response)
    assert formset.non_form_errors() == [message]
    assert formset.errors[0] == {}
    assert formset.errors[1] == {
        "__all__": [_translated(response, "Please correct the duplicate values below.")]
    }
    assert message in response.content.decode()
    assert not DutyShift.objects.exists()
    assert not DutyAssignment.objects.exists()


def test_the_duty_shift_inline_refuses_a_member_already_on_the_shift(admin_client, workstation):
    shift = DutyShiftFactory(workstation=workstation)
    first = DutyAssignmentFactory(shift=shift, member__home_workstation=workstation)

    response = admin_client.post(
        _url(DutyShift, "change", shift.pk),
        _shift_data(
            workstation,
            date=f"{shift.date:%Y-%m-%d}",
            **{"assignments-TOTAL_FORMS": "2", "assignments-INITIAL_FORMS": "1"},
        )
        | _assignment_rows(first.member)
        | {"assignments-0-id": str(first.pk), "assignments-0-shift": str(shift.pk)}
        | _assignment_rows(first.member, start=1),
    )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == [_duplicate_member_message(response)]
    assert list(shift.assignments.values_list("member", flat=True)) == [first.member.pk]


def test_the_duty_shift_inline_saves_two_different_members(admin_client, workstation):
    first, second = MemberFactory.create_batch(2, home_workstation=workstation)

    response = admin_client.post(
        _url(DutyShift, "add"),
        _shift_data(workstation, **{"assignments-TOTAL_FORMS": "2"})
        | _assignment_rows(first, second),
    )

    assert response.status_code == 302
    shift = DutyShift.objects.get()
    assert set(shift.members.all()) == {first, second}


# --- personal information -------------------------------------------------------------


def test_the_visit_changelist_masks_the_visitors_phone_and_name(admin_client, workstation):
    VisitFactory(workstation=workstation, visitor_name="王小明", visitor_phone="13812345678")

    response = admin_client.get(_url(Visit, "changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "138****5678" in content
    assert "13812345678" not in content
    assert "王**" in content
    assert "王小明" not in content


def test_a_visit_added_in_admin_records_who_logged_it(admin_client, administrator, workstation):
    response = add_visit(admin_client, workstation)

    assert response.status_code == 302
    visit = Visit.objects.get()
    assert visit.created_by == administrator
    assert visit.visitor_phone == "13900001111"


# --- who may enter --------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "other_staff", "member_user"])
@pytest.mark.parametrize("path", ["admin:index", "admin:visits_visit_changelist"])
def test_people_who_are_not_is_staff_are_sent_to_the_admin_login(client, request, persona, path):
    user = request.getfixturevalue(persona)
    assert not user.is_staff
    force_login(client, user)
    url = reverse(path)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_anonymous_visitors_are_sent_to_the_admin_login(client, db):
    url = _url(Visit, "changelist")

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_an_is_staff_user_without_a_role_is_sent_to_the_admin_login(client, workstation):
    VisitFactory(workstation=workstation)
    force_login(client, UserFactory(username="clerk", is_staff=True))

    for url in (_url(Visit, "changelist"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('admin:login')}?next={url}"


# --- query counts ---------------------------------------------------------------------


def _make_visits(n: int) -> None:
    VisitFactory.create_batch(n)


def _make_cases(n: int) -> list[Case]:
    return [open_case(actor=UserFactory()) for _ in range(n)]


def _make_referrals(n: int) -> None:
    for case in _make_cases(n):
        case_refer(
            case=case,
            actor=None,
            department=DepartmentFactory(),
            due_on=timezone.localdate() + timedelta(days=15),
        )


def _make_extensions(n: int) -> None:
    for case in _make_cases(n):
        referral = case_refer(
            case=case,
            actor=None,
            department=DepartmentFactory(),
            due_on=timezone.localdate() + timedelta(days=15),
        )
        Extension.objects.create(
            referral=referral,
            due_on=referral.due_on + timedelta(days=7),
            previous_due_on=referral.due_on,
            reason="需要现场勘察",
            requested_by=UserFactory(),
        )


def _make_supervisions(n: int) -> None:
    office = UserFactory(role=roles.ADMINISTRATORS)
    for case in _make_cases(n):
        Supervision.objects.create(
            case=case,
            due_on=timezone.localdate() + timedelta(days=5),
            note="请尽快办理",
            opened_by=office,
        )


def _make_sequences(n: int) -> None:
    next_year = 2000 + CaseNumberSequence.objects.filter(year__lt=2100).count()
    for year in range(next_year, next_year + n):
        allocate_numbers(year)


def _make_calendar_years(n: int) -> None:
    first = 2040 + CalendarYear.objects.count()
    CalendarYear.objects.bulk_create(CalendarYear(year=y) for y in range(first, first + n))


def _make_special_days(n: int) -> None:
    first = date(2040, 1, 1) + timedelta(days=SpecialDay.objects.count())
    SpecialDay.objects.bulk_create(
        SpecialDay(date=first + timedelta(days=i), kind=SpecialDay.Kind.HOLIDAY) for i in range(n)
    )


def _make_groups(n: int) -> None:
    start = Group.objects.count()
    Group.objects.bulk_create(Group(name=f"小组{start + i}") for i in range(n))


def _make_audit_entries(n: int) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(action=AuditEntry.Action.REVEAL, target=f"XC-2026-{i:06d}") for i in range(n)
    )


def _make_access_attempts(n: int) -> None:
    start = AccessAttempt.objects.count()
    AccessAttempt.objects.bulk_create(
        AccessAttempt(username=f"guess{start + i}", ip_address="10.0.0.1", failures_since_start=1)
        for i in range(n)
    )


def _make_access_logs(n: int) -> None:
    AccessLog.objects.bulk_create(
        AccessLog(username=f"user{i}", ip_address="10.0.0.2") for i in range(n)
    )


def _make_access_failures(n: int) -> None:
    AccessFailureLog.objects.bulk_create(
        AccessFailureLog(username=f"guess{i}", ip_address="10.0.0.3") for i in range(n)
    )


def _make_point_entries(n: int) -> list[PointEntry]:
    year, _ = ScoringYear.objects.get_or_create(year=2049)
    rule, _ = PointRule.objects.get_or_create(
        scoring_year=year, category="activity", defaults={"points": 2}
    )
    activity_type = ContentType.objects.get_for_model(Activity)
    return PointEntry.objects.bulk_create(
        PointEntry(
            member=MemberFactory(),
            year=2049,
            category="activity",
            points=2,
            rule=rule,
            rule_version=1,
            source_type=activity_type,
            source_id=i,
            occurred_on=date(2049, 1, 1),
        )
        for i in range(n)
    )


def _make_duty_changes(n: int) -> None:
    DutyChange.objects.bulk_create(
        DutyChange(assignment=assignment, kind=DutyChange.Kind.ATTENDANCE)
        for assignment in DutyAssignmentFactory.create_batch(n)
    )


# The changelists with a column naming users as people (workstations.people).
# A model with few rows by nature: one template per event and channel.
ROW_COUNTS = {MessageTemplate: (2, 8)}


def _make_templates(n: int) -> None:
    taken = set(MessageTemplate.objects.values_list("event", "channel"))
    free = [
        (event, channel)
        for event in NoticeEvent.values
        for channel in Channel.values
        if (event, channel) not in taken
    ]
    MessageTemplate.objects.bulk_create(
        MessageTemplate(event=event, channel=channel, body="{number}")
        for event, channel in free[:n]
    )


def _make_notifications(n: int) -> None:
    user = UserFactory()
    Notification.objects.bulk_create(
        Notification(
            key=f"admin:{Notification.objects.count()}:{i}",
            event=NoticeEvent.REFERRAL_SENT,
            channel=Channel.INBOX,
            user=user,
            subject="新转办件",
        )
        for i in range(n)
    )


NAMES_PEOPLE = {CaseEvent, Activity, ProposalEvent, DutyChange, Extension, Supervision}

ROW_MAKERS: dict[type[Model], Callable[[int], object]] = {
    DutyChange: _make_duty_changes,
    AuditEntry: _make_audit_entries,
    AccessAttempt: _make_access_attempts,
    AccessLog: _make_access_logs,
    AccessFailureLog: _make_access_failures,
    Group: _make_groups,
    User: lambda n: UserFactory.create_batch(n, role=roles.STAFF),
    Workstation: WorkstationFactory.create_batch,
    Department: DepartmentFactory.create_batch,
    Sector: lambda n: [SectorFactory(name=f"界别{Sector.objects.count()}") for _ in range(n)],
    ActivityGroup: lambda n: [
        ActivityGroupFactory(name=f"活动组{ActivityGroup.objects.count()}") for _ in range(n)
    ],
    Member: lambda n: [
        MemberFactory(sector=SectorFactory(name=f"界别{Sector.objects.count()}")) for _ in range(n)
    ],
    DutyShift: DutyShiftFactory.create_batch,
    DutyAssignment: lambda n: DutyAssignmentFactory.create_batch(
        n, attendance=DutyAssignment.Attendance.SUBSTITUTED, substitute=MemberFactory()
    ),
    Visit: _make_visits,
    Case: _make_cases,
    Referral: _make_referrals,
    CaseEvent: _make_cases,  # each case opens with its 'registered' event
    CaseNumberSequence: _make_sequences,
    Extension: _make_extensions,
    Supervision: _make_supervisions,
    MessageTemplate: _make_templates,
    Notification: _make_notifications,
    WechatFollower: lambda n: WechatFollower.objects.bulk_create(
        WechatFollower(user=user, openid=f"oWx{user.pk:020d}")
        for user in UserFactory.create_batch(n)
    ),
    TimeLimit: lambda n: TimeLimit.objects.bulk_create(
        TimeLimit(year=2050 + TimeLimit.objects.count() + i, step="reply", working_days=15)
        for i in range(n)
    ),
    CalendarYear: _make_calendar_years,
    SpecialDay: _make_special_days,
    Activity: lambda n: [
        Activity.objects.create(
            kind="micro", title=f"协商{i}", date=date(2026, 1, 1), organiser=UserFactory()
        )
        for i in range(n)
    ],
    Proposal: lambda n: [
        Proposal.objects.create(title=f"提案{i}", lead=MemberFactory()) for i in range(n)
    ],
    ProposalEvent: lambda n: [
        proposal_submit(proposal=p, actor=None) for p in ROW_MAKERS[Proposal](n)
    ],
    ScoringYear: lambda n: ScoringYear.objects.bulk_create(
        ScoringYear(year=2050 + ScoringYear.objects.count() + i) for i in range(n)
    ),
    PointEntry: lambda n: _make_point_entries(n),
    PointQuery: lambda n: PointQuery.objects.bulk_create(
        PointQuery(entry=entry, asked_by=entry.member.user or UserFactory(), text="?")
        for entry in _make_point_entries(n)
    ),
    DataRequest: lambda n: DataRequest.objects.bulk_create(
        DataRequest(kind="access", phone=f"138{i:08d}", asked="?", handled_by=UserFactory())
        for i in range(n)
    ),
}


def test_every_registered_model_admin_has_a_row_maker():
    assert set(ROW_MAKERS) == set(REGISTERED)


def _changelist_queries(client, model: type[Model]) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(model, "changelist"))
    assert response.status_code == 200
    return len(queries), response.context["cl"].result_count


@pytest.mark.parametrize("model", REGISTERED, ids=_label)
def test_the_changelist_runs_as_many_queries_for_30_rows_as_for_5(admin_client, model):
    make = ROW_MAKERS[model]
    few_rows, more_rows = ROW_COUNTS.get(model, (5, 25))
    existing = model.objects.count()
    make(few_rows)
    admin_client.get(_url(model, "changelist"))  # warm the content-type and session caches
    few, shown = _changelist_queries(admin_client, model)
    assert shown == existing + few_rows

    make(more_rows)
    many, shown = _changelist_queries(admin_client, model)

    assert shown == existing + few_rows + more_rows
    assert many == few
    # Session (read and, for the idle timeout, saved), user, role, permissions, counts,
    # rows and filters: a handful, never one per row; the shift list reads its members
    # on duty in one more, a list that names people their groups and units in a few more.
    assert few <= 15 + (model is DutyShift) + (model in NAMES_PEOPLE)


def test_saving_a_case_in_admin_does_not_undo_a_transition_made_meanwhile(
    admin_client, staff, workstation
):
    case = open_case(workstation=workstation, now=OPENED_AT)
    change_page = admin_client.get(_url(Case, "change", case.pk))
    original_save_form = CaseAdmin.save_form

    def consult_meanwhile(self, request, form, change):
        # Staff hold a consultation after admin read the case and before it saves it.
        case_consult(case=Case.objects.get(pk=case.pk), actor=staff, note="社区微协商")
        return original_save_form(self, request, form, change)

    with mock.patch.object(CaseAdmin, "save_form", consult_meanwhile):
        response = admin_client.post(
            _url(Case, "change", case.pk),
            {"public_summary": "物业已整改到位", **_management_data(change_page)},
        )

    assert response.status_code == 302
    saved = Case.objects.get(pk=case.pk)
    assert saved.public_summary == "物业已整改到位"
    assert saved.status == Case.Status.CONSULTING
    assert saved.events.last().to_status == saved.status


def test_editing_a_visit_that_has_cases_keeps_the_cases(admin_client, workstation):
    case = open_case(workstation=workstation, now=OPENED_AT)
    visit = case.visit
    change_page = admin_client.get(_url(Visit, "change", visit.pk))
    assert case.number in change_page.content.decode()

    response = admin_client.post(
        _url(Visit, "change", visit.pk),
        {
            "workstation": workstation.pk,
            "visited_at_0": "2026-11-02",
            "visited_at_1": "09:30:00",
            "channel": Visit.Channel.PHONE,
            "visitor_name": visit.visitor_name,
            "visitor_phone": visit.visitor_phone,
            "visitor_count": "2",
            "summary": "补充：涉及三栋楼",
            **_management_data(change_page),
        },
    )

    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.channel, visit.visitor_count, visit.summary) == (
        Visit.Channel.PHONE,
        2,
        "补充：涉及三栋楼",
    )
    assert list(visit.cases.values_list("number", "status")) == [
        (case.number, Case.Status.REGISTERED)
    ]
