"""Headers, CSRF, login lockout and rate limits, as a browser or an attacker would meet them."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from gongzhi.core.models import AuditEntry
from gongzhi.core.ratelimit import parse_rate, ratelimit
from gongzhi.testing import PASSWORD


@pytest.fixture
def limits_on(settings):
    settings.RATELIMIT_ENABLED = True
    cache.clear()
    yield settings
    cache.clear()


def test_every_page_carries_the_security_headers(client, world):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera" in response["Permissions-Policy"]


def test_health_answers_without_a_session_and_checks_the_database(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_login_without_csrf_token_is_refused(world):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, world):
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "resident", "password": "wrong-password-1"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    # The fifth failure locks.
    response = client.post("/accounts/login/", {"username": "resident", "password": "wrong-password-1"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked.
    response = client.post("/accounts/login/", {"username": "steward", "password": PASSWORD})
    assert response.status_code == 302


def test_a_right_password_resets_the_failure_count(client, world):
    for _ in range(4):
        client.post("/accounts/login/", {"username": "resident", "password": "wrong-password-1"})
    assert client.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 302
    client.logout()
    for _ in range(4):
        client.post("/accounts/login/", {"username": "resident", "password": "wrong-password-1"})
    assert client.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 302


def test_login_posts_are_rate_limited_per_address(client, world, limits_on):
    limits_on.GONGZHI = {**limits_on.GONGZHI, "RATE_LIMITS": {**limits_on.GONGZHI["RATE_LIMITS"], "login": "3/m"}}
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "nobody", "password": "x"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "resident", "password": PASSWORD})
    assert response.status_code == 429
    assert "操作过于频繁" in response.content.decode()
    assert int(response["Retry-After"]) >= 1
    assert "_auth_user_id" not in client.session
    # Reading the page is never limited; another address is counted on its own.
    assert client.get("/accounts/login/").status_code == 200
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.post("/accounts/login/", {"username": "resident", "password": PASSWORD}).status_code == 302


def test_rate_limit_decorator_answers_json_for_the_api(rf, limits_on):
    @ratelimit("test", rate="2/h")
    def view(request):
        from django.http import JsonResponse

        return JsonResponse({"ok": True})

    codes = [view(rf.post("/api/v1/thing")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = view(rf.post("/api/v1/thing"))
    assert refused["Content-Type"].startswith("application/json")
    assert json.loads(refused.content)["detail"] == "操作过于频繁，请稍后再试"
    assert view(rf.get("/api/v1/thing")).status_code == 200


def test_rate_limits_are_off_in_the_suite_unless_a_test_turns_them_on(rf):
    @ratelimit("test", rate="1/h")
    def view(request):
        from django.http import HttpResponse

        return HttpResponse("ok")

    assert [view(rf.post("/x")).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.parametrize("rate", ["20", "x/m", "5/w", "5/0m", ""])
def test_malformed_rates_are_refused_at_start(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_parse_rate():
    assert parse_rate("20/m") == (20, 60)
    assert parse_rate("100/2h") == (100, 7200)


def test_admin_login_goes_through_the_one_sign_in_page(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_locked_out_login_leaves_no_audit_or_session(client, world):
    before = AuditEntry.objects.count()
    for _ in range(6):
        client.post("/accounts/login/", {"username": "resident", "password": "wrong-password-1"})
    assert AuditEntry.objects.count() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "10"),
        ("1234567890123", "密码只包含数字"),
        ("password1234", "这个密码太常见了"),
        ("wangxiaoming2024", "太相似"),
    ],
)
def test_password_policy_refuses_weak_passwords(world, password, message):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.utils import translation

    user = world.users["resident"]
    user.username = "wangxiaoming2024"
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert any(message in text for text in refused.value.messages), refused.value.messages


def test_password_policy_accepts_a_good_password(world):
    from django.contrib.auth.password_validation import validate_password

    validate_password("青阳-lantern-river-42", world.users["resident"])


def test_api_writes_with_a_session_need_the_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(world.users["resident"])
    body = {"estate": world.estate.pk, "description": "楼道灯不亮"}
    refused = strict.post("/api/v1/cases/", body, content_type="application/json")
    assert refused.status_code == 403
    strict.get("/privacy/")  # any page sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    accepted = strict.post("/api/v1/cases/", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
