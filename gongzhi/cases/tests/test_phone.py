"""The lean path of ``POST /api/v1/cases/`` (a middleware, and the address's view) answers exactly
as the API operation does, and hands it everything else."""

import json
import re

from gongzhi.cases.api import CaseCreated
from gongzhi.cases.models import Case
from gongzhi.open311 import services as tokens

API = "/api/v1/cases/"


def _token(world, persona="resident"):
    _token, secret = tokens.app_token_issue(acting_user=world.users[persona], name="手机")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(client, body, **headers):
    return client.post(API, json.dumps(body), content_type="application/json", **headers)


def test_a_phone_report_and_a_browser_report_get_the_same_answer(world, client, client_for):
    body = {"estate": world.estate.pk, "description": "楼道灯不亮", "category": "repair"}
    by_phone = _post(client, body, **_token(world))
    by_browser = _post(client_for("resident"), body)  # a session: the API operation itself
    assert by_phone.status_code == by_browser.status_code == 201
    phone, browser = by_phone.json(), by_browser.json()
    assert set(phone) == set(browser) == set(CaseCreated.model_fields)
    assert list(phone) == list(browser)  # the same fields in the same order
    assert by_phone["Content-Type"] == by_browser["Content-Type"]
    assert phone["state"] == browser["state"] == "received" and phone["state_label"] == browser["state_label"]
    # The same time format (e.g. 2026-11-22T21:30:27.123Z or with an offset) from both.
    shape = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?(Z|[+-]\d\d:\d\d)$")
    assert shape.match(phone["created_at"]) and shape.match(browser["created_at"])
    assert phone["url"] == f"{API}{phone['id']}"
    assert Case.objects.get(pk=phone["id"]).number == phone["number"]


def test_refusals_read_the_same_as_the_api_operation(world, client):
    auth = _token(world)
    before = Case.objects.count()
    missing = _post(client, {"estate": world.estate.pk}, **auth)  # schema: handed to the API
    assert missing.status_code == 422
    empty = _post(client, {"estate": world.estate.pk, "description": "   "}, **auth)  # the service says no
    assert empty.status_code == 400 and empty.json()["detail"] == "请描述遇到的问题"
    elsewhere = _post(client, {"estate": world.other_estate.pk, "description": "路灯坏了"}, **auth)
    assert elsewhere.status_code == 403 and elsewhere.json()["detail"] == "您不能在该小区反映问题"
    unknown = _post(client, {"estate": world.estate.pk, "description": "x"}, HTTP_AUTHORIZATION="Bearer nope")
    assert unknown.status_code == 401
    assert Case.objects.count() == before


def test_listing_still_goes_to_the_api(world, client):
    auth = _token(world)
    assert _post(client, {"estate": world.estate.pk, "description": "电梯异响"}, **auth).status_code == 201
    listing = client.get(API, **auth)
    assert listing.status_code == 200
    assert [case["title"] for case in listing.json()["results"]] == ["电梯异响"]


def test_a_body_the_schema_refuses_is_explained_field_by_field(world, client):
    auth = _token(world)
    before = Case.objects.count()
    response = _post(client, {"estate": "东区", "latitude": "north"}, **auth)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("请求内容不正确：")
    assert "estate：应为整数" in body["errors"] and "description：必填" in body["errors"]
    assert "latitude：应为数字" in body["errors"]
    broken = client.post(API, "{not json", content_type="application/json", **auth)
    assert broken.status_code == 400 and broken.json()["detail"] == "请求内容无法解析：请发送有效的 JSON 或表单"
    assert Case.objects.count() == before


def test_a_phone_report_carries_the_headers_of_every_answer(world, client, client_for):
    """Answered before the browser middleware, a phone's report still gets the security and
    language headers every answer gets, and its messages in the phone's language."""
    body = {"estate": world.estate.pk, "description": "楼道灯不亮", "category": "repair"}
    by_phone = _post(client, body, **_token(world))
    by_browser = _post(client_for("resident"), body)
    for header in (
        "Content-Security-Policy",
        "Permissions-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Content-Language",
    ):
        assert by_phone[header] == by_browser[header], header
    assert "Accept-Language" in by_phone["Vary"]
    assert int(by_phone["Content-Length"]) == len(by_phone.content)
    assert "Set-Cookie" not in by_phone.headers  # no session for a token
    english = _post(client, {**body, "description": " "}, HTTP_ACCEPT_LANGUAGE="en", **_token(world))
    assert english.status_code == 400 and english["Content-Language"] == "en"
    assert english.json()["detail"] == "Please describe the problem"
    created = _post(client, body, HTTP_ACCEPT_LANGUAGE="en", **_token(world))
    assert created.status_code == 201 and created.json()["state_label"] == "Received"


def test_an_unknown_token_is_refused_by_the_api_operation(world, client):
    refused = _post(client, {"estate": world.estate.pk, "description": "楼道灯不亮"}, HTTP_AUTHORIZATION="Bearer nope")
    assert refused.status_code == 401
    assert not Case.objects.exists()


BODIES = [
    {"estate": 1, "description": "楼道灯不亮"},
    {"estate": "1", "description": "x", "category": "repair", "channel": "app", "urgency": "urgent"},
    {"estate": 1, "description": "x", "latitude": "31.2", "longitude": 121.5, "building": 3, "is_anonymous": "true"},
    {"estate": 1, "description": "x", "deadline": "2026-12-01T10:00:00+08:00", "responsible": 2, "extra": [1]},
    {"estate": 1, "description": "x", "contact_name": "王", "contact_phone": "13800000000", "address": "3号楼"},
    {"estate": "one", "description": "x"},
    {"estate": 1},
    {"estate": 1, "description": "x", "latitude": "north"},
    {"estate": 1, "description": "x", "deadline": "tomorrow"},
    {"estate": 1, "description": None},
    {"estate": 1.5, "description": "x"},
    [],
]


def test_a_report_body_is_read_as_the_api_schema_reads_it():
    """The lean path reads a body with ReportIn's fields as a plain model: the same values for
    every body the schema takes, and a refusal (then the operation's own message) for every body
    it refuses."""
    from pydantic import ValidationError

    from gongzhi.cases.api import ReportIn
    from gongzhi.cases.phone import ReportBody

    for body in BODIES:
        text = json.dumps(body)
        try:
            expected = ReportIn.model_validate_json(text).model_dump()
        except ValidationError:
            expected = "refused"
        try:
            got = ReportBody.model_validate_json(text).model_dump()
        except ValidationError:
            got = "refused"
        assert got == expected, body
