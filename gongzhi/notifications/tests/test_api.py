import json

from gongzhi.notifications import services
from gongzhi.open311 import services as tokens


def test_inbox_over_the_api_with_an_app_token(world, client, settings):
    settings.GONGZHI_NOTIFICATION_SENDERS = {}
    resident = world.users["resident"]
    first = services.notification_send(users=[resident], title="您的诉求已派单", url="/cases/1/")[0]
    services.notification_send(users=[resident], title="请评价")
    services.notification_send(users=[world.users["other_resident"]], title="别人的")
    _token, secret = tokens.app_token_issue(acting_user=resident, name="手机")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    body = client.get("/api/v1/notifications/", **auth).json()
    assert body["unread"] == 2
    assert [n["title"] for n in body["results"]] == ["请评价", "您的诉求已派单"]
    read = client.post(f"/api/v1/notifications/{first.pk}/read", **auth)
    assert read.status_code == 200 and read.json()["read_at"]
    assert client.get("/api/v1/notifications/?unread_only=true", **auth).json()["unread"] == 1
    assert client.post("/api/v1/notifications/read-all", **auth).json() == {"marked": 1}


def test_someone_elses_notification_is_not_found(world, client, settings):
    settings.GONGZHI_NOTIFICATION_SENDERS = {}
    other = services.notification_send(users=[world.users["other_resident"]], title="别人的")[0]
    _token, secret = tokens.app_token_issue(acting_user=world.users["resident"], name="手机")
    response = client.post(f"/api/v1/notifications/{other.pk}/read", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 404
    assert json.loads(response.content)["detail"] == "通知不存在"
    other.refresh_from_db()
    assert other.read_at is None


def test_the_inbox_api_needs_a_sign_in(db, client):
    assert client.get("/api/v1/notifications/").status_code == 401
