"""The superuser is a break-glass account: each of its sign-ins, on either sign-in page,
is in the audit log ("sign_in"), and the admin index lists the latest ones (time,
account, address) to the administrators. An administrator's sign-in is not one."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEntry

from .factories import UserFactory
from .stories import SHANGHAI

PASSWORD = "correct horse battery staple"


@pytest.fixture
def superuser(db):
    return UserFactory(username="break-glass", is_staff=True, is_superuser=True)


def sign_ins() -> list[tuple]:
    return list(
        AuditEntry.objects.filter(action=AuditAction.SIGN_IN).values_list(
            "user__username", "ip_address", "target"
        )
    )


@pytest.mark.parametrize("page", ["/admin/login/", "/login/"])
def test_a_superusers_sign_in_is_audited(client, superuser, page):
    response = client.post(
        page, {"username": "break-glass", "password": PASSWORD}, REMOTE_ADDR="10.2.3.4"
    )

    assert response.status_code == 302
    assert sign_ins() == [("break-glass", "10.2.3.4", f"user {superuser.pk}")]


@pytest.mark.parametrize("page", ["/admin/login/", "/login/"])
def test_an_administrators_sign_in_is_not(client, administrator, page):
    response = client.post(page, {"username": "admin", "password": PASSWORD})

    assert response.status_code == 302
    assert sign_ins() == []


def test_the_admin_index_lists_the_superusers_sign_ins(
    client, sign_in, superuser, administrator, time_machine
):
    time_machine.move_to(datetime(2026, 3, 2, 7, 45, tzinfo=SHANGHAI), tick=False)
    client.post(
        "/admin/login/", {"username": "break-glass", "password": PASSWORD}, REMOTE_ADDR="10.2.3.4"
    )

    index = sign_in(administrator).get("/admin/").content.decode()

    table = index[index.index('id="superuser-sign-ins"') :]
    assert "<td>2026-03-02 07:45</td><td>break-glass</td><td>10.2.3.4</td>" in table


def test_the_index_lists_nothing_when_no_superuser_signed_in(sign_in, administrator):
    assert 'id="superuser-sign-ins"' not in sign_in(administrator).get("/admin/").content.decode()


def test_the_index_reads_the_sign_ins_in_one_query_however_many(sign_in, administrator, superuser):
    admin = sign_in(administrator)
    sign_in(superuser)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get("/admin/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(6):
        sign_in(UserFactory(username=f"root-{n}", is_staff=True, is_superuser=True))

    assert queries() == one
    assert AuditEntry.objects.filter(action=AuditAction.SIGN_IN, user__isnull=False).count() == 7
