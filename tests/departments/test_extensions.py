"""More time for a department (延期): the liaison asks for a later reply date with a
reason; the office grants it in admin (the reply is then due on it) or refuses it. A date
not after the present one, or on a day off, is refused next to the field; a second
request waits for the first; nothing is asked once the case has ended; a request still
waiting when its referral closes lapses."""

from datetime import timedelta

import pytest

from visits import lifecycle
from visits.models import Case, CaseEvent, EventKind, Extension, Referral, ReferralRole
from workdays.calendar import add_working_days, is_working_day

from ..pages import errors_next_to, html

REASON = "需要会同街道现场勘察，材料较多"


@pytest.fixture
def lead(world, workstation) -> Referral:
    case = world.referred(workstation, title="电梯停运三周")
    return case.referrals.get(role=ReferralRole.LEAD)


def ask(client, referral: Referral, due_on, reason: str = REASON):
    return client.post(
        f"/department/referrals/{referral.pk}/extend/",
        {
            "extend-referral": referral.pk,
            "extend-seen_status": referral.case.status,
            "extend-due_on": due_on.isoformat() if due_on else "",
            "extend-reason": reason,
        },
    )


def a_day_off_after(day):
    day += timedelta(days=1)
    while is_working_day(day):
        day += timedelta(days=1)
    return day


def test_the_liaison_asks_for_more_time_and_the_office_sees_it_waiting(sign_in, liaison, lead):
    later = add_working_days(lead.due_on, 5)

    response = ask(sign_in(liaison), lead, later)

    assert response.status_code == 302
    extension = Extension.objects.get()
    assert (extension.state, extension.due_on, extension.previous_due_on) == (
        Extension.State.PENDING,
        later,
        lead.due_on,
    )
    assert Referral.objects.get(pk=lead.pk).due_on == lead.due_on  # not before the office
    event = CaseEvent.objects.get(kind=EventKind.EXTENSION_REQUESTED)
    assert event.actor == liaison and REASON in event.note


@pytest.mark.parametrize("when", ["same day", "earlier", "day off"])
def test_a_date_not_after_the_present_one_or_on_a_day_off_is_refused_next_to_the_field(
    sign_in, liaison, lead, when
):
    due_on = {
        "same day": lead.due_on,
        "earlier": lead.due_on - timedelta(days=1),
        "day off": a_day_off_after(lead.due_on),
    }[when]

    response = ask(sign_in(liaison), lead, due_on)

    assert response.status_code == 400
    (error,) = errors_next_to(response, "id_extend-due_on")
    assert ("not a working day" if when == "day off" else "must come after") in error
    assert not Extension.objects.exists()


def test_a_request_needs_its_reason(sign_in, liaison, lead):
    response = ask(sign_in(liaison), lead, add_working_days(lead.due_on, 5), reason=" ")

    assert response.status_code == 400
    assert errors_next_to(response, "id_extend-reason") == ["This field is required."]
    assert not Extension.objects.exists()


def test_a_second_request_waits_for_the_first(sign_in, liaison, lead):
    client = sign_in(liaison)
    ask(client, lead, add_working_days(lead.due_on, 5))

    page = html(client.get(f"/department/referrals/{lead.pk}/"))
    again = ask(client, lead, add_working_days(lead.due_on, 8))

    assert f'action="/department/referrals/{lead.pk}/extend/"' not in page
    assert again.status_code == 400
    assert "already waiting for the office" in html(again)
    assert Extension.objects.count() == 1


def test_nothing_is_asked_once_the_case_has_ended(sign_in, liaison, staff, lead):
    lifecycle.case_withdraw(case=Case.objects.get(pk=lead.case_id), actor=staff, note="居民撤回")

    response = ask(sign_in(liaison), lead, add_working_days(lead.due_on, 5))

    assert response.status_code == 404  # the cancelled referral is no longer theirs to see
    assert not Extension.objects.exists()


def test_another_departments_liaison_cannot_ask(sign_in, other_liaison, lead):
    assert ask(sign_in(other_liaison), lead, add_working_days(lead.due_on, 5)).status_code == 404
    assert not Extension.objects.exists()


def decide(admin_client, action: str):
    return admin_client.post(
        "/admin/visits/extension/",
        {
            "action": action,
            "_selected_action": list(Extension.objects.values_list("pk", flat=True)),
        },
    )


def test_the_office_grants_it_and_the_reply_is_due_on_the_new_date(
    sign_in, liaison, admin_client, lead
):
    later = add_working_days(lead.due_on, 5)
    ask(sign_in(liaison), lead, later)
    lifecycle.referral_acknowledge(referral=Referral.objects.get(pk=lead.pk), actor=liaison)

    assert decide(admin_client, "grant").status_code == 302

    referral = Referral.objects.get(pk=lead.pk)
    assert referral.due_on == later
    assert Extension.objects.get().state == Extension.State.GRANTED
    case = Case.objects.get(pk=lead.case_id)
    assert case.next_due_on == min(later, case.referrals.get(role=ReferralRole.CO).next_due_on)
    assert CaseEvent.objects.filter(kind=EventKind.EXTENSION_GRANTED).count() == 1


def test_the_office_refuses_it_and_the_reply_stays_due_as_it_was(
    sign_in, liaison, admin_client, lead
):
    ask(sign_in(liaison), lead, add_working_days(lead.due_on, 5))

    decide(admin_client, "refuse")
    decide(admin_client, "grant")  # decided already: changes nothing

    assert Referral.objects.get(pk=lead.pk).due_on == lead.due_on
    assert Extension.objects.get().state == Extension.State.REFUSED
    assert not CaseEvent.objects.filter(kind=EventKind.EXTENSION_GRANTED).exists()


def _waiting_on(referral: Referral, liaison) -> Extension:
    return lifecycle.extension_request(
        referral=Referral.objects.get(pk=referral.pk), actor=liaison,
        due_on=add_working_days(referral.due_on, 5), reason=REASON,
    )  # fmt: skip


@pytest.mark.parametrize("closed_by", ["reply", "return", "withdrawal"])
def test_a_request_still_waiting_when_its_referral_closes_lapses_and_cannot_be_granted(
    liaison, staff, administrator, lead, closed_by
):
    waiting = _waiting_on(lead, liaison)
    other = Referral.objects.get(case=lead.case_id, role=ReferralRole.CO)
    untouched = _waiting_on(other, liaison) if closed_by != "withdrawal" else None
    fresh = Referral.objects.get(pk=lead.pk)
    if closed_by == "reply":
        lifecycle.referral_reply(referral=fresh, actor=liaison, reply="已维修，电梯恢复运行")
    elif closed_by == "return":
        lifecycle.referral_return(referral=fresh, actor=liaison, reason="不属于本部门职责")
    else:
        lifecycle.case_withdraw(case=Case.objects.get(pk=lead.case_id), actor=staff, note="撤回")

    lapsed = Extension.objects.get(pk=waiting.pk)
    assert lapsed.state == Extension.State.LAPSED
    assert lapsed.decided_at is not None and lapsed.decided_by is None
    if untouched:  # the co-handling department's request still waits for the office
        assert Extension.objects.get(pk=untouched.pk).state == Extension.State.PENDING
    with pytest.raises(lifecycle.CaseError):
        lifecycle.extension_decide(extension=lapsed, actor=administrator, grant=True)
    assert Referral.objects.get(pk=lead.pk).due_on == lead.due_on
    assert not CaseEvent.objects.filter(kind=EventKind.EXTENSION_GRANTED).exists()


def test_the_office_sees_a_lapsed_request_as_no_longer_needed(sign_in, liaison, admin_client, lead):
    lapsed = _waiting_on(lead, liaison)
    lifecycle.referral_reply(
        referral=Referral.objects.get(pk=lead.pk), actor=liaison, reply="已维修"
    )

    waiting = html(admin_client.get("/admin/visits/extension/?state=pending"))
    every = html(admin_client.get("/admin/visits/extension/"))

    assert f"{lapsed.due_on:%Y-%m-%d}" not in waiting
    assert f"{lapsed.due_on:%Y-%m-%d}" in every
    assert '<td class="field-state">No longer needed</td>' in every
