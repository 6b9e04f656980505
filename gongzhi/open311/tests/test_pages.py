import pytest
from django.urls import reverse

from gongzhi.open311 import services
from gongzhi.open311.models import ApiKey, AppToken, digest


@pytest.mark.parametrize(
    "persona,allowed",
    [
        ("resident", False),
        ("other_resident", False),
        ("building_head", False),
        ("supervisor", False),
        ("steward", False),
        ("committee_chair", False),
        ("branch_secretary", False),
        ("community_worker", True),
        ("subdistrict_admin", True),
        (None, False),
    ],
)
def test_key_page_permission_matrix(client_for, world, persona, allowed):
    client = client_for(persona)
    response = client.get(reverse("open311:keys"))
    if persona is None:
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if allowed else 403)
    issued = client.post(reverse("open311:keys"), {"name": "合作平台", "place": world.estate.pk})
    assert ApiKey.objects.exists() == allowed
    if allowed:
        assert issued.status_code == 200


def test_issue_shows_the_secret_once_and_stores_only_its_digest(client_for, world):
    client = client_for("community_worker")
    response = client.post(reverse("open311:keys"), {"name": "共建单位应用", "place": world.community.pk})
    text = response.content.decode()
    key = ApiKey.objects.get()
    secret = text.split('data-testid="issued-secret"')[1].split('value="')[1].split('"')[0]
    assert secret.startswith("gzk_") and key.key_digest == digest(secret)
    assert secret not in client.get(reverse("open311:keys")).content.decode()
    assert services.api_key_for_secret(secret) == key


def test_worker_cannot_issue_for_a_place_outside_their_community(client_for, world):
    # The community worker's scope is 阳光社区; 梅岭新村 is not in the choices, and the service refuses it.
    response = client_for("community_worker").post(
        reverse("open311:keys"), {"name": "越权", "place": world.other_estate.pk}
    )
    assert response.status_code == 400
    assert "请选择适用范围" in response.content.decode()
    assert ApiKey.objects.count() == 0


def test_issue_needs_a_name(client_for, world):
    response = client_for("subdistrict_admin").post(reverse("open311:keys"), {"name": " ", "place": world.estate.pk})
    assert response.status_code == 400
    assert "请填写密钥名称" in response.content.decode()
    assert ApiKey.objects.count() == 0


def test_revoke_a_key(client_for, world, partner_key):
    client = client_for("community_worker")
    response = client.post(reverse("open311:key-revoke", args=[partner_key.pk]), follow=True)
    assert "已吊销密钥" in response.content.decode()
    partner_key.refresh_from_db()
    assert not partner_key.is_active
    assert services.api_key_for_secret(partner_key.secret) is None
    again = client.post(reverse("open311:key-revoke", args=[partner_key.pk]), follow=True)
    assert "该密钥已吊销" in again.content.decode()


def test_outsiders_cannot_revoke_a_key(client_for, world, partner_key):
    assert client_for("steward").post(reverse("open311:key-revoke", args=[partner_key.pk])).status_code == 404
    partner_key.refresh_from_db()
    assert partner_key.is_active


def test_app_tokens_page_create_and_revoke(client_for, world):
    client = client_for("resident")
    response = client.post(reverse("open311:app-tokens"), {"name": "我的手机"})
    text = response.content.decode()
    secret = text.split('data-testid="issued-token"')[1].split('value="')[1].split('"')[0]
    token = AppToken.objects.get(user=world.users["resident"])
    assert services.user_for_token(secret) == world.users["resident"]
    # Someone else cannot revoke it.
    client_for("other_resident").post(reverse("open311:app-tokens-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.is_active
    client = client_for("resident")
    client.post(reverse("open311:app-tokens-revoke", args=[token.pk]))
    token.refresh_from_db()
    assert not token.is_active
    assert services.user_for_token(secret) is None


def test_app_token_needs_a_device_name(client_for, world):
    response = client_for("resident").post(reverse("open311:app-tokens"), {"name": ""})
    assert response.status_code == 400
    assert "请填写设备名称" in response.content.decode()
    assert AppToken.objects.count() == 0


def test_the_key_may_name_a_partner_unit_the_issuer_manages(client_for, world):
    response = client_for("community_worker").post(
        reverse("open311:keys"), {"name": "城管", "place": world.estate.pk, "organization": world.department.pk}
    )
    assert response.status_code == 400 and "合作单位无效" in response.content.decode()
    assert ApiKey.objects.count() == 0
    client_for("subdistrict_admin").post(
        reverse("open311:keys"), {"name": "城管", "place": world.estate.pk, "organization": world.department.pk}
    )
    assert ApiKey.objects.get().organization == world.department
