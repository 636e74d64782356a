"""The figures the office reports on activities and proposals, computed from the data:
community visits, suggestions gathered, donations, proposals filed, accepted, excellent
and the filing rate, on the statistics page and the column."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Proposal
from public import figures

from ..factories import MemberFactory, UserFactory

YEAR = timezone.localdate().year


@pytest.fixture
def office_year(db):
    """This year: 2 community visits (12 and 22 suggestions), a micro-consultation (5), two
    donations (8,000 and 12,500.50 yuan); 4 proposals filed, 3 accepted, 1 of them
    excellent, 1 not accepted; a draft; an opinion report adopted, one not; last year's
    activity and proposal left out."""
    organiser, lead = UserFactory(), MemberFactory()

    def activity(kind, suggestions=0, amount=None, day=date(YEAR, 1, 15)):
        Activity.objects.create(
            kind=kind,
            title="活动",
            date=day,
            organiser=organiser,
            suggestions_gathered=suggestions,
            amount=amount,
        )

    K = Activity.Kind
    activity(K.COMMUNITY_VISIT, 12)
    activity(K.COMMUNITY_VISIT, 22)
    activity(K.MICRO_CONSULTATION, 5)
    activity(K.DONATION, amount=Decimal("8000"))
    activity(K.DONATION, amount=Decimal("12500.50"))
    activity(K.COMMUNITY_VISIT, 99, day=date(YEAR - 1, 12, 31))

    def proposal(status=Proposal.Status.SUBMITTED, kind=Proposal.Kind.PROPOSAL, **fields):
        submitted = fields.pop("submitted_on", date(YEAR, 1, 10))
        Proposal.objects.create(
            title="提案", lead=lead, kind=kind, status=status, submitted_on=submitted, **fields
        )

    S = Proposal.Status
    proposal(S.ACCEPTED, is_excellent=True)
    proposal(S.ACCEPTED)
    proposal(S.ACCEPTED)
    proposal(S.NOT_ACCEPTED, rejection_reason="不属于提案范围")
    proposal(S.DRAFT, submitted_on=None)
    proposal(kind=Proposal.Kind.OPINION, is_adopted=True)
    proposal(kind=Proposal.Kind.OPINION)
    proposal(S.ACCEPTED, submitted_on=date(YEAR - 1, 11, 1))


def test_participation_figures_are_counted_from_the_records(office_year):
    done = figures.participation(YEAR)

    assert (done.activities, done.community_visits, done.suggestions) == (5, 2, 39)
    assert done.donations == Decimal("20500.50")
    assert (done.proposals_filed, done.proposals_accepted, done.proposals_excellent) == (4, 3, 1)
    assert done.filing_rate == pytest.approx(0.75)
    assert done.opinions_adopted == 1


def test_the_statistics_page_and_the_column_print_them(office_year):
    client = Client()
    client.cookies["django_language"] = "en"

    stats = client.get(reverse("public:stats")).content.decode()
    column = client.get(reverse("public:column")).content.decode()

    assert '<dt>Filing rate</dt>\n    <dd class="figure-value">75.0%</dd>' in stats
    assert '<dt>Donations (yuan)</dt>\n    <dd class="figure-value">20,500.50</dd>' in stats
    assert "<dt>Suggestions gathered</dt><dd>39</dd>" in column
    assert "<dt>Proposals filed</dt><dd>4</dd>" in column
    assert "<dt>Excellent proposals</dt><dd>1</dd>" in column
    assert "<dt>Filing rate</dt><dd>75%</dd>" in column


def test_an_empty_year_has_no_filing_rate(db):
    done = figures.participation(YEAR)
    assert (done.proposals_filed, done.filing_rate, done.donations) == (0, None, Decimal("0"))


def test_the_column_reports_the_demo_networks_figures_from_its_records(db):
    call_command("seed_demo", cases=60, stdout=open("/dev/null", "w"))  # noqa: SIM115
    this_year = Proposal.objects.filter(submitted_on__year=YEAR, kind=Proposal.Kind.PROPOSAL)
    filed = this_year.exclude(status=Proposal.Status.DRAFT).count()
    excellent = this_year.filter(is_excellent=True).count()
    suggestions = sum(
        Activity.objects.filter(date__year=YEAR).values_list("suggestions_gathered", flat=True)
    )
    assert filed and excellent and suggestions  # the demo has some of each
    client = Client()
    client.cookies["django_language"] = "en"

    column = client.get(reverse("public:column")).content.decode()

    assert f"<dt>Proposals filed</dt><dd>{filed}</dd>" in column
    assert f"<dt>Excellent proposals</dt><dd>{excellent}</dd>" in column
    assert f"<dt>Suggestions gathered</dt><dd>{suggestions}</dd>" in column
