"""The cases JSON API (/api/v1/cases/): the same permissions and services as the pages."""

import datetime
import io
import json
import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from gongzhi.cases.models import Case, CaseEvent, CaseState
from gongzhi.open311 import services as tokens
from gongzhi.testing import PASSWORD

API = "/api/v1/cases"


def post(client, path, body=None, **extra):
    return client.post(f"{API}{path}", json.dumps(body or {}), content_type="application/json", **extra)


def png(name="fix.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (20, 160, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def api_case(world, client_for):
    response = post(
        client_for("resident"),
        "/",
        {"estate": world.estate.pk, "description": "2号楼电梯按钮失灵", "category": "elevator"},
    )
    assert response.status_code == 201, response.content
    return Case.objects.get(pk=response.json()["id"])


REPORTERS = {
    "resident": 201,
    "other_resident": 403,  # lives in another estate
    "building_head": 201,
    "supervisor": 201,
    "steward": 403,  # works cases, does not file them
    "committee_chair": 201,
    "branch_secretary": 201,
    "community_worker": 201,
    "subdistrict_admin": 201,
    None: 401,
}


@pytest.mark.parametrize("persona,status", REPORTERS.items())
def test_report_permission_matrix(world, client_for, persona, status):
    response = post(client_for(persona), "/", {"estate": world.estate.pk, "description": "路灯不亮"})
    assert response.status_code == status, response.content
    assert Case.objects.count() == (1 if status == 201 else 0)
    if status != 201:
        assert "detail" in response.json()


def test_resident_report_comes_back_with_number_and_timeline(world, client_for):
    response = post(
        client_for("resident"),
        "/",
        {
            "estate": world.estate.pk,
            "description": "2号楼门口积水\n下雨就淹",
            "category": "sanitation",
            "building": world.buildings[1].pk,
            "is_anonymous": True,
        },
    )
    created = response.json()
    assert created["number"].startswith("GZ") and created["state"] == "received" and created["state_label"] == "已受理"
    body = client_for("resident").get(created["url"]).json()
    assert body["number"] == created["number"]
    assert body["title"] == "2号楼门口积水"
    assert body["building"] == "2号楼" and body["category"] == "环境卫生"
    assert [e["kind"] for e in body["timeline"]] == ["created"]
    assert body["reporter"] == "王小明"  # the reporter sees their own name
    # Staff do not see the name of an anonymous reporter.
    staff_view = client_for("community_worker").get(f"{API}/{body['id']}").json()
    assert staff_view["reporter"] == ""
    assert "dispatch" in staff_view["allowed_actions"]


@pytest.mark.parametrize(
    "body,message",
    [
        ({"description": "  "}, "请描述遇到的问题"),
        ({"category": "nope"}, "类别不存在"),
        ({"estate": 999999}, "小区不存在"),
        ({"latitude": 24.8}, "位置需同时包含经度和纬度"),
        ({"channel": "hotline"}, "只有热线和接待人员可以代为登记"),
        ({"responsible": "the estate's company"}, "您不能直接指定责任方"),
    ],
)
def test_bad_reports_are_refused_and_change_nothing(world, client_for, body, message):
    payload = {"estate": world.estate.pk, "description": "楼道灯坏了", **body}
    if "responsible" in body:
        payload["responsible"] = world.company.pk
    response = post(client_for("resident"), "/", payload)
    assert response.status_code in (400, 403)
    assert message in response.json()["detail"]
    assert Case.objects.count() == 0


def test_the_whole_loop_through_the_api(world, client_for, api_case):
    worker = client_for("community_worker")
    choices = worker.get(f"{API}/{api_case.pk}/responsible-choices").json()
    assert choices["suggested"]["id"] == world.company.pk
    assert world.company.pk in {c["id"] for c in choices["choices"]}
    body = post(worker, f"/{api_case.pk}/dispatch", {"responsible": world.company.pk, "note": "请尽快处理"}).json()
    assert body["state"] == "dispatched" and body["responsible"] == "红心物业" and body["deadline"]

    steward = client_for("steward")
    assert set(steward.get(f"{API}/{api_case.pk}").json()["allowed_actions"]) >= {"sign", "reply", "resolve", "return"}
    assert post(steward, f"/{api_case.pk}/sign").json()["state"] == "signed"
    assert post(steward, f"/{api_case.pk}/reply", {"note": "师傅下午上门"}).status_code == 200
    resolved = client_for("steward").post(
        f"{API}/{api_case.pk}/resolve-with-photos", {"note": "已更换按钮", "photos": [png()]}
    )
    assert resolved.status_code == 200, resolved.content
    body = resolved.json()
    assert body["state"] == "resolved"
    assert len(body["timeline"][-1]["photos"]) == 1

    resident = client_for("resident")
    assert resident.get(f"{API}/{api_case.pk}").json()["allowed_actions"] == ["review"]
    reviewed = post(
        resident, f"/{api_case.pk}/review", {"solved": True, "rating": "satisfied", "comment": "谢谢"}
    ).json()
    assert reviewed["state"] == "reviewed" and reviewed["rating"] == "satisfied"
    kinds = [e["kind"] for e in reviewed["timeline"]]
    steps = ["created", "dispatched", "signed", "replied", "resolved", "reviewed"]
    assert [k for k in kinds if k in steps] == steps
    # The responsible party's name is shown, not the steward's.
    assert any(e["actor"] == "红心物业" for e in reviewed["timeline"] if e["kind"] == "signed")


def test_not_solved_reopens_for_rework(world, client_for, api_case):
    post(client_for("community_worker"), f"/{api_case.pk}/dispatch", {"responsible": world.company.pk})
    post(client_for("steward"), f"/{api_case.pk}/resolve", {"note": "已处理"})
    missing = post(client_for("resident"), f"/{api_case.pk}/review", {"solved": False, "rating": "dissatisfied"})
    assert missing.status_code == 400 and "请说明" in missing.json()["detail"]
    body = post(
        client_for("resident"),
        f"/{api_case.pk}/review",
        {"solved": False, "rating": "dissatisfied", "comment": "还是坏的"},
    ).json()
    assert body["state"] == "dispatched"
    assert body["timeline"][-1]["kind"] == "reopened"


def test_refusals_have_the_right_status_and_change_nothing(world, client_for, api_case):
    events = CaseEvent.objects.count()
    # Sees the case but may not dispatch: 403.
    response = post(client_for("steward"), f"/{api_case.pk}/dispatch", {"responsible": world.company.pk})
    assert response.status_code == 403 and response.json()["detail"] == "您没有权限执行此操作"
    # Does not see it: 404.
    response = post(client_for("other_resident"), f"/{api_case.pk}/dispatch", {"responsible": world.company.pk})
    assert response.status_code == 404 and response.json()["detail"] == "诉求不存在"
    assert client_for("other_resident").get(f"{API}/{api_case.pk}").status_code == 404
    assert client_for("resident").get(f"{API}/999999").status_code == 404
    worker = client_for("community_worker")
    # Wrong state: 409.
    response = post(worker, f"/{api_case.pk}/close", {"note": "x"})
    assert response.status_code == 409 and "当前状态" in response.json()["detail"]
    # A deadline in the past: 400.
    past = (timezone.now() - datetime.timedelta(hours=1)).isoformat()
    response = post(worker, f"/{api_case.pk}/dispatch", {"responsible": world.company.pk, "deadline": past})
    assert response.status_code == 400 and response.json()["detail"] == "办理时限不能早于现在"
    # Empty reason: 400.
    response = post(worker, f"/{api_case.pk}/reject", {"reason": " "})
    assert response.status_code == 400 and "理由" in response.json()["detail"]
    # A body that is not valid: 422 from the schema, nothing done.
    assert post(worker, f"/{api_case.pk}/dispatch", {"responsible": "红心物业"}).status_code == 422
    api_case.refresh_from_db()
    assert api_case.state == CaseState.RECEIVED and api_case.responsible is None
    assert CaseEvent.objects.count() == events


def test_dispatcher_actions_reject_merge_agenda_transfer(world, client_for, report):
    worker = client_for("community_worker")
    first, duplicate, invalid = report(), report(), report()
    assert post(worker, f"/{invalid.pk}/reject", {"reason": "不属于小区事务"}).json()["state"] == "rejected"
    merged = post(worker, f"/{duplicate.pk}/merge", {"into": first.number}).json()
    assert merged["state"] == "merged" and merged["merged_into"] == first.number
    flagged = post(worker, f"/{first.pk}/agenda", {"on_agenda": True}).json()
    assert flagged["on_agenda"] is True
    again = post(worker, f"/{first.pk}/agenda", {"on_agenda": True})
    assert again.status_code == 409
    post(worker, f"/{first.pk}/dispatch", {"responsible": world.company.pk})
    moved = post(worker, f"/{first.pk}/transfer", {"responsible": world.committee.pk, "note": "属业委会事务"}).json()
    assert moved["responsible"] == "檀悦小区业委会"
    assert post(worker, f"/{first.pk}/transfer", {"responsible": world.committee.pk, "note": "x"}).status_code == 400


def test_extension_and_return(world, client_for, dispatched):
    case = dispatched()
    steward, worker = client_for("steward"), None
    until = (case.deadline + datetime.timedelta(days=3)).isoformat()
    assert post(steward, f"/{case.pk}/extension", {"until": until, "reason": "等配件"}).json()[
        "extension_requested_until"
    ]
    assert post(steward, f"/{case.pk}/extension", {"until": until, "reason": "再等"}).status_code == 409
    worker = client_for("community_worker")
    body = post(worker, f"/{case.pk}/extension/decision", {"approve": True}).json()
    assert body["extension_requested_until"] is None and body["deadline"].startswith(until[:10])
    steward = client_for("steward")
    returned = post(steward, f"/{case.pk}/return", {"reason": "属公共部位，归业委会"}).json()
    assert returned["state"] == "received" and returned["responsible"] is None


def test_queues_and_filters(world, client_for, report, dispatched):
    report(description="东门路灯不亮")
    dispatched(description="3号楼电梯异响")
    worker = client_for("community_worker")
    new = worker.get(f"{API}/", {"queue": "new"}).json()
    assert [c["title"] for c in new["results"]] == ["东门路灯不亮"] and new["has_more"] is False
    assert len(worker.get(f"{API}/", {"q": "电梯"}).json()["results"]) == 1
    assert worker.get(f"{API}/", {"state": "dispatched"}).json()["results"][0]["title"] == "3号楼电梯异响"
    assert worker.get(f"{API}/", {"estate": world.other_estate.pk}).json()["results"] == []
    mine = client_for("steward").get(f"{API}/", {"queue": "mine"}).json()
    assert [c["title"] for c in mine["results"]] == ["3号楼电梯异响"]
    # A resident's list is their own reports.
    assert len(client_for("resident").get(f"{API}/").json()["results"]) == 2
    assert client_for("other_resident").get(f"{API}/").json()["results"] == []
    worker = client_for("community_worker")
    assert worker.get(f"{API}/", {"queue": "bogus"}).status_code == 400
    first = worker.get(f"{API}/", {"limit": 1}).json()
    assert len(first["results"]) == 1 and first["has_more"] is True and first["next_offset"] == 1
    paged = worker.get(f"{API}/", {"limit": 1, "offset": 1}).json()
    assert len(paged["results"]) == 1 and paged["has_more"] is False and paged["next_offset"] is None


def test_categories(client_for, world):
    codes = [c["code"] for c in client_for("resident").get(f"{API}/categories").json()]
    assert "elevator" in codes and "repair" in codes


def test_report_with_photo_and_a_fake_one(world, client_for):
    client = client_for("resident")
    ok = client.post(f"{API}/with-photos", {"estate": world.estate.pk, "description": "墙皮脱落", "photos": [png()]})
    assert ok.status_code == 201, ok.content
    assert len(client.get(ok.json()["url"]).json()["timeline"][0]["photos"]) == 1
    fake = SimpleUploadedFile("evil.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    bad = client.post(f"{API}/with-photos", {"estate": world.estate.pk, "description": "墙皮脱落", "photos": [fake]})
    assert bad.status_code == 400 and bad.json()["detail"] == "上传的文件不是有效的图片"
    assert Case.objects.count() == 1


def test_session_posts_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="resident", password=PASSWORD)
    refused = post(client, "/", {"estate": world.estate.pk, "description": "无 CSRF"})
    assert refused.status_code == 403
    client.get("/notifications/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = post(client, "/", {"estate": world.estate.pk, "description": "有 CSRF"}, HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201
    assert list(Case.objects.values_list("description", flat=True)) == ["有 CSRF"]


def test_app_token_sign_in_and_bearer_use(world):
    client = Client(enforce_csrf_checks=True)  # a phone app has no cookies and no CSRF token
    wrong = post(client, "/app-tokens", {"username": "resident", "password": "nope", "name": "手机"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "用户名或密码不正确"
    issued = post(client, "/app-tokens", {"username": "resident", "password": PASSWORD, "name": "手机"})
    assert issued.status_code == 201
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {issued.json()['token']}"}
    created = post(client, "/", {"estate": world.estate.pk, "description": "手机上报"}, **bearer)
    assert created.status_code == 201
    assert Case.objects.get().reporter == world.person("resident")
    assert len(client.get(f"{API}/", **bearer).json()["results"]) == 1
    # Outside the user's permissions, as for the user.
    assert post(client, f"/{created.json()['id']}/reject", {"reason": "x"}, **bearer).status_code == 403
    tokens.app_token_revoke(acting_user=world.users["resident"], token_id=issued.json()["id"])
    assert client.get(f"{API}/", **bearer).status_code == 401
    assert client.get(f"{API}/", HTTP_AUTHORIZATION="Bearer gzt_made-up").status_code == 401


@pytest.mark.django_db(transaction=True)
def test_a_phone_app_over_real_http(live_server, world):
    """Against a running server with a plain HTTP client, as a phone app would."""
    import importlib

    from django.apps import apps

    # A live-server test may start from a database emptied by an earlier one: put the default
    # categories back the way their data migration does.
    importlib.import_module("gongzhi.cases.migrations.0002_default_categories").add(apps, None)

    def call(method, path, body=None, token=None):
        request = urllib.request.Request(  # noqa: S310 - the live test server
            f"{live_server.url}{API}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live test server
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    status, issued = call("POST", "/app-tokens", {"username": "resident", "password": PASSWORD, "name": "测试手机"})
    assert status == 201
    token = issued["token"]
    status, created = call(
        "POST", "/", {"estate": world.estate.pk, "description": "小区东门路灯不亮", "category": "repair"}, token
    )
    assert status == 201 and created["number"].startswith("GZ")
    status, detail = call("GET", f"/{created['id']}", token=token)
    assert status == 200 and detail["timeline"][0]["kind"] == "created"
    status, error = call("POST", f"/{created['id']}/dispatch", {"responsible": world.company.pk}, token)
    assert status == 403 and error["detail"] == "您没有权限执行此操作"
    status, _ = call("GET", "/")
    assert status == 401


def test_app_token_needs_the_second_factor_when_it_is_on(world):
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=world.users["community_worker"], name="手机", confirmed=True)
    client = Client()
    body = {"username": "community_worker", "password": PASSWORD, "name": "工作手机"}
    refused = post(client, "/app-tokens", body)
    assert refused.status_code == 401 and refused.json()["detail"] == "请输入正确的动态验证码"
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    accepted = post(client, "/app-tokens", {**body, "otp": f"{code:06d}"})
    assert accepted.status_code == 201
