"""Optional TOTP second factor for staff: set up with a QR code, then asked for at every sign-in."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.core.models import AuditEntry
from gongzhi.testing import PASSWORD


def code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def enable(client, username):
    client.login(username=username, password=PASSWORD)
    page = client.post("/accounts/two-factor/", {"step": "begin"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "totp-secret" in html
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    response = client.post("/accounts/two-factor/", {"step": "confirm", "token": code(device)})
    assert response.status_code == 302
    client.logout()
    return TOTPDevice.objects.get(user__username=username, confirmed=True)


def test_staff_turns_it_on_and_then_needs_the_code_to_sign_in(client, world):
    device = enable(client, "steward")
    assert AuditEntry.objects.filter(action="two_factor.enable", actor__username="steward").exists()

    response = client.post("/accounts/login/", {"username": "steward", "password": PASSWORD, "next": "/privacy/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/"
    assert "_auth_user_id" not in client.session  # not signed in on the password alone
    assert client.get("/privacy/").status_code == 302

    wrong = client.post("/accounts/login/verify/", {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    # The code used at setup is spent; the next one (within the allowed clock drift) works.
    ok = client.post("/accounts/login/verify/", {"token": code(device, offset=1)})
    assert ok.status_code == 302 and ok["Location"] == "/privacy/"
    assert client.get("/privacy/").status_code == 200


def test_the_same_code_cannot_be_used_twice(client, world):
    device = enable(client, "community_worker")
    client.post("/accounts/login/", {"username": "community_worker", "password": PASSWORD})
    token = code(device, offset=1)
    assert client.post("/accounts/login/verify/", {"token": token}).status_code == 302
    client.logout()
    client.post("/accounts/login/", {"username": "community_worker", "password": PASSWORD})
    replay = client.post("/accounts/login/verify/", {"token": token})
    assert replay.status_code == 200
    assert "_auth_user_id" not in client.session


def test_wrong_code_at_setup_leaves_it_off(client, world):
    client.login(username="steward", password=PASSWORD)
    client.post("/accounts/two-factor/", {"step": "begin"})
    for bad in ("12345", "abcdef", "000000000"):
        response = client.post("/accounts/two-factor/", {"step": "confirm", "token": bad})
        assert response.status_code == 200
        assert "验证码" in response.content.decode()
    assert not TOTPDevice.objects.filter(user__username="steward", confirmed=True).exists()


def test_turning_it_off_needs_a_current_code(client, world):
    device = enable(client, "steward")
    client.login(username="steward", password=PASSWORD)
    refused = client.post("/accounts/two-factor/", {"step": "disable", "token": "999999"})
    assert refused.status_code == 200 and TOTPDevice.objects.filter(pk=device.pk).exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    ok = client.post("/accounts/two-factor/", {"step": "disable", "token": code(device, offset=1)})
    assert ok.status_code == 302
    assert not TOTPDevice.objects.filter(user__username="steward").exists()
    assert client.post("/accounts/login/", {"username": "steward", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 302),
        ("resident", 403),
        ("other_resident", 403),
        ("building_head", 200),
        ("supervisor", 200),
        ("steward", 200),
        ("committee_chair", 200),
        ("branch_secretary", 200),
        ("community_worker", 200),
        ("subdistrict_admin", 200),
    ],
)
def test_setup_page_is_for_staff(client_for, persona, status):
    assert client_for(persona).get("/accounts/two-factor/").status_code == status


def test_verify_page_without_a_password_first_goes_back_to_login(client, world):
    response = client.get("/accounts/login/verify/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
