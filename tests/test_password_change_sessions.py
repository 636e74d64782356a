"""A new password, or an account disabled, ends the user's other sessions at once: their
next request is anonymous, while the session that changed the password stays signed in
(Django's session auth hash, kept up to date for the session that made the change)."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from .admin_pages import change_form_data
from .pages import still_signed_in

OLD = "correct horse battery staple"
NEW = "lantern-river-morning"


OWN_PASSWORD = [
    pytest.param("staff", "password_change", "/dashboard/", id="staff, password page"),
    pytest.param("member_user", "password_change", "/dashboard/", id="member, password page"),
    pytest.param("liaison", "password_change", "/department/", id="liaison, password page"),
    pytest.param("administrator", "password_change", "/admin/", id="administrator, password page"),
    pytest.param("administrator", "admin:password_change", "/admin/", id="administrator, admin"),
]


@pytest.mark.parametrize(("persona", "form", "page"), OWN_PASSWORD)
def test_a_users_new_password_ends_only_their_other_sessions(sign_in, request, persona, form, page):
    user = request.getfixturevalue(persona)
    here, elsewhere = sign_in(user), sign_in(user)

    response = here.post(
        reverse(form), {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).check_password(NEW)
    assert still_signed_in(here)
    assert here.get(page).status_code == 200
    assert not still_signed_in(elsewhere)
    assert elsewhere.get(page).status_code == 302


def test_a_password_an_administrator_sets_in_admin_ends_every_session_of_that_user(
    sign_in, administrator, staff
):
    admin, desk, phone = sign_in(administrator), sign_in(staff), sign_in(staff)

    response = admin.post(
        reverse("admin:auth_user_password_change", args=[staff.pk]),
        {"password1": NEW, "password2": NEW},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=staff.pk).check_password(NEW)
    assert still_signed_in(admin)
    assert not still_signed_in(desk) and not still_signed_in(phone)


def set_active(admin, user, active: bool):
    """Save the user's admin page with "active" ticked or not."""
    url = reverse("admin:auth_user_change", args=[user.pk])
    data = change_form_data(admin.get(url))
    data.pop("is_active", None)
    return admin.post(url, data | ({"is_active": "on"} if active else {}))


def test_disabling_a_user_in_admin_ends_their_sessions_at_once(sign_in, administrator, staff):
    admin, desk, phone = sign_in(administrator), sign_in(staff), sign_in(staff)

    response = set_active(admin, staff, False)

    assert response.status_code == 302
    assert not User.objects.get(pk=staff.pk).is_active
    assert still_signed_in(admin)
    assert not still_signed_in(desk) and not still_signed_in(phone)
    assert desk.get("/dashboard/")["Location"] == "/login/?next=/dashboard/"


def test_enabling_the_user_again_does_not_bring_their_sessions_back(sign_in, administrator, staff):
    admin, desk = sign_in(administrator), sign_in(staff)
    set_active(admin, staff, False)

    response = set_active(admin, staff, True)

    assert response.status_code == 302
    assert User.objects.get(pk=staff.pk).is_active
    assert not still_signed_in(desk)
