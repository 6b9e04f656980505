import datetime
import json
import xml.etree.ElementTree as ET  # noqa: S405 - parses our own server's answers

import pytest
from django.utils import timezone

from gongzhi.cases import services as case_services
from gongzhi.cases.models import Case, CaseState, Category
from gongzhi.open311 import services
from gongzhi.open311.models import PartnerRequest

BASE = "/open311/v2"


def _xml(content: bytes):
    return ET.fromstring(content)  # noqa: S314 - our own server's answer in a test


def _post(client, key, **fields):
    data = {"api_key": key.secret if key else "", "service_code": "elevator", "description": "2号楼电梯困人"}
    data.update(fields)
    return client.post(f"{BASE}/requests.json", data)


def _errors(response):
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status_code
    return body[0]["description"]


def test_discovery_lists_the_endpoint_and_formats(client, db):
    body = client.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = _xml(client.get(f"{BASE}/discovery.xml").content)
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_are_our_categories_in_json_and_xml(client, db):
    services_json = client.get(f"{BASE}/services.json").json()
    codes = [s["service_code"] for s in services_json]
    assert codes == list(
        Category.objects.filter(is_active=True).order_by("order", "name").values_list("code", flat=True)
    )
    elevator = next(s for s in services_json if s["service_code"] == "elevator")
    assert elevator["service_name"] == "电梯故障"
    assert elevator["metadata"] is False and elevator["type"] == "realtime"
    response = client.get(f"{BASE}/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = _xml(response.content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == codes
    assert root.find("service/metadata").text == "false"


def test_service_definition_and_unknown_service(client, db):
    assert client.get(f"{BASE}/services/elevator.json").json() == {"service_code": "elevator", "attributes": []}
    response = client.get(f"{BASE}/services/nope.json")
    assert response.status_code == 404
    assert "服务类别不存在" in _errors(response)
    xml_error = client.get(f"{BASE}/services/nope.xml")
    root = _xml(xml_error.content)
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_posting_files_a_case_and_the_token_finds_it(client, world, partner_key):
    response = _post(
        client,
        partner_key,
        address_id=str(world.buildings[1].pk),
        first_name="明",
        last_name="王",
        phone="138 0000 1111",
        email="w@example.org",
        lat="24.8",
        long="118.6",
    )
    assert response.status_code == 201
    [answer] = response.json()
    case = Case.objects.get(number=answer["service_request_id"])
    assert case.channel == "api"
    assert case.estate == world.estate and case.building == world.buildings[1]
    assert case.category.code == "elevator"
    assert case.contact_name == "王 明" and case.contact_phone == "13800001111"
    assert case.state == CaseState.RECEIVED
    assert case.events.get().kind == "created"
    row = PartnerRequest.objects.get(case=case)
    assert row.api_key == partner_key and row.email == "w@example.org"
    token = client.get(f"{BASE}/tokens/{answer['token']}.json").json()
    assert token == [{"service_request_id": case.number, "token": answer["token"]}]


def test_xml_post_answers_in_xml(client, world, partner_key):
    response = client.post(
        f"{BASE}/requests.xml",
        {
            "api_key": partner_key.secret,
            "service_code": "sanitation",
            "description": "垃圾没清运",
            "address_id": world.estate.pk,
        },
    )
    assert response.status_code == 201
    root = _xml(response.content)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert Case.objects.filter(number=number, category__code="sanitation").exists()


@pytest.mark.parametrize(
    "fields,status,message",
    [
        ({"api_key": "wrong"}, 403, "API 密钥无效或已吊销"),
        ({"service_code": ""}, 400, "请提供 service_code"),
        ({"service_code": "nope"}, 404, "服务类别不存在"),
        ({"address_id": ""}, 400, "请提供 address_id"),
        ({"description": "   "}, 400, "请描述遇到的问题"),
        ({"lat": "north"}, 400, "lat/long 必须是数字"),
        ({"lat": "24.8"}, 400, "位置需同时包含经度和纬度"),
    ],
)
def test_bad_posts_get_the_spec_error_and_change_nothing(client, world, partner_key, fields, status, message):
    fields.setdefault("address_id", str(world.estate.pk))
    if fields.get("api_key") == "wrong":
        response = client.post(
            f"{BASE}/requests.json",
            {"api_key": "wrong", "service_code": "elevator", "description": "x", "address_id": world.estate.pk},
        )
    else:
        response = _post(client, partner_key, **fields)
    assert response.status_code == status
    assert message in _errors(response)
    assert Case.objects.count() == 0
    assert PartnerRequest.objects.count() == 0


def test_key_cannot_file_outside_its_place(client, world, partner_key):
    # 梅岭新村 is in the other community.
    response = _post(client, partner_key, address_id=str(world.other_estate.pk))
    assert response.status_code == 400
    assert "不是本密钥可以提交" in _errors(response)
    assert Case.objects.count() == 0


def test_revoked_key_is_refused(client, world, partner_key):
    services.api_key_revoke(acting_user=world.users["subdistrict_admin"], key=partner_key)
    response = _post(client, partner_key, address_id=str(world.estate.pk))
    assert response.status_code == 403
    assert Case.objects.count() == 0


@pytest.fixture
def filed(client, world, partner_key):
    numbers = []
    for code, text in (("elevator", "电梯坏了"), ("sanitation", "楼道有垃圾"), ("parking", "车位被占")):
        response = _post(client, partner_key, service_code=code, description=text, address_id=str(world.estate.pk))
        numbers.append(response.json()[0]["service_request_id"])
    # A resident's own report through the app, not through Open311.
    case_services.case_create(
        estate=world.estate,
        description="我家门口漏水 王小明 13800001111",
        channel="app",
        category=Category.objects.get(code="repair"),
        acting_user=world.users["resident"],
    )
    # The sanitation case gets rejected: closed.
    case_services.case_reject(
        case=Case.objects.get(number=numbers[1]), acting_user=world.users["community_worker"], reason="重复反映"
    )
    return numbers


def test_get_requests_filters(client, world, filed):
    every = client.get(f"{BASE}/requests.json").json()
    assert len(every) == 4
    open_ones = client.get(f"{BASE}/requests.json", {"status": "open"}).json()
    assert filed[1] not in {r["service_request_id"] for r in open_ones} and len(open_ones) == 3
    closed = client.get(f"{BASE}/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in closed] == [filed[1]]
    assert closed[0]["status_notes"] == "不予受理"
    by_code = client.get(f"{BASE}/requests.json", {"service_code": "elevator,parking"}).json()
    assert {r["service_request_id"] for r in by_code} == {filed[0], filed[2]}
    by_id = client.get(
        f"{BASE}/requests.json", {"service_request_id": f"{filed[2]},{filed[0]}", "status": "closed"}
    ).json()
    assert {r["service_request_id"] for r in by_id} == {filed[0], filed[2]}  # ids override other filters
    tomorrow = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    assert client.get(f"{BASE}/requests.json", {"start_date": tomorrow}).json() == []
    yesterday = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert len(client.get(f"{BASE}/requests.json", {"start_date": yesterday, "end_date": tomorrow}).json()) == 4


@pytest.mark.parametrize(
    "params,message",
    [
        ({"start_date": "yesterday"}, "start_date 不是有效的 ISO 8601 时间"),
        ({"status": "pending"}, "status 只能是 open 或 closed"),
        ({"start_date": "2026-02-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"}, "start_date 不能晚于"),
    ],
)
def test_bad_filters_are_refused(client, db, params, message):
    response = client.get(f"{BASE}/requests.json", params)
    assert response.status_code == 400
    assert message in _errors(response)


def test_public_reads_carry_no_personal_data_but_the_filing_partner_sees_its_own(client, world, filed, partner_key):
    public = client.get(f"{BASE}/requests.json").json()
    text = json.dumps(public, ensure_ascii=False)
    assert "13800001111" not in text and "王小明" not in text and "电梯坏了" not in text
    assert all(r["description"] == "" for r in public)
    own = client.get(f"{BASE}/requests.json", {"api_key": partner_key.secret}).json()
    described = {r["service_request_id"]: r["description"] for r in own}
    assert described[filed[0]] == "电梯坏了"
    # Not filed through this key: still nothing personal.
    assert "王小明" not in json.dumps(own, ensure_ascii=False)
    single = client.get(f"{BASE}/requests/{filed[0]}.json").json()
    assert single[0]["service_request_id"] == filed[0] and single[0]["description"] == ""


def test_unknown_request_and_token(client, db):
    response = client.get(f"{BASE}/requests/GZ20000101-0001.json")
    assert response.status_code == 404 and "服务请求不存在" in _errors(response)
    response = client.get(f"{BASE}/tokens/not-a-token.xml")
    assert response.status_code == 404
    assert _xml(response.content).findtext("error/code") == "404"


def test_open311_post_is_rate_limited_per_key(client, world, partner_key, settings):
    from django.core.cache import cache

    cache.clear()
    settings.RATELIMIT_ENABLED = True
    settings.GONGZHI = {**settings.GONGZHI, "RATE_LIMITS": {**settings.GONGZHI["RATE_LIMITS"], "open311_post": "2/h"}}
    codes = [_post(client, partner_key, address_id=str(world.estate.pk)).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert Case.objects.count() == 2
    cache.clear()
