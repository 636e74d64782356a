"""Every public page over the demo data: no visitor's name, phone or address anywhere,
and the security headers on every response."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from members.models import Member
from public.selectors import published_cases
from rosters.calendars import week_start
from rosters.models import DutyAssignment
from visits.models import Visit
from workstations.models import Workstation


@pytest.fixture
def demo(db):
    call_command("seed_demo", cases=120, stdout=open("/dev/null", "w"))  # noqa: SIM115


def public_addresses() -> list[str]:
    addresses = [
        reverse("public:column"),
        reverse("public:duty"),
        reverse("public:workstations"),
        reverse("public:stats"),
        reverse("public:submit"),
        reverse("public:track"),
        reverse("public:receipt"),
    ]
    addresses += [reverse("public:workstation", args=[w.slug]) for w in Workstation.objects.all()]
    addresses += [
        reverse("public:member", args=[m.pk])
        for m in Member.objects.filter(is_published=True, is_active=True)
    ]
    return addresses


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_public_page_shows_a_visitors_name_phone_or_address(language):
    visitors = list(Visit.objects.values_list("visitor_name", "visitor_phone", "visitor_address"))
    assert len(visitors) > 100
    client = Client()
    client.cookies["django_language"] = language
    secrets = {value for row in visitors for value in row if value}

    for address in public_addresses():
        response = client.get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        leaked = {value for value in secrets if value in page}
        assert leaked == set(), address


@pytest.mark.usefixtures("demo")
def test_published_cases_and_on_duty_members_do_appear_on_the_column():
    # The privacy test above would pass on an empty page: make sure it is not one.
    page = Client().get(reverse("public:column")).content.decode()
    published = published_cases()
    assert published and all(case.summary in page for case in published)
    week = Client().get(reverse("public:duty")).content.decode()
    monday = week_start(timezone.localdate())
    on_duty = DutyAssignment.objects.filter(
        shift__date__range=(monday, monday + timedelta(days=6)), substitute=None
    )
    named = on_duty.filter(member__is_published=True).values_list("member__name", flat=True)
    assert named and all(name in week for name in named)
    # Members who did not choose to be published are counted, never named.
    unnamed = set(on_duty.filter(member__is_published=False).values_list("member__name", flat=True))
    unnamed -= set(Member.objects.filter(is_published=True).values_list("name", flat=True))
    assert unnamed and not any(name in week for name in unnamed)


@pytest.mark.usefixtures("demo")
def test_every_public_page_carries_the_security_headers():
    client = Client()
    for address in public_addresses():
        response = client.get(address)
        policy = response["Content-Security-Policy"]
        script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script_src, address
        assert "frame-ancestors 'none'" in policy, address
        assert response["X-Content-Type-Options"] == "nosniff", address
        assert response["Referrer-Policy"] == "same-origin", address
        assert response["X-Frame-Options"] == "DENY", address
