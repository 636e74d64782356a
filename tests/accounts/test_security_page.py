"""Each account's second-factor page: setting one up (the QR code, the first code, the
recovery codes shown once), new recovery codes, a new phone, and removing it."""

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from audit.models import AuditAction, AuditEntry

from .helpers import code_of, give_factor, setup_code, with_password


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


@pytest.mark.parametrize("persona", ["staff", "member_user", "liaison"])
def test_anyone_signed_in_may_set_up_a_factor(clock, sign_in, request, persona):
    user = request.getfixturevalue(persona)
    client = sign_in(user)

    page = client.get("/account/second-factor/set-up/")

    assert page.status_code == 200
    assert b"<svg" in page.content and b'class="qr"' in page.content
    key = client.session[second_factor.SETUP_KEY]
    # Reloading shows the same key: the code already scanned stays right.
    client.get("/account/second-factor/set-up/")
    assert client.session[second_factor.SETUP_KEY] == key
    # Nothing is saved until the first code confirms it.
    assert not TOTPDevice.objects.filter(user=user).exists()

    confirmed = client.post("/account/second-factor/set-up/", {"code": setup_code(client)})

    assert confirmed.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    codes = client.get(confirmed["Location"])
    assert len(codes.context["codes"]) == second_factor.RECOVERY_CODE_COUNT
    # Shown once: the next look finds none and goes back to the page.
    assert client.get("/account/second-factor/recovery-codes/").status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.SECURITY, user=user, detail="second factor set up"
    ).exists()


def test_a_wrong_first_code_saves_nothing_and_says_so(clock, sign_in, staff):
    client = sign_in(staff)
    client.get("/account/second-factor/set-up/")

    response = client.post("/account/second-factor/set-up/", {"code": "12345a"})

    assert response.status_code == 200
    assert "That code is not right" in str(response.context["form"].errors["code"])
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert second_factor.SETUP_KEY in client.session


def test_an_administrators_first_set_up_finishes_signing_in(clock, administrator):
    client, _ = with_password(administrator)
    client.get("/account/second-factor/set-up/?next=/admin/")

    confirmed = client.post(
        "/account/second-factor/set-up/", {"code": setup_code(client), "next": "/admin/"}
    )

    assert not client.session.get(second_factor.DUE)
    codes = client.get(confirmed["Location"])
    assert codes.context["next"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_new_phone_replaces_the_old_one_and_its_recovery_codes(clock, sign_in, staff):
    old_codes = give_factor(staff)
    old_key = TOTPDevice.objects.get(user=staff).key
    client = sign_in(staff)
    page = client.get("/account/second-factor/set-up/")
    assert page.context["replacing"]

    client.post("/account/second-factor/set-up/", {"code": setup_code(client)})

    device = TOTPDevice.objects.get(user=staff)
    assert device.key != old_key
    left = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert left and not left & set(old_codes)


def test_new_recovery_codes_replace_the_old_ones(clock, sign_in, staff):
    old_codes = give_factor(staff)
    client = sign_in(staff)

    response = client.post("/account/second-factor/recovery-codes/")

    assert response.status_code == 302
    shown = client.get(response["Location"]).context["codes"]
    tokens = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert {code.replace("-", "") for code in shown} == tokens
    assert not tokens & set(old_codes)
    assert AuditEntry.objects.filter(action=AuditAction.SECURITY, detail="new recovery codes")


def test_an_account_without_a_factor_gets_no_recovery_codes(clock, sign_in, staff):
    client = sign_in(staff)

    client.post("/account/second-factor/recovery-codes/")

    assert not StaticToken.objects.filter(device__user=staff).exists()


def test_the_page_says_how_many_recovery_codes_are_left(clock, sign_in, staff):
    give_factor(staff)
    second_factor.device_accepting(staff, StaticToken.objects.first().token)

    page = sign_in(staff).get("/account/second-factor/")

    assert "You have 9 recovery codes left." in page.content.decode()


def test_staff_remove_their_factor_with_a_code(clock, sign_in, staff):
    give_factor(staff)
    client = sign_in(staff)

    response = client.post("/account/second-factor/remove/", {"code": code_of(staff)})

    assert response.status_code == 302
    assert not second_factor.has_factor(staff)
    assert not StaticToken.objects.filter(device__user=staff).exists()
    again, _ = with_password(staff)
    assert not again.session.get(second_factor.DUE)


def test_a_wrong_code_removes_nothing(clock, sign_in, staff):
    give_factor(staff)
    client = sign_in(staff)

    response = client.post("/account/second-factor/remove/", {"code": "000000"})

    assert response.status_code == 400
    assert "That code is not right" in str(response.context["remove_form"].errors["code"])
    assert second_factor.has_factor(staff)


def test_an_administrator_may_not_remove_theirs(clock, sign_in, administrator):
    client = sign_in(administrator)  # given a factor by signing in
    page = client.get("/account/second-factor/")
    assert b"/account/second-factor/remove/" not in page.content

    response = client.post("/account/second-factor/remove/", {"code": code_of(administrator)})

    assert response.status_code == 302
    assert second_factor.has_factor(administrator)


def test_the_page_speaks_chinese_by_default(clock, sign_in, staff):
    page = sign_in(staff, language="").get("/account/second-factor/")

    assert "设置双重验证" in page.content.decode()
