"""A member who asked about a line of their report card hears in their inbox, once,
that the office answered it in admin; an unanswered save tells nobody."""

import pytest
from django.contrib.contenttypes.models import ContentType

from notices.models import Channel, NoticeEvent, Notification
from points.models import PointEntry, PointQuery, PointRule, ScoringYear

from ..factories import MemberFactory, UserFactory


@pytest.fixture
def query(member_user):
    rule = PointRule.objects.create(
        scoring_year=ScoringYear.objects.create(year=2026), category="proposal_filed", points=5
    )
    entry = PointEntry.objects.create(
        member=member_user.member, year=2026, category="proposal_filed", points=5, rule=rule,
        rule_version=1, source_type=ContentType.objects.get_for_model(PointRule),
        source_id=rule.pk, occurred_on="2026-11-05",
    )  # fmt: skip
    return PointQuery.objects.create(entry=entry, asked_by=member_user, text="提案得分有误吗")


def told():
    return Notification.objects.filter(event=NoticeEvent.QUERY_ANSWERED)


def answer(admin_client, query, text):
    return admin_client.post(
        f"/admin/points/pointquery/{query.pk}/change/", {"answer": text, "_save": "1"}
    )


def test_the_office_answering_a_query_tells_the_member_once(admin_client, query, member_user):
    # Another member's unanswered query: nobody hears of it.
    other = MemberFactory(name="王委员", user=UserFactory())
    PointQuery.objects.create(entry=query.entry, asked_by=other.user, text="为什么是5分")

    assert answer(admin_client, query, "").status_code == 302  # saved without an answer
    assert not told().exists()

    assert answer(admin_client, query, "按2026年规则，立案提案每件5分。").status_code == 302

    (message,) = told()
    assert message.user == member_user and message.channel == Channel.INBOX
    assert "2026" in message.subject and "李委员" in message.body
    assert message.link == "/my/report-card/?year=2026"

    answer(admin_client, query, "按2026年规则，立案提案每件5分（已核对）。")
    assert told().count() == 1  # a corrected answer is not a second message
