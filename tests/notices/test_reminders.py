"""`send_reminders`: each member on duty tomorrow hears of it once (the substitute of one
on leave in their place), however often it runs; the messages whose delivery was lost
are queued again."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from notices.models import Channel, NoticeEvent, NoticeStatus, Notification
from notices.reminders import requeue_stale, send_reminders
from rosters.models import DutyAssignment

from ..factories import DutyAssignmentFactory as Assignment
from ..factories import DutyShiftFactory, MemberFactory, UserFactory

TODAY = date(2026, 12, 31)  # tomorrow is in the next year


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(local(TODAY, 10), tick=False)
    return time_machine


@pytest.fixture
def tomorrow_shift(clock, workstation):
    return DutyShiftFactory(workstation=workstation, date=TODAY + timedelta(days=1))


def member_with_login(name, workstation):
    return MemberFactory(name=name, home_workstation=workstation, user=UserFactory())


def reminders():
    return Notification.objects.filter(event=NoticeEvent.DUTY_TOMORROW, channel=Channel.INBOX)


def test_each_member_on_duty_tomorrow_is_reminded_once(tomorrow_shift, workstation, capsys):
    wang = member_with_login("王委员", workstation)
    Assignment(shift=tomorrow_shift, member=wang)
    later = DutyShiftFactory(workstation=workstation, date=TODAY + timedelta(days=2))
    Assignment(shift=later, member=member_with_login("赵委员", workstation))

    call_command("send_reminders")
    call_command("send_reminders")

    (reminder,) = reminders()
    assert reminder.user == wang.user and reminder.status == NoticeStatus.SENT
    assert "王委员" in reminder.body and workstation.address in reminder.body
    assert "2027-01-01" in reminder.body and "09:00–12:00" in reminder.body


def test_the_substitute_of_a_member_on_leave_is_reminded_in_their_place(
    tomorrow_shift, workstation
):
    wang, li = member_with_login("王委员", workstation), member_with_login("李委员", workstation)
    DutyAssignment.objects.create(shift=tomorrow_shift, member=wang, on_leave=True, substitute=li)

    send_reminders()

    (reminder,) = reminders()
    assert reminder.user == li.user and "李委员" in reminder.body


def test_a_member_without_a_login_is_left_out(tomorrow_shift, workstation):
    Assignment(shift=tomorrow_shift, member=MemberFactory(home_workstation=workstation))

    assert send_reminders() == (0, 0)
    assert not reminders().exists()


def test_a_message_lost_on_its_way_to_a_worker_is_queued_again(
    clock, db, django_capture_on_commit_callbacks
):
    lost = Notification.objects.create(
        key="lost", event=NoticeEvent.DUTY_TOMORROW, channel=Channel.SMS, address="13812345678"
    )
    waiting = Notification.objects.create(
        key="waiting",
        event=NoticeEvent.DUTY_TOMORROW,
        channel=Channel.SMS,
        address="13812345679",
        enqueued_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stale(timezone.now()) == 1

    lost.refresh_from_db(), waiting.refresh_from_db()
    assert lost.enqueued_at == timezone.now()
    assert waiting.enqueued_at == timezone.now()  # queued just now: left as it is


def test_no_reminder_is_written_at_night(clock, tomorrow_shift, workstation):
    Assignment(shift=tomorrow_shift, member=member_with_login("王委员", workstation))
    clock.move_to(local(TODAY, 23, 30), tick=False)

    assert send_reminders() == (0, 0)
    assert not reminders().exists()


def test_the_substitute_of_a_leave_and_both_members_of_a_swap_are_told(clock, workstation):
    from rosters.duties import assignment_take_leave, assignments_swap

    wang, li, zhao = (
        member_with_login(name, workstation) for name in ("王委员", "李委员", "赵委员")
    )
    later = DutyShiftFactory(workstation=workstation, date=TODAY + timedelta(days=3))
    latest = DutyShiftFactory(workstation=workstation, date=TODAY + timedelta(days=5))
    leave = DutyAssignment.objects.create(shift=later, member=wang)
    assignment_take_leave(assignment=leave, substitute=li, reason="出差", actor=wang.user)
    first = DutyAssignment.objects.create(shift=latest, member=zhao)
    second = Assignment(
        shift=DutyShiftFactory(workstation=workstation, date=TODAY + timedelta(days=6)),
        member=wang,
    )
    assignments_swap(first=first, second=second, actor=zhao.user)

    told = Notification.objects.filter(event=NoticeEvent.DUTY_CHANGED, channel=Channel.INBOX)
    cover = told.get(user=li.user)
    assert "接替王委员" in cover.body and f"{later.date:%Y-%m-%d}" in cover.body
    assert "接替赵委员" in told.get(user=wang.user).body
    assert "接替王委员" in told.get(user=zhao.user).body
    assert told.count() == 3
