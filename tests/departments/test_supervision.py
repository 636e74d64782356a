"""Supervision (督办): the office's list of late work, the 督办单 it opens on a late
referral or a late case step, and the answer of the supervised — a department on its
referral's page, a workstation on the case page. Refusals change nothing. Every role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from visits import lifecycle
from visits.models import CaseEvent, EventKind, ReferralRole, Supervision
from workdays.calendar import add_working_days, is_working_day

from ..pages import errors_next_to, html, login_redirect, queries_for, section

LIST = "/office/supervision/"
NOTE = "请于三个工作日内说明未签收原因并答复居民"
ANSWER = "已安排专人上门核查，本周内答复"


@pytest.fixture
def long_ago():
    return timezone.now() - timedelta(days=40)


@pytest.fixture
def late_referred(world, workstation, long_ago):
    return world.referred(workstation, at=long_ago, title="电梯停运三周")


@pytest.fixture
def late_lead(late_referred):
    return late_referred.referrals.get(role=ReferralRole.LEAD)


@pytest.fixture
def late_registered(world, workstation, long_ago):
    return world.registered(workstation, at=long_ago, title="楼道堆物无人清理")


@pytest.fixture
def in_time(world, workstation):
    return world.referred(workstation, title="路灯不亮")


def answer_by() -> str:
    return add_working_days(timezone.localdate(), 3).isoformat()


def open_on_referral(client, referral, **fields):
    data = {"level": "priority", "due_on": answer_by(), "note": NOTE} | fields
    return client.post(f"/office/supervision/referrals/{referral.pk}/", data)


def supervise(referral=None, case=None, actor=None):
    return lifecycle.supervision_open(
        case=case or referral.case,
        referral=referral,
        actor=actor,
        level="general",
        due_on=add_working_days(timezone.localdate(), 3),
        note=NOTE,
    )


# --- the office's list -------------------------------------------------------------


def test_the_list_shows_late_referrals_and_late_case_steps_not_work_in_time(
    admin_client, late_lead, late_registered, in_time
):
    response = admin_client.get(LIST)

    late_departments = section(response, "late-referrals", "late-cases")
    assert late_lead.case.number in late_departments
    assert f"/office/supervision/referrals/{late_lead.pk}/" in late_departments
    assert in_time.number not in late_departments
    late_workstations = section(response, "late-cases", "open-supervisions-heading")
    assert late_registered.number in late_workstations
    assert late_lead.case.number not in late_workstations  # its step is the departments'
    assert in_time.number not in html(response)


def test_supervised_work_leaves_the_late_list_for_the_open_supervisions(
    admin_client, administrator, late_lead, late_registered
):
    supervise(late_lead, actor=administrator)
    supervise(case=late_registered, actor=administrator)

    response = admin_client.get(LIST)

    late_departments = section(response, "late-referrals", "late-cases")
    assert f"/office/supervision/referrals/{late_lead.pk}/" not in late_departments
    assert late_registered.number not in section(
        response, "late-cases", "open-supervisions-heading"
    )
    waiting = section(response, "open-supervisions-heading", "answered-supervisions-heading")
    assert late_lead.case.number in waiting and late_registered.number in waiting


def test_the_list_runs_the_same_queries_for_more_late_work(
    admin_client, administrator, world, workstation, long_ago, late_lead
):
    supervise(late_lead, actor=administrator)
    few = queries_for(admin_client, LIST)
    for title in ("井盖缺失", "噪音扰民"):
        case = world.referred(workstation, at=long_ago, title=title)
        supervise(case.referrals.get(role=ReferralRole.LEAD), actor=administrator)
        world.registered(workstation, at=long_ago, title=title)

    assert queries_for(admin_client, LIST) == few


@pytest.mark.parametrize("persona", ["staff", "other_staff", "member_user", "liaison"])
def test_the_office_pages_are_the_offices_alone(request, sign_in, persona, late_lead):
    client = sign_in(request.getfixturevalue(persona))

    assert client.get(LIST).status_code == 404
    assert client.get(f"/office/supervision/referrals/{late_lead.pk}/").status_code == 404
    assert open_on_referral(client, late_lead).status_code == 404
    assert client.post(f"/office/supervision/cases/{late_lead.case.number}/").status_code == 404
    assert not Supervision.objects.exists()


def test_anonymous_visitors_sign_in_first(client, late_lead):
    assert login_redirect(client.get(LIST))
    assert login_redirect(open_on_referral(client, late_lead))
    assert not Supervision.objects.exists()


# --- opening a supervision --------------------------------------------------------


def test_the_office_opens_a_supervision_of_a_late_referral(admin_client, administrator, late_lead):
    form_page = admin_client.get(f"/office/supervision/referrals/{late_lead.pk}/")
    assert form_page.status_code == 200 and late_lead.department.name in html(form_page)

    response = open_on_referral(admin_client, late_lead)

    assert response.status_code == 302 and response["Location"] == LIST
    supervision = Supervision.objects.get()
    assert (supervision.referral, supervision.case, supervision.level) == (
        late_lead,
        late_lead.case,
        "priority",
    )
    assert supervision.is_open and supervision.opened_by == administrator
    event = CaseEvent.objects.get(kind=EventKind.SUPERVISED)
    assert event.referral == late_lead and NOTE in event.note


def test_the_office_opens_a_supervision_of_a_workstations_late_step(admin_client, late_registered):
    response = admin_client.post(
        f"/office/supervision/cases/{late_registered.number}/",
        {"level": "general", "due_on": answer_by(), "note": NOTE},
    )

    assert response.status_code == 302
    supervision = Supervision.objects.get()
    assert supervision.case == late_registered and supervision.referral is None


def a_day_off():
    day = timezone.localdate() + timedelta(days=1)
    while is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize(
    ("fields", "field_id", "says"),
    [
        ({"note": " "}, "id_note", "required"),
        ({"due_on": ""}, "id_due_on", "required"),
        ({"level": "made-up"}, "id_level", "valid choice"),
    ],
)
def test_a_supervision_missing_what_it_needs_is_refused_next_to_the_field(
    admin_client, late_lead, fields, field_id, says
):
    response = open_on_referral(admin_client, late_lead, **fields)

    assert response.status_code == 400
    assert says in " ".join(errors_next_to(response, field_id))
    assert not Supervision.objects.exists()


def test_an_answer_date_on_a_day_off_is_refused_next_to_the_field(admin_client, late_lead):
    response = open_on_referral(admin_client, late_lead, due_on=a_day_off().isoformat())

    assert response.status_code == 400
    assert "not a working day" in " ".join(errors_next_to(response, "id_due_on"))
    assert not Supervision.objects.exists()


def test_a_second_supervision_while_one_waits_is_refused(admin_client, administrator, late_lead):
    supervise(late_lead, actor=administrator)

    response = open_on_referral(admin_client, late_lead)

    assert response.status_code == 400
    assert "already supervised" in html(response)
    assert Supervision.objects.count() == 1


def test_an_answered_referral_cannot_be_supervised(admin_client, staff, late_lead):
    lifecycle.referral_reply(referral=late_lead, actor=staff, reply="已修复")

    response = open_on_referral(admin_client, late_lead)

    assert response.status_code == 400
    assert not Supervision.objects.exists()


# --- answering it ------------------------------------------------------------------


def test_the_department_sees_the_supervision_and_answers_it(
    sign_in, liaison, administrator, late_lead
):
    supervision = supervise(late_lead, actor=administrator)
    client = sign_in(liaison)
    assert "supervised (督办)" in html(client.get("/department/"))
    page = html(client.get(f"/department/referrals/{late_lead.pk}/"))
    assert NOTE in page and f"/department/supervisions/{supervision.pk}/answer/" in page

    response = client.post(
        f"/department/supervisions/{supervision.pk}/answer/",
        {f"supervision-{supervision.pk}-answer": ANSWER},
    )

    assert response.status_code == 302
    supervision.refresh_from_db()
    assert not supervision.is_open and supervision.answer == ANSWER
    assert supervision.answered_by == liaison and supervision.answered_in_time()
    event = CaseEvent.objects.get(kind=EventKind.SUPERVISION_ANSWERED)
    assert event.actor == liaison and event.note == ANSWER


def test_an_empty_answer_is_refused_next_to_the_field(sign_in, liaison, administrator, late_lead):
    supervision = supervise(late_lead, actor=administrator)

    response = sign_in(liaison).post(
        f"/department/supervisions/{supervision.pk}/answer/",
        {f"supervision-{supervision.pk}-answer": "  "},
    )

    assert response.status_code == 400
    assert errors_next_to(response, f"id_supervision-{supervision.pk}-answer")
    supervision.refresh_from_db()
    assert supervision.is_open


@pytest.mark.parametrize("persona", ["other_liaison", "other_staff", "member_user"])
def test_others_cannot_answer_the_departments_supervision(
    request, sign_in, administrator, late_lead, persona
):
    supervision = supervise(late_lead, actor=administrator)
    client = sign_in(request.getfixturevalue(persona))

    for url in (
        f"/department/supervisions/{supervision.pk}/answer/",
        f"/cases/{late_lead.case.number}/supervisions/{supervision.pk}/answer/",
    ):
        assert client.post(url, {f"supervision-{supervision.pk}-answer": ANSWER}).status_code == 404
    supervision.refresh_from_db()
    assert supervision.is_open


def test_the_workstation_answers_the_supervision_of_its_step_on_the_case_page(
    sign_in, staff, administrator, late_registered
):
    supervision = supervise(case=late_registered, actor=administrator)
    client = sign_in(staff)
    page = html(client.get(f"/cases/{late_registered.number}/"))
    assert NOTE in page

    response = client.post(
        f"/cases/{late_registered.number}/supervisions/{supervision.pk}/answer/",
        {f"supervision-{supervision.pk}-answer": ANSWER},
    )

    assert response.status_code == 302
    supervision.refresh_from_db()
    assert supervision.answered_by == staff and not supervision.is_open


def test_a_liaison_cannot_answer_for_a_workstation(sign_in, liaison, administrator, late_referred):
    supervision = supervise(case=late_referred, actor=administrator)

    response = sign_in(liaison).post(
        f"/department/supervisions/{supervision.pk}/answer/",
        {f"supervision-{supervision.pk}-answer": ANSWER},
    )

    assert response.status_code == 404
    supervision.refresh_from_db()
    assert supervision.is_open


def test_a_supervision_is_answered_once(sign_in, liaison, administrator, late_lead):
    supervision = supervise(late_lead, actor=administrator)
    lifecycle.supervision_answer(supervision=supervision, actor=liaison, answer=ANSWER)

    response = sign_in(liaison).post(
        f"/department/supervisions/{supervision.pk}/answer/",
        {f"supervision-{supervision.pk}-answer": "再答一次"},
    )

    assert response.status_code == 400
    assert "This supervision was already answered." in html(response)
    supervision.refresh_from_db()
    assert supervision.answer == ANSWER


def test_the_desks_dashboard_lists_the_supervisions_of_its_cases_only(
    sign_in, staff, other_staff, administrator, late_registered
):
    supervise(case=late_registered, actor=administrator)

    mine = section(sign_in(staff).get("/dashboard/"), "supervised-heading", "overdue-heading")
    assert late_registered.number in mine
    assert "supervised-heading" not in html(sign_in(other_staff).get("/dashboard/"))


def test_a_case_that_ends_ends_its_supervisions(staff, administrator, late_lead, late_registered):
    supervision = supervise(late_lead, actor=administrator)

    lifecycle.case_withdraw(case=late_lead.case, actor=staff, note="群众撤回")

    supervision.refresh_from_db()
    assert supervision.state == Supervision.State.ENDED
    assert not supervision.is_overdue()
