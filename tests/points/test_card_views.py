"""Report-card pages: every role on every view, the line query, the workbook, the admin."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from openpyxl import load_workbook

from activities.models import Activity
from audit.models import AuditEntry
from members.models import Member
from points.models import Category, GradeBand, PointEntry, PointQuery, PointRule, ScoringYear
from tests.signing import force_login

from ..factories import MemberFactory, SectorFactory, UserFactory, WorkstationFactory
from ..pages import queries_for
from .test_cards import YEAR, attend, make_bands, make_rules, take_part


@pytest.fixture
def rules(db):
    return make_rules()


@pytest.fixture
def client(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def member(member_user):
    return member_user.member


@pytest.fixture
def scored(rules, committed, member):
    """李委员 and 王委员 with a year of points: 李 6 (a duty, a consultation), 王 4."""
    make_bands(excellent="5", competent="1")
    other = MemberFactory(name="王委员")
    attend(committed, member, date(2026, 3, 4))
    take_part(committed, [member, other], date(2026, 4, 1), title="加装电梯微协商")
    return other


def card_url(member, year=YEAR) -> str:
    return f"/report-cards/{year}/{member.pk}/"


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's text, tags and repeated spaces removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def publish(year=YEAR) -> None:
    ScoringYear.objects.filter(year=year).update(cards_published=True)


# --- my card -----------------------------------------------------------------------------


def test_a_member_sees_their_own_card_with_totals_rank_grade_and_lines(client, member_user, scored):
    force_login(client, member_user)

    response = client.get(f"/my/report-card/?year={YEAR}")

    assert response.status_code == 200
    page = text(response)
    assert "Report card of 李委员, 2026" in page
    assert 'id="card-total">6<' in html(response)
    assert 'id="card-rank">1<' in html(response)
    assert 'id="card-grade">Excellent (优秀)<' in html(response)
    assert "Duty on 2026-03-04 at" in page and "加装电梯微协商" in page
    assert html(response).count('name="text"') == 2  # a query form per line
    assert "王委员" not in page


def test_my_card_shows_the_current_year_by_default_and_on_a_bad_year(client, member_user, db):
    force_login(client, member_user)
    this_year = timezone.localdate().year

    for url in ("/my/report-card/", "/my/report-card/?year=next"):
        assert f"Report card of 李委员, {this_year}" in text(client.get(url))


def test_my_card_is_not_found_for_anyone_who_is_not_a_member(client, administrator, staff, db):
    for user in (administrator, staff):
        force_login(client, user)
        assert client.get("/my/report-card/").status_code == 404


def test_my_card_sends_the_anonymous_to_sign_in(client, db):
    response = client.get("/my/report-card/")

    assert response.status_code == 302 and response.url.startswith("/login/")


# --- a member's card ---------------------------------------------------------------------


def test_an_administrator_sees_any_members_card_without_query_forms(client, administrator, scored):
    force_login(client, administrator)

    response = client.get(card_url(scored))

    assert response.status_code == 200
    assert "Report card of 王委员, 2026" in text(response)
    assert 'id="card-rank">2<' in html(response)
    assert 'name="text"' not in html(response)


def test_a_member_sees_their_own_card_by_its_address_but_not_anothers(
    client, member_user, member, scored
):
    force_login(client, member_user)

    assert client.get(card_url(member)).status_code == 200
    assert client.get(card_url(scored)).status_code == 404


def test_workstation_staff_do_not_see_members_cards(client, staff, member, scored):
    force_login(client, staff)

    assert client.get(card_url(member)).status_code == 404


def test_an_unpublished_card_sends_the_anonymous_to_sign_in(client, member, scored):
    response = client.get(card_url(member))

    assert response.status_code == 302 and response.url.startswith("/login/")


def test_a_published_year_shows_every_card_to_anyone_without_queries_or_forms(
    client, staff, member, scored
):
    entry = PointEntry.objects.filter(member=member).first()
    PointQuery.objects.create(entry=entry, asked_by=member.user, text="为何只记2分？")
    publish()

    response = client.get(card_url(member))

    assert response.status_code == 200
    assert "Report card of 李委员, 2026" in text(response)
    assert "为何只记2分" not in html(response) and 'name="text"' not in html(response)
    force_login(client, staff)
    assert client.get(card_url(member)).status_code == 200


def test_publishing_one_year_does_not_publish_another(client, member, scored):
    make_rules(2025)
    publish(2025)

    assert client.get(card_url(member)).status_code == 302


def test_an_unknown_member_is_not_found(client, administrator, scored):
    force_login(client, administrator)

    assert client.get(f"/report-cards/{YEAR}/999999/").status_code == 404


def test_the_card_links_the_print_stylesheet_for_printing_only(client, member_user, scored):
    force_login(client, member_user)

    response = client.get(f"/my/report-card/?year={YEAR}")

    assert re.search(
        r'<link rel="stylesheet" href="[^"]*print-card\.css" media="print">', html(response)
    )


# --- the year's table --------------------------------------------------------------------


def test_an_administrator_sees_the_years_table_with_ranks_totals_and_grades(
    client, administrator, member, scored
):
    force_login(client, administrator)

    response = client.get(f"/report-cards/{YEAR}/")

    assert response.status_code == 200
    rows = [
        [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            for row in re.findall(r"<tr>(.*?)</tr>", html(response).split("<tbody>")[1], re.S)
        )
    ]
    # rank, member, group, total, one column per category of the year's rules, grade
    assert rows[0] == ["1", "李委员", "法制组 (#1 in group)", "6", "2", "0", "0", "4", "0", "0",
                       "0", "0", "Excellent (优秀)"]  # fmt: skip
    assert rows[1] == ["2", "王委员", "法制组 (#2 in group)", "4", "0", "0", "0", "4", "0", "0",
                       "0", "0", "Competent (称职)"]  # fmt: skip
    assert f'href="{card_url(member)}"' in html(response)
    assert f'href="/report-cards/{YEAR}.xlsx"' in html(response)


@pytest.mark.parametrize("persona", ["staff", "member_user"])
def test_the_years_table_is_not_found_for_anyone_but_administrators(
    client, persona, request, scored
):
    force_login(client, request.getfixturevalue(persona))

    assert client.get(f"/report-cards/{YEAR}/").status_code == 404


def test_the_years_table_sends_the_anonymous_to_sign_in(client, scored):
    publish()  # publishing shows cards, not the office's table

    response = client.get(f"/report-cards/{YEAR}/")

    assert response.status_code == 302 and response.url.startswith("/login/")


# --- the workbook ------------------------------------------------------------------------


def workbook(response):
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def test_the_workbook_holds_every_members_year_and_every_entry(
    client, administrator, member, scored
):
    force_login(client, administrator)

    response = client.get(f"/report-cards/{YEAR}.xlsx")

    assert response.status_code == 200
    assert 'filename="report-cards-2026.xlsx"' in response["Content-Disposition"]
    cards_sheet, entries_sheet = workbook(response).worksheets
    _title, *rows = cards_sheet.values  # the title row: tests/points/test_workbook.py
    assert rows[0][:5] == ("Rank", "Member", "Activity group", "Sector", "Workstation")
    assert rows[0][-2:] == ("Total", "Grade")
    consultation = rows[0].index("Consultations held")
    assert rows[1][:5] == (1, "李委员", "法制组", "法律界", "西一路街道委员工作室")
    assert (rows[1][consultation], rows[1][-2], rows[1][-1]) == (4, 6, "Excellent (优秀)")
    assert (rows[2][:2], rows[2][-2:]) == ((2, "王委员"), (4, "Competent (称职)"))
    _title, *entries = entries_sheet.values
    assert entries[0] == ("Member", "Date", "Category", "Source", "Points", "Rule version")
    assert len(entries) == 4  # the header, 李's two lines, 王's one
    assert {(e[0], e[2], e[4]) for e in entries[1:]} == {
        ("李委员", "Duty attended", 2),
        ("李委员", "Consultations held", 4),
        ("王委员", "Consultations held", 4),
    }
    assert AuditEntry.objects.get().target == "report-cards-2026.xlsx"


@pytest.mark.parametrize("persona", ["staff", "member_user"])
def test_the_workbook_is_not_found_for_anyone_but_administrators(client, persona, request, scored):
    force_login(client, request.getfixturevalue(persona))

    assert client.get(f"/report-cards/{YEAR}.xlsx").status_code == 404
    assert not AuditEntry.objects.exists()


def test_the_workbook_sends_the_anonymous_to_sign_in(client, scored):
    response = client.get(f"/report-cards/{YEAR}.xlsx")

    assert response.status_code == 302 and response.url.startswith("/login/")


# --- querying a line ---------------------------------------------------------------------


@pytest.fixture
def entry(member, scored):
    return PointEntry.objects.filter(member=member, category=Category.DUTY_ATTENDED).get()


def query_url(entry) -> str:
    return f"/report-cards/entries/{entry.pk}/query/"


def test_a_member_queries_a_line_of_their_card_and_the_office_gets_a_note(
    client, member_user, entry
):
    force_login(client, member_user)

    response = client.post(
        query_url(entry), {"text": "3月4日我在岗，应记2分还是3分？"}, follow=True
    )

    query = PointQuery.objects.get()
    assert (query.entry, query.asked_by, query.answer) == (entry, member_user, "")
    assert query.text == "3月4日我在岗，应记2分还是3分？"
    assert response.redirect_chain[-1][0] == f"/my/report-card/?year=2026#entry-{entry.pk}"
    assert "Your question has gone to the office." in text(response)
    assert "3月4日我在岗" in text(response)  # the question stays on the card


@pytest.mark.parametrize("question", ["", "   ", "问" * 2001])
def test_an_empty_or_too_long_question_is_refused_and_nothing_is_saved(
    client, member_user, entry, question
):
    force_login(client, member_user)

    response = client.post(query_url(entry), {"text": question}, follow=True)

    assert not PointQuery.objects.exists()
    assert "Write your question, in at most 2000 characters." in text(response)


def test_a_member_cannot_query_another_members_line(client, member_user, scored):
    force_login(client, member_user)
    others = PointEntry.objects.get(member=scored)

    assert client.post(query_url(others), {"text": "?"}).status_code == 404
    assert not PointQuery.objects.exists()


@pytest.mark.parametrize("persona", ["administrator", "staff"])
def test_nobody_but_the_member_queries_their_line(client, persona, request, entry):
    force_login(client, request.getfixturevalue(persona))

    assert client.post(query_url(entry), {"text": "?"}).status_code == 404
    assert not PointQuery.objects.exists()


def test_the_anonymous_are_sent_to_sign_in_before_querying(client, entry):
    response = client.post(query_url(entry), {"text": "?"})

    assert response.status_code == 302 and response.url.startswith("/login/")
    assert not PointQuery.objects.exists()


def test_querying_by_get_is_not_allowed(client, member_user, entry):
    force_login(client, member_user)

    assert client.get(query_url(entry)).status_code == 405
    assert not PointQuery.objects.exists()


# --- menu --------------------------------------------------------------------------------


def test_the_menu_offers_my_report_card_to_members_and_report_cards_to_administrators(
    client, member_user, administrator, staff, db
):
    this_year = timezone.localdate().year
    for user, mine, office in (
        (member_user, True, False),
        (administrator, False, True),
        (staff, False, False),
    ):
        force_login(client, user)
        page = html(client.get("/dashboard/"))
        assert ('href="/my/report-card/"' in page) is mine
        assert (f'href="/report-cards/{this_year}/"' in page) is office


# --- query counts ------------------------------------------------------------------------


# The signed-in request: the session, the user, the role groups (no session write).
SIGNED_IN = 3
# card: the user's member row, the year's totals (3), the entries, their duties and
# activities, the queries asked about them, the scoring years for the year links
CARD_PAGE = SIGNED_IN + 1 + 3 + 4 + 1
# table: the year's categories, totals (3), the scoring year (the menu asks the role
# groups already read)
YEAR_TABLE = SIGNED_IN + 1 + 3 + 1
# workbook: the categories, totals (3), the entries' sources (5 kinds), the entries, the
# audit row
WORKBOOK = SIGNED_IN + 1 + 3 + 5 + 1 + 1


def test_the_card_page_takes_as_many_queries_for_30_facts_as_for_3(
    client, member_user, member, rules, committed, django_assert_num_queries
):
    force_login(client, member_user)
    workstation = WorkstationFactory()
    for day in (1, 2, 3):
        attend(committed, member, date(2026, 3, day), workstation=workstation)
        take_part(committed, [member], date(2026, 4, day))
    url = f"/my/report-card/?year={YEAR}"
    with_three = queries_for(client, url)
    for day in range(4, 31):
        attend(committed, member, date(2026, 3, day), workstation=workstation)
        take_part(committed, [member], date(2026, 4, day))
    PointQuery.objects.create(entry=PointEntry.objects.last(), asked_by=member_user, text="?")

    with django_assert_num_queries(with_three):
        response = client.get(url)

    assert with_three == CARD_PAGE
    assert html(response).count('name="text"') == 60


def test_the_years_table_takes_as_many_queries_for_50_members_as_for_5(
    client, administrator, rules, committed, django_assert_num_queries
):
    force_login(client, administrator)
    take_part(committed, MemberFactory.create_batch(5), date(2026, 4, 1))
    url = f"/report-cards/{YEAR}/"
    with_five = queries_for(client, url)
    take_part(committed, MemberFactory.create_batch(45), date(2026, 4, 2))

    with django_assert_num_queries(with_five):
        response = client.get(url)

    assert with_five == YEAR_TABLE
    assert html(response).count("/report-cards/2026/") >= 50


def bulk_year(members, activities) -> None:
    """Entries written directly, only to keep this test fast: one consultation per member
    per activity, under the year's rule."""
    rule = PointRule.objects.get(scoring_year__year=YEAR, category=Category.CONSULTATION)
    activity_type = ContentType.objects.get_for_model(Activity)
    PointEntry.objects.bulk_create(
        PointEntry(
            member=member, year=YEAR, category=rule.category, points=rule.points, rule=rule,
            rule_version=rule.version, source_type=activity_type, source_id=activity.pk,
            occurred_on=activity.date,
        )
        for member in members
        for activity in activities
    )  # fmt: skip


def test_the_workbook_takes_as_many_queries_for_500_members_as_for_5(
    client, administrator, rules, django_assert_num_queries
):
    force_login(client, administrator)
    organiser = UserFactory()
    activities = [
        Activity.objects.create(
            kind=Activity.Kind.MICRO_CONSULTATION, title=f"第{n}次微协商",
            date=date(2026, 4, n), organiser=organiser,
        )
        for n in range(1, 4)
    ]  # fmt: skip
    bulk_year(MemberFactory.create_batch(5), activities)
    url = f"/report-cards/{YEAR}.xlsx"
    with_five = queries_for(client, url)
    workstation, sector = WorkstationFactory(), SectorFactory()
    bulk_year(
        Member.objects.bulk_create(
            Member(name=f"委员{n}", sector=sector, home_workstation=workstation) for n in range(495)
        ),
        activities,
    )

    with django_assert_num_queries(with_five):
        response = client.get(url)

    assert with_five == WORKBOOK
    cards_sheet, entries_sheet = workbook(response).worksheets
    # The title row, the header, then the rows.
    assert cards_sheet.max_row == 502 and entries_sheet.max_row == 1502
    assert {row[-2] for row in cards_sheet.iter_rows(min_row=3, values_only=True)} == {12}


# --- admin -------------------------------------------------------------------------------


def errors(response) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", item)
        for item in re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html(response), re.S)
    ]


def year_form(year="2026", rules=(), bands=()) -> dict:
    data = {
        "year": year,
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": "0",
        "bands-TOTAL_FORMS": str(len(bands)),
        "bands-INITIAL_FORMS": "0",
    }
    for i, (category, points) in enumerate(rules):
        data |= {f"rules-{i}-category": category, f"rules-{i}-points": points}
    for i, (grade, min_points) in enumerate(bands):
        data |= {f"bands-{i}-grade": grade, f"bands-{i}-min_points": min_points}
    return data


def test_the_admin_sets_a_years_rules_and_bands(client, administrator):
    force_login(client, administrator)

    response = client.post(
        "/admin/points/scoringyear/add/",
        year_form(rules=[("duty_attended", "2")], bands=[("excellent", "90")]),
    )

    assert response.status_code == 302
    assert PointRule.objects.get().points == Decimal("2")
    assert GradeBand.objects.get().min_points == Decimal("90")


def test_a_duplicate_category_is_refused_next_to_the_field_and_nothing_is_saved(
    client, administrator
):
    force_login(client, administrator)

    response = client.post(
        "/admin/points/scoringyear/add/",
        year_form(
            rules=[("duty_attended", "2"), ("duty_attended", "3")],
            bands=[("excellent", "90"), ("excellent", "80")],
        ),
    )

    assert response.status_code == 200
    assert errors(response) == [
        "This year already has a rule for this category.",
        "This year already has a band for this grade.",
    ]
    assert re.search(
        r'field-category">\s*<ul class="errorlist[^>]*><li>This year already has a rule',
        html(response),
    )
    assert not ScoringYear.objects.exists() and not PointRule.objects.exists()


@pytest.mark.parametrize("year", ["-5", "0", "1999", "2101", "99999"])
def test_a_negative_or_absurd_year_is_refused_with_a_clear_message(client, administrator, year):
    force_login(client, administrator)

    response = client.post("/admin/points/scoringyear/add/", year_form(year=year))

    assert response.status_code == 200
    assert errors(response) == ["Enter a year between 2000 and 2100."]
    assert not ScoringYear.objects.exists()


def test_the_admin_edits_a_rules_points_and_the_version_follows(client, administrator, rules):
    force_login(client, administrator)
    year = ScoringYear.objects.get()
    rule_list = list(year.rules.order_by("pk"))
    data = year_form(rules=[(r.category, str(r.points)) for r in rule_list])
    data["rules-INITIAL_FORMS"] = str(len(rule_list))
    for i, rule in enumerate(rule_list):
        data |= {f"rules-{i}-id": rule.pk, f"rules-{i}-scoring_year": year.pk}
    data["rules-0-points"] = "2.5"

    response = client.post(f"/admin/points/scoringyear/{year.pk}/change/", data)

    assert response.status_code == 302, errors(response)
    rule_list[0].refresh_from_db()
    assert (rule_list[0].points, rule_list[0].version) == (Decimal("2.5"), 2)


def test_the_rebuild_action_repairs_the_ledger_and_says_how_much(
    client, administrator, member, scored
):
    force_login(client, administrator)
    PointEntry.objects.filter(member=member, category=Category.DUTY_ATTENDED).update(
        points=Decimal("99")
    )
    PointEntry.objects.filter(member=scored).delete()

    response = client.post(
        "/admin/points/scoringyear/",
        {"action": "rebuild_ledger", "_selected_action": [ScoringYear.objects.get().pk]},
        follow=True,
    )

    assert "Ledger rebuilt: 2 differences repaired." in text(response)
    active = PointEntry.objects.filter(reversed_at__isnull=True)
    assert sorted(active.values_list("points", flat=True)) == [2, 4, 4]


def test_point_entries_are_read_only_in_the_admin(client, administrator, entry):
    force_login(client, administrator)

    assert client.get("/admin/points/pointentry/?q=李委员").status_code == 200
    assert client.get("/admin/points/pointentry/add/").status_code == 403
    response = client.post(f"/admin/points/pointentry/{entry.pk}/change/", {"points": "99"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.points == Decimal("2")


def test_the_office_answers_a_query_and_nothing_else_of_it_changes(
    client, administrator, member_user, entry
):
    query = PointQuery.objects.create(entry=entry, asked_by=member_user, text="为何2分？")
    force_login(client, administrator)
    assert "为何2分" in html(client.get("/admin/points/pointquery/?answered=no"))
    assert "为何2分" not in html(client.get("/admin/points/pointquery/?answered=yes"))

    response = client.post(
        f"/admin/points/pointquery/{query.pk}/change/",
        {"answer": "按2026年规则，在岗一次记2分。", "text": "改过的问题"},
    )

    assert response.status_code == 302
    query.refresh_from_db()
    assert (query.answer, query.text) == ("按2026年规则，在岗一次记2分。", "为何2分？")
    assert "为何2分" in html(client.get("/admin/points/pointquery/?answered=yes"))


@pytest.mark.parametrize(
    "path", ["/report-cards/{year}/", "/report-cards/{year}.xlsx", "/report-cards/{year}/{pk}/"]
)
@pytest.mark.parametrize("year", ["0", "1999", "2101", "0000", "99999999999999999999"])
def test_a_year_outside_the_scoring_years_is_not_found(client, administrator, member, path, year):
    # The years table linked to year - 1: at year 0 its link could not be built, a 500.
    client.raise_request_exception = False
    force_login(client, administrator)

    response = client.get(path.format(year=year, pk=member.pk))

    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(("year", "linked", "not_linked"), [(2000, 2001, 1999), (2100, 2099, 2101)])
def test_the_first_and_last_scoring_years_link_only_to_years_within_range(
    client, administrator, year, linked, not_linked
):
    force_login(client, administrator)

    page = html(client.get(f"/report-cards/{year}/"))

    assert f'href="/report-cards/{linked}/"' in page
    assert f"/report-cards/{not_linked}/" not in page


def test_my_card_shows_the_current_year_for_a_year_outside_the_scoring_years(
    client, member_user, db
):
    force_login(client, member_user)

    response = client.get("/my/report-card/?year=99999999999999999999")

    assert response.context["card"].year == timezone.localdate().year
