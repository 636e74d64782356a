"""Django admin is for district administrators only: a liaison or a member who is given
"staff status" by mistake gets nothing there (no page, no row, no change), and the
liaison and member groups carry no admin permissions."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from members.models import Member
from rosters.models import DutyShift
from tests.signing import force_login
from visits.models import Case, Visit
from workstations import roles
from workstations.models import Workstation

from .admin_pages import admin_url
from .factories import DutyShiftFactory, VisitFactory, open_case

User = get_user_model()
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture(params=["staff", "member_user"])
def ticked(request):
    """A liaison or a member whose "staff status" an administrator ticked by mistake."""
    user = request.getfixturevalue(request.param)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def other_streets_case(other_workstation, administrator):
    visit = VisitFactory(
        workstation=other_workstation, visitor_name="赵大妈", visitor_phone="13912345678"
    )
    return open_case(visit=visit, actor=administrator, title="胡家庙小区群租")


def _refused(response, url: str) -> bool:
    login = reverse("admin:login")
    return response.status_code == 302 and response["Location"] == f"{login}?next={url}"


def test_a_liaison_or_member_with_staff_status_is_sent_from_the_admin_index_to_its_login(
    client, ticked
):
    force_login(client, ticked)
    url = reverse("admin:index")

    response = client.get(url)

    assert _refused(response, url)
    assert _refused(client.get(reverse("admin:app_list", args=["visits"])), "/admin/visits/")


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_a_liaison_or_member_with_staff_status_gets_no_changelist_or_add_page(
    client, ticked, model
):
    force_login(client, ticked)

    for view in ("changelist", "add"):
        url = admin_url(model, view)
        assert _refused(client.get(url), url), url


def test_a_liaison_with_staff_status_can_neither_read_nor_edit_another_streets_case(
    client, ticked, other_streets_case, other_workstation
):
    force_login(client, ticked)
    case, visit = other_streets_case, other_streets_case.visit
    before = Case.objects.values().get(pk=case.pk)

    for url in (admin_url(Case, "change", case.pk), admin_url(Visit, "change", visit.pk)):
        response = client.get(url)
        assert _refused(response, url)
        assert "13912345678" not in response.content.decode()
    posted = client.post(
        admin_url(Case, "change", case.pk),
        {"title": "改掉", "category": case.category, "workstation": other_workstation.pk},
    )

    assert posted.status_code == 302
    assert Case.objects.values().get(pk=case.pk) == before


def test_a_liaison_with_staff_status_cannot_add_or_delete_anything_in_admin(
    client, ticked, workstation, other_streets_case
):
    force_login(client, ticked)
    counts = {model: model.objects.count() for model in (Visit, Case, Member, Workstation)}
    shift = DutyShiftFactory(workstation=workstation)

    client.post(
        admin_url(Workstation, "add"), {"street": "伪造街道", "name": "伪造", "slug": "fake"}
    )
    client.post(admin_url(Visit, "delete", other_streets_case.visit.pk), {"post": "yes"})
    client.post(admin_url(DutyShift, "delete", shift.pk), {"post": "yes"})
    client.post(
        admin_url(Case, "changelist"),
        {"action": "delete_selected", "_selected_action": [other_streets_case.pk], "post": "yes"},
    )

    assert {model: model.objects.count() for model in counts} == counts
    assert DutyShift.objects.filter(pk=shift.pk).exists()


def test_a_liaison_with_staff_status_cannot_give_themselves_a_role_in_admin(client, staff):
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    force_login(client, staff)
    administrators = Group.objects.get(name=roles.ADMINISTRATORS)

    response = client.post(
        admin_url(User, "change", staff.pk),
        {"username": staff.username, "is_staff": "on", "groups": [administrators.pk]},
    )

    assert response.status_code == 302
    assert not roles.is_administrator(User.objects.get(pk=staff.pk))


@pytest.mark.parametrize("view", ["import", "generate", "fairness"])
def test_a_liaison_or_member_with_staff_status_gets_none_of_the_roster_tools(client, ticked, view):
    force_login(client, ticked)
    url = admin_url(DutyShift, view)

    assert _refused(client.get(url), url)


def test_the_admin_login_page_does_not_let_a_liaison_in_with_the_right_password(client, staff):
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])

    response = client.post(
        reverse("admin:login"),
        {"username": "liaison", "password": "correct horse battery staple", "next": "/admin/"},
    )

    assert response.status_code == 200
    assert _refused(client.get(reverse("admin:index")), reverse("admin:index"))


def test_an_administrator_still_gets_the_admin_index(client, administrator):
    force_login(client, administrator)

    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("persona", ["staff", "member_user"])
def test_the_staff_menu_offers_administration_and_report_cards_to_administrators_only(
    sign_in, request, administrator, persona
):
    user = request.getfixturevalue(persona)
    user.is_staff = True
    user.save(update_fields=["is_staff"])

    theirs = sign_in(user).get("/dashboard/").content.decode()
    admins = sign_in(administrator).get("/dashboard/").content.decode()

    assert 'href="/admin/"' not in theirs
    assert "/report-cards/" not in theirs
    assert 'href="/admin/"' in admins
    assert "/report-cards/" in admins
