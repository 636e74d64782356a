"""base.bulk.insert_many writes new rows as bulk_create would (COPY on PostgreSQL,
multi-row INSERTs on SQLite): every value read back as it was given, each object given
the id its row has, the table's own ids going on after them."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from base.bulk import insert_many
from base.encrypted import keyed_hash
from notices.models import Channel, NoticeEvent, Notification
from visits import tallies
from visits.models import (
    Case,
    CaseCategory,
    CaseSearchText,
    CaseStatus,
    CaseTally,
    Satisfaction,
    Visit,
    VisitChannel,
)

from .factories import open_case

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def counted_afterwards():
    """insert_many counts nothing: a bulk load counts what it wrote itself (BulkCount).
    The rows written here are counted after each test, so that the tallies the suite
    checks are in step."""
    yield
    tallies.rebuild()


def visit(workstation, n: int) -> Visit:
    return Visit(
        workstation=workstation,
        # Late at night in Beijing, another day in UTC: written as the instant it is.
        visited_at=datetime(2028, 2, 29, 23, 30, 0, 250, tzinfo=SHANGHAI) + timedelta(seconds=n),
        channel=VisitChannel.ONLINE,
        visitor_name=f"访客{n}",
        visitor_phone=f"1380000{n:04d}",
        visitor_count=n % 3 + 1,
    )


def test_the_rows_are_written_and_each_object_knows_its_id(workstation, staff):
    rows = [visit(workstation, n) for n in range(2500)]  # more than one statement's worth
    rows[7].created_by = staff

    assert insert_many(Visit, rows) is rows

    stored = {v.pk: v for v in Visit.objects.filter(workstation=workstation)}
    assert len(stored) == 2500
    assert sorted(stored) == sorted(row.pk for row in rows)
    for row in (rows[0], rows[7], rows[-1]):
        again = stored[row.pk]
        assert (again.visited_at, again.visitor_name, again.visitor_phone) == (
            row.visited_at, row.visitor_name, row.visitor_phone
        )  # fmt: skip
        assert again.visitor_count == row.visitor_count
        assert again.channel == VisitChannel.ONLINE
    assert stored[rows[7].pk].created_by == staff
    assert stored[rows[0].pk].created_by is None
    assert not rows[0]._state.adding
    # Stored as the database keeps instants, so that SQL compares them: 23:30 in Beijing
    # is 15:30 UTC.
    first_minute = datetime(2028, 2, 29, 15, 31, tzinfo=ZoneInfo("UTC"))
    assert Visit.objects.filter(visited_at__lt=first_minute).count() == 60


def test_the_table_gives_out_later_ids_after_them(workstation):
    rows = insert_many(Visit, [visit(workstation, n) for n in range(3)])

    later = Visit.objects.create(workstation=workstation, visitor_count=1)

    assert later.pk > max(row.pk for row in rows)


def test_durations_booleans_and_choices_are_read_back_as_given(workstation):
    tally = CaseTally(
        year=2028, month=2, workstation=workstation, category=CaseCategory.choices[0][0],
        status=CaseStatus.CLOSED, answered_on_spot=True, satisfaction=Satisfaction.SATISFIED,
        cases=3, resolved=2, time_to_resolve=timedelta(days=29, seconds=1, microseconds=5),
    )  # fmt: skip

    insert_many(CaseTally, [tally])

    again = CaseTally.objects.get(pk=tally.pk)
    assert again.time_to_resolve == timedelta(days=29, seconds=1, microseconds=5)
    assert again.answered_on_spot is True
    assert (again.status, again.satisfaction, again.cases) == ("closed", "satisfied", 3)


def test_json_is_written_as_json_and_a_given_id_is_kept(workstation, staff):
    case = open_case(workstation=workstation, actor=staff)
    CaseSearchText.objects.filter(case=case).delete()
    notice = Notification(
        key="bulk-1", event=NoticeEvent.choices[0][0], channel=Channel.choices[0][0],
        user=staff, params={"number": case.number, "steps": [1, 2]},
    )  # fmt: skip

    insert_many(Notification, [notice])
    insert_many(CaseSearchText, [CaseSearchText(case_id=case.pk, tokens="楼道 道消")])

    assert Notification.objects.get(pk=notice.pk).params == {"number": case.number, "steps": [1, 2]}
    assert CaseSearchText.objects.get(case=case).tokens == "楼道 道消"


def test_a_field_stamped_on_save_is_stamped(workstation, staff, settings):
    case = open_case(workstation=workstation, actor=staff)
    copy = Case.objects.get(pk=case.pk)
    copy.pk, copy.number, copy.updated_at = None, "XC-2099-000001", None
    before = timezone.now()

    insert_many(Case, [copy])

    stored = Case.objects.get(pk=copy.pk)
    assert stored.updated_at >= before
    assert stored.created_at == case.created_at
    assert stored.visit_id == case.visit_id
    assert stored.step_due_on == case.step_due_on
    assert isinstance(stored.step_due_on, date | None)


def test_nothing_to_write_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_many(Visit, []) == []


def test_an_id_number_is_written_encrypted_with_its_lookup_hash(workstation):
    row = visit(workstation, 1)
    row.visitor_id_number = "11010519491231002x"

    insert_many(Visit, [row])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT visitor_id_number, visitor_id_number_hash FROM visits_visit WHERE id = %s",
            [row.pk],
        )
        token, digest = cursor.fetchone()
    assert "19491231" not in token and token.startswith("gAAAAA")
    assert digest == keyed_hash("11010519491231002X")
    assert Visit.objects.get(pk=row.pk).visitor_id_number == "11010519491231002X"
