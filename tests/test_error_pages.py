"""The site's own error pages, with DEBUG off: 400, 403, 404, the refused form (CSRF),
500 and the database out of reach (503), in Chinese unless English was chosen, with the
site's header and a way back: to the column for the public, to the dashboard for staff."""

import logging
import re
from contextlib import contextmanager
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.template.loader import render_to_string
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import translation

from base import errors
from tests.signing import force_login
from visits.models import Visit

pytestmark = pytest.mark.django_db

HOME = reverse("public:column")
DASHBOARD = reverse("desk:dashboard")


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"


def visitor(language: str | None = None, **defaults) -> Client:
    client = Client(**defaults)
    client.raise_request_exception = False
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page(response) -> str:
    return response.content.decode()


def assert_site_page(html: str, language: str) -> None:
    """The site's header with the language switch, and no inline script or style (the
    content security policy would block them)."""
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html
    assert ("新城区政协" if language == "zh-hans" else "Xincheng District CPPCC") in html
    assert (">English</" if language == "zh-hans" else ">中文</") in html
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "an inline script"


def assert_way_back(html: str, href: str, label: str) -> None:
    assert re.search(rf'<a class="button[^"]*" href="{re.escape(href)}">{label}</a>', html)


@contextmanager
def database_down():
    """Every query fails as it does when the database server is gone."""

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')

    with mock.patch.object(BaseDatabaseWrapper, "_cursor", side_effect=refuse):
        yield


# 404


def test_a_missing_page_is_a_chinese_404_with_the_public_header_and_the_way_home():
    response = visitor().get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert_site_page(html, "zh-hans")
    assert "找不到该页面" in html and "请核对地址" in html
    assert_way_back(html, HOME, "返回首页")
    assert "Not Found" not in html


def test_a_missing_page_is_in_english_when_english_was_chosen():
    response = visitor("en").get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert_site_page(html, "en")
    assert "Page not found" in html
    assert_way_back(html, HOME, "Back to the home page")


def test_signed_in_staff_get_their_menu_and_the_way_to_the_dashboard(staff):
    client = visitor()
    force_login(client, staff)
    html = page(client.get("/no-such-page/"))
    assert_site_page(html, "zh-hans")
    assert "退出登录（liaison）" in html
    assert_way_back(html, DASHBOARD, "返回工作台")
    assert "返回首页" not in html


def test_a_case_that_is_not_there_is_the_same_404_page_for_staff(staff):
    client = visitor("en")
    force_login(client, staff)
    response = client.get(reverse("visits:case_receipt", args=["NO-SUCH-CASE"]))
    assert response.status_code == 404
    assert "Page not found" in page(response)


# 403 and the refused form


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [("zh-hans", "无权访问", "返回首页"), ("en", "Access denied", "Back to the home page")],
)
def test_a_forbidden_page_explains_whom_to_ask(language, heading, back):
    response = visitor(language).get("/__test__/forbidden/")
    assert response.status_code == 403
    html = page(response)
    assert_site_page(html, language)
    assert heading in html
    assert ("区政协机关" if language == "zh-hans" else "district office") in html
    assert_way_back(html, HOME, back)


def test_a_form_without_its_token_is_refused_in_chinese_with_what_to_do():
    response = visitor(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "liaison", "password": "whatever it is"}
    )
    assert response.status_code == 403
    html = page(response)
    assert_site_page(html, "zh-hans")
    assert "表单未能提交" in html
    assert "Cookie" in html and "刷新页面并重新提交" in html
    # Honest: a refused form is not among the forms base.kept_input keeps.
    assert "您填写的内容也没有保留" in html
    assert "CSRF verification failed" not in html
    assert_way_back(html, HOME, "返回首页")
    # A refused sign-in offers to sign in again.
    assert_way_back(html, reverse("login"), "重新登录")


def test_the_refused_form_page_in_english_for_signed_in_staff(staff):
    client = visitor("en", enforce_csrf_checks=True)
    force_login(client, staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    html = page(response)
    assert_site_page(html, "en")
    assert "The form was not accepted" in html and "what you typed was not kept" in html
    assert_way_back(html, DASHBOARD, "Back to the dashboard")
    assert "Sign in again" not in html


# 400


def test_a_request_for_another_host_is_a_400_page_of_ours():
    response = visitor("en").get("/", HTTP_HOST="not-this-site.example")
    assert response.status_code == 400
    html = page(response)
    assert_site_page(html, "en")
    assert "Request not understood" in html
    assert_way_back(html, HOME, "Back to the home page")


# 413


@pytest.mark.parametrize(
    ("language", "heading", "advice"),
    [
        ("zh-hans", "提交的内容过大", "没有保存任何内容"),
        ("en", "What you sent is too large", "nothing was saved"),
    ],
)
def test_a_form_over_the_size_limit_is_told_so_and_saves_nothing(
    settings, workstation, language, heading, advice
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    text = "楼道堆满杂物" * 1000  # 18 kB once encoded

    response = visitor(language).post(
        reverse("public:submit"), {"workstation": workstation.pk, "text": text}
    )

    assert response.status_code == 413
    html = page(response)
    assert_site_page(html, language)
    assert heading in html and advice in html
    assert Visit.objects.count() == 0


def test_a_request_with_too_many_fields_is_told_so_too(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10

    response = visitor("en").post(reverse("public:submit"), {f"f{n}": "x" for n in range(20)})

    assert response.status_code == 413


# 500


def test_the_site_answers_its_errors_with_its_own_handler():
    assert get_resolver("config.urls").resolve_error_handler(500) is errors.server_error


@pytest.mark.parametrize(
    ("language", "heading", "back"),
    [("zh-hans", "系统出错", "返回首页"), ("en", "Something went wrong", "Back to the home page")],
)
def test_a_defect_is_a_500_page_in_the_chosen_language(language, heading, back):
    response = visitor(language).get("/__test__/broken/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    html = page(response)
    assert_site_page(html, language)
    assert heading in html
    assert "Server Error (500)" not in html
    assert_way_back(html, HOME, back)
    assert_way_back(
        html,
        DASHBOARD,
        "工作人员：返回工作台" if language == "zh-hans" else "Staff: back to the dashboard",
    )


def test_the_500_page_renders_with_nothing_but_its_template():
    # Django's own handler, and ours, render it without the request: no user, no
    # context processors, no database.
    with translation.override("zh-hans"), database_down():
        html = render_to_string("500.html")
    assert_site_page(html, "zh-hans")
    assert "系统出错" in html


def test_the_500_page_shows_when_the_context_processors_fail(settings):
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [
        {
            **engine,
            "OPTIONS": {
                **engine["OPTIONS"],
                "context_processors": [
                    *engine["OPTIONS"]["context_processors"],
                    "tests.error_urls.failing_context_processor",
                ],
            },
        }
    ]
    # The 404 page needs them; its failure ends on the 500 page, which does not.
    response = visitor().get("/no-such-page/")
    assert response.status_code == 500
    assert "系统出错" in page(response)


# 503


def test_the_database_down_under_signed_in_staff_is_a_chinese_503_logged_once(staff, caplog):
    client = visitor()
    force_login(client, staff)
    caplog.set_level(logging.INFO)
    with database_down():
        response = client.get(DASHBOARD)
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    # Still signed in once the database is back: the session cookie is left alone.
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    html = page(response)
    assert_site_page(html, "zh-hans")
    assert "服务暂时不可用" in html and "无法连接数据库" in html
    assert "Server Error" not in html
    logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(logged) == 1, [record.getMessage() for record in logged]
    assert isinstance(logged[0].exc_info[1], OperationalError)
    assert logged[0].getMessage() == f"Service Unavailable: {DASHBOARD}"


def test_the_database_down_on_a_public_page_is_a_503_in_english_when_chosen():
    with database_down():
        response = visitor("en").get(HOME)
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    html = page(response)
    assert_site_page(html, "en")
    assert "Service temporarily unavailable" in html
    assert_way_back(html, HOME, "Back to the home page")


def test_the_database_down_while_a_404_page_looks_up_the_user_is_a_503(staff):
    # The error raised outside any view: by the context processors of the 404 page.
    client = visitor()
    force_login(client, staff)
    with database_down():
        response = client.get("/no-such-page/")
    assert response.status_code == 503
    assert "服务暂时不可用" in page(response)


def test_a_database_error_raised_by_a_view_is_a_503():
    response = visitor().get("/__test__/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)


def test_the_language_switch_of_the_503_page_returns_to_the_page_or_home_after_a_post():
    switch = reverse("public:preferences") + "?language=en&amp;next="
    with database_down():
        shown = page(visitor().get(reverse("public:stats")))
        posted = page(visitor().post(reverse("public:submit"), {}))
    assert f'href="{switch}/stats/"' in shown
    assert f'href="{switch}/"' in posted


def test_the_health_check_keeps_its_own_plain_503():
    with database_down():
        response = visitor().get(reverse("healthz"))
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


def test_when_even_the_error_template_fails_plain_words_remain():
    with mock.patch("base.errors.render_to_string", side_effect=RuntimeError("a broken template")):
        broken = visitor().get("/__test__/broken/")
        gone = visitor("en").get("/__test__/database-gone/")
    assert broken.status_code == 500
    assert "系统出错，请稍后再试。" in page(broken)
    assert gone.status_code == 503
    assert "The service is temporarily unavailable" in page(gone)
