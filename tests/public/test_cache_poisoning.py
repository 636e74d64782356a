"""The public page cache cannot be poisoned: parameters a page does not read neither
make a page of their own nor appear in the stored page every visitor gets."""

from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from public.cache import page_key

MARKER = "MARKER7f3a"


def test_a_parameter_the_page_does_not_read_never_reaches_the_stored_page(workstation):
    first = Client().get("/", {"utm": MARKER})
    second = Client().get("/")

    assert first.status_code == second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    assert MARKER not in first.content.decode()
    assert MARKER not in second.content.decode()


def test_the_switch_links_keep_the_parameters_the_page_reads_and_only_those(workstation):
    page = Client().get("/stats/", {"year": "2025", "utm": MARKER}).content.decode()

    assert "next=/stats/%3Fyear%3D2025" in page
    assert MARKER not in page


def test_the_cache_key_ignores_a_parameter_the_page_does_not_read():
    def key(path: str) -> str:
        request = RequestFactory().get(path)
        request.user = AnonymousUser()
        return page_key(request)

    assert key(f"/?utm={MARKER}") == key("/")
    assert key(f"/?utm={MARKER}&year=2025") == key("/")
