"""Passwords: at least twelve characters, none of the district's or the project's own
words, and a change-password page for every signed-in user."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from demo.network import DEMO_PASSWORD

User = get_user_model()
OLD = "correct horse battery staple"
NEW = "lantern river morning"


def _refusal(password: str, username: str = "liaison") -> list[str]:
    """What the rules say of `password`, in English (the site's default is Chinese)."""
    with translation.override("en"):
        try:
            validate_password(password, User(username=username))
        except ValidationError as error:
            return error.messages
    return []


@pytest.mark.parametrize(
    "password",
    [
        "xincheng",
        "Xincheng2026!Passphrase",
        "XIN-cheng 2026 long enough",
        "新城区政协委员工作室2026年",
        "our CPPCC members rock!",
        "zheng.xie.is.my.password",
        "welcome to Xi'an 2026!!",
        "西安欢迎你来走一走看一看",
        "workstation-2026-spring",
        "hansenzhai-2026-spring",
        "Hu Jia Miao 1234567890",
        "Changle West Road 2026",
        "长乐中路的委员之家欢迎您",
    ],
)
def test_a_password_with_the_districts_or_the_projects_own_words_is_refused(password):
    messages = _refusal(password)

    assert any("district" in message for message in messages), messages


def test_a_password_shorter_than_twelve_characters_is_refused():
    assert any("at least 12 characters" in m for m in _refusal("violet-owl1"))
    assert _refusal("violet-owl12") == []


def test_a_long_password_of_other_words_is_accepted():
    assert _refusal(NEW) == []


def test_the_demo_password_is_one_the_rules_accept():
    for username in ("admin", "staff-xiyilu", "member"):
        assert _refusal(DEMO_PASSWORD, username) == []


# --- the change-password page --------------------------------------------------------------


PERSONAS = ["administrator", "staff", "member_user"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_signed_in_user_gets_the_change_password_page_linked_from_the_header(
    sign_in, request, persona
):
    client = sign_in(request.getfixturevalue(persona))

    page = client.get(reverse("password_change"))
    dashboard = client.get(reverse("desk:dashboard")).content.decode()

    assert page.status_code == 200
    assert {"old_password", "new_password1", "new_password2"} <= set(page.context["form"].fields)
    assert "at least 12 characters" in page.content.decode()
    assert f'href="{reverse("password_change")}"' in dashboard


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_user_changes_their_password_and_stays_signed_in(sign_in, request, persona):
    user = request.getfixturevalue(persona)
    client = sign_in(user)

    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("password_change_done"), 302)]
    assert "Your password was changed." in response.content.decode()
    assert User.objects.get(pk=user.pk).check_password(NEW)
    assert client.get(reverse("desk:dashboard")).status_code == 200


def test_a_new_password_with_the_districts_words_is_refused_next_to_the_field(sign_in, staff):
    response = sign_in(staff).post(
        reverse("password_change"),
        {
            "old_password": OLD,
            "new_password1": "xincheng-2026-spring",
            "new_password2": "xincheng-2026-spring",
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["new_password2"]
    assert "district" in errors["new_password2"][0]
    assert "district" in response.content.decode()
    assert User.objects.get(pk=staff.pk).check_password(OLD)


def test_a_wrong_old_password_changes_nothing(sign_in, staff):
    response = sign_in(staff).post(
        reverse("password_change"),
        {"old_password": "not it at all", "new_password1": NEW, "new_password2": NEW},
    )

    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert User.objects.get(pk=staff.pk).check_password(OLD)


def test_anonymous_visitors_are_sent_to_sign_in_from_the_change_password_pages(client, db):
    for name in ("password_change", "password_change_done"):
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_change_password_page_refuses_other_methods(sign_in, staff):
    client = sign_in(staff)

    assert client.delete(reverse("password_change")).status_code == 405
    assert client.post(reverse("password_change_done")).status_code == 405
    assert User.objects.get(pk=staff.pk).check_password(OLD)
