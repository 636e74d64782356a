"""The visitor's preferences (language, care mode) and the public page cache."""

import time
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from public.cache import PAGE_SECONDS, cached_for_visitors, page_key
from public.preferences import CARE_COOKIE


def test_english_is_chosen_with_a_link_and_remembered_in_a_cookie(client):
    response = client.get(reverse("public:preferences"), {"language": "en", "next": "/stats/"})

    assert response.status_code == 302 and response["Location"] == "/stats/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 365 * 24 * 3600


def test_care_mode_is_switched_on_and_off_and_stays_on(client):
    on = client.get(reverse("public:preferences"), {"care": "on", "next": "/"})
    assert on.cookies[CARE_COOKIE].value == "1"
    assert on.cookies[CARE_COOKIE]["max-age"] == 365 * 24 * 3600

    off = client.get(reverse("public:preferences"), {"care": "off", "next": "/"})
    assert off.cookies[CARE_COOKIE].value == ""


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_the_return_address_never_leaves_the_site(client, target):
    response = client.get(reverse("public:preferences"), {"language": "en", "next": target})
    assert response["Location"] == "/"


@pytest.mark.parametrize("target", ["99999999999999999999", "-1", "public:stats", "stats"])
def test_a_return_address_that_is_no_path_goes_to_the_column(client, target):
    # redirect() took a bare word for a view's name: NoReverseMatch, a 500.
    client.raise_request_exception = False
    response = client.get(reverse("public:preferences"), {"language": "en", "next": target})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_an_unknown_language_sets_nothing(client):
    response = client.get(reverse("public:preferences"), {"language": "xx"})
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_preferences_answer_get_only(client):
    assert client.post(reverse("public:preferences"), {"care": "on"}).status_code == 405


# The page cache, on a view of its own so that only the decorator is under test.

rendered = []


@cached_for_visitors
def counting_view(request):
    rendered.append(request.path)
    return HttpResponse(f"page {len(rendered)}")


@cached_for_visitors
def form_view(request):
    return HttpResponse(f"token {get_token(request)}")


def get(view, path="/x/", user=None, cookies=None):
    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    request.COOKIES.update(cookies or {})
    return view(request)


@pytest.fixture(autouse=True)
def no_renders():
    rendered.clear()


def test_a_second_visitor_gets_the_stored_page_without_running_the_view():
    first, second = get(counting_view), get(counting_view)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == b"page 1" and len(rendered) == 1
    assert "Cookie" in second["Vary"] and "public" in second["Cache-Control"]


@cached_for_visitors(params=("year",))
def yearly_view(request):
    rendered.append(request.get_full_path())
    return HttpResponse(f"year {request.GET.get('year')}")


def test_each_address_and_parameter_the_view_reads_is_stored_apart():
    get(counting_view, "/x/")
    get(counting_view, "/y/")
    get(yearly_view, "/x/?year=2025")
    get(yearly_view, "/x/?year=2024")
    assert len(rendered) == 4


def test_other_query_strings_are_the_same_page_and_cannot_force_a_render():
    get(counting_view, "/x/")
    for n in range(5):
        assert get(counting_view, f"/x/?junk={n}")["X-Page-Cache"] == "hit"
    assert get(yearly_view, "/x/?year=2025&junk=1").content == b"year 2025"
    assert get(yearly_view, "/x/?junk=2&year=2025")["X-Page-Cache"] == "hit"
    assert len(rendered) == 2


def test_a_visitor_with_a_session_gets_a_page_no_shared_proxy_may_keep():
    response = get(counting_view, cookies={"sessionid": "abc"})
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert "public" in get(counting_view)["Cache-Control"]


def test_the_care_mode_and_the_language_have_pages_of_their_own():
    get(counting_view)
    get(counting_view, cookies={CARE_COOKIE: "1"})
    with translation.override("en"):
        get(counting_view)
    assert len(rendered) == 3


def test_a_signed_in_user_is_never_served_nor_stored(administrator):
    get(counting_view)  # stored for visitors

    response = get(counting_view, user=administrator)

    assert response.content == b"page 2" and "X-Page-Cache" not in response
    assert get(counting_view)["X-Page-Cache"] == "hit"
    assert get(counting_view).content == b"page 1"


def test_a_page_carrying_a_csrf_token_is_never_stored():
    first, second = get(form_view), get(form_view)
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "miss")
    assert first.content != second.content  # each visitor their own token


def test_a_stale_page_is_rendered_again_by_one_request_while_the_others_get_the_old_one(
    monkeypatch,
):
    clock = [time.time()]
    monkeypatch.setattr("public.cache.time", lambda: clock[0])
    get(counting_view)  # rendered and stored: fresh for a minute
    clock[0] += PAGE_SECONDS + 1
    cache.add(f"{page_key_of('/x/')}:render", 1)  # another worker is rendering it now

    meanwhile = get(counting_view)
    assert (meanwhile["X-Page-Cache"], meanwhile.content) == ("hit", b"page 1")

    cache.delete(f"{page_key_of('/x/')}:render")  # that worker died without storing
    renderer = get(counting_view)
    assert (renderer["X-Page-Cache"], renderer.content) == ("miss", b"page 2")
    assert get(counting_view).content == b"page 2"
    assert len(rendered) == 2


def page_key_of(path: str) -> str:
    request = RequestFactory().get(path)
    return page_key(request)


def test_at_midnight_every_page_is_rendered_afresh_and_kept_no_later(time_machine):
    # The pages say who is on duty today: yesterday's copy, fresh a minute ago, must not
    # be served on the new day, nor kept by a browser or proxy past midnight.
    day = datetime(2026, 6, 17, 23, 59, 30)
    time_machine.move_to(timezone.make_aware(day), tick=False)
    evening = get(counting_view)
    assert (evening.content, evening["X-Page-Cache"]) == (b"page 1", "miss")
    assert "max-age=30" in evening["Cache-Control"]
    assert get(counting_view)["X-Page-Cache"] == "hit"

    time_machine.move_to(timezone.make_aware(day + timedelta(seconds=40)), tick=False)
    morning = get(counting_view)

    assert (morning.content, morning["X-Page-Cache"]) == (b"page 2", "miss")
    assert f"max-age={PAGE_SECONDS}" in morning["Cache-Control"]
