"""The admin index as the office reads it: in Chinese, every app and model (django-axes
included), in the order of the office's tasks. Read as the superuser, who holds all three
duties of administration and so sees every app (each duty's own share:
tests/test_admin.py)."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import UserFactory
from tests.signing import force_login
from workstations.admin_site import APP_ORDER

CJK = re.compile(r"[\u4e00-\u9fff]")


def names_as_shown(response) -> list[dict]:
    """The index's apps with their names and models' names in the page's language
    (they are lazy translations, read after the response)."""
    with translation.override(response["Content-Language"]):
        return [
            {
                **app,
                "name": str(app["name"]),
                "models": [{**m, "name": str(m["name"])} for m in app["models"]],
            }
            for app in response.context["app_list"]
        ]


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def app_list(client, superuser):
    force_login(client, superuser)
    response = client.get("/admin/")
    assert response.status_code == 200
    return names_as_shown(response)


def test_the_index_lists_the_apps_by_task_not_by_alphabet(app_list):
    labels = [app["app_label"] for app in app_list]
    assert labels == [label for label in APP_ORDER if label in labels]
    # Every app the project registers has its place; none falls to the end unordered.
    assert set(labels) == set(APP_ORDER)
    assert labels[0] == "visits" and labels[-1] == "auth"
    assert labels != sorted(labels)


def test_models_keep_the_order_their_admin_registers_them(app_list):
    visits = next(app for app in app_list if app["app_label"] == "visits")
    names = [model["object_name"] for model in visits["models"]]
    assert names.index("Visit") < names.index("Case") < names.index("CaseNumberSequence")


def test_every_app_and_model_is_named_in_chinese(app_list):
    untranslated = [
        name
        for app in app_list
        for name in [app["name"], *(model["name"] for model in app["models"])]
        if not CJK.search(name)
    ]
    assert untranslated == []
    axes = next(app for app in app_list if app["app_label"] == "axes")
    assert axes["name"] == "登录锁定"
    assert {model["name"] for model in axes["models"]} >= {"登录尝试", "登录日志"}


def test_in_english_the_apps_are_named_in_english(client, superuser):
    force_login(client, superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    names = [app["name"] for app in names_as_shown(client.get("/admin/"))]
    assert "Sign-in lockouts" in names and "Duty rosters" in names
    assert not any(CJK.search(name) for name in names)
