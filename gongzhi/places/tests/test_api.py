from gongzhi.places.models import Flat


def test_places_api_lists_only_the_scope(world, client_for):
    response = client_for("community_worker").get("/api/v1/places/", {"kind": "estate"})
    assert response.status_code == 200
    assert {p["name"] for p in response.json()} == {"檀悦小区", "鸿盛名邸"}
    assert client_for("resident").get("/api/v1/places/").json() == []


def test_import_api_reports_bad_rows_and_writes_nothing(world, client_for, workbook):
    client = client_for("community_worker")
    bad = [["阳光社区", "檀悦小区", "6号楼", "101", 0, "", "", "", "", ""]]
    response = client.post("/api/v1/places/import", {"workbook": workbook(bad), "apply": "true"})
    assert response.status_code == 400
    assert response.json()["errors"] == ["第2行：专有部分面积必须是正数（“0”）"]
    assert not Flat.objects.filter(building__name="6号楼").exists()
    good = [["阳光社区", "檀悦小区", "6号楼", "101", 80, "", "", "", "", ""]]
    response = client.post("/api/v1/places/import", {"workbook": workbook(good), "apply": "true"})
    assert response.status_code == 200 and response.json()["flats_created"] == 1
    response = client_for("steward").post("/api/v1/places/import", {"workbook": workbook(good), "apply": "true"})
    assert response.status_code == 403


def test_people_api_masks_and_reveal_is_logged(world, client_for):
    from gongzhi.core.models import AuditEntry

    client = client_for("community_worker")
    people = client.get("/api/v1/accounts/people").json()
    assert {"name": "王小明", "phone": "138****1111"}.items() <= next(
        p for p in people if p["name"] == "王小明"
    ).items()
    resident = world.person("resident")
    response = client.post(
        f"/api/v1/accounts/people/{resident.id}/reveal", {"field": "phone"}, content_type="application/json"
    )
    assert response.json() == {"field": "phone", "value": "13800001111"}
    assert AuditEntry.objects.filter(action="personal_data.reveal").count() == 1
    refused = client_for("committee_chair").post(
        f"/api/v1/accounts/people/{resident.id}/reveal", {"field": "phone"}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert client_for("steward").get("/api/v1/accounts/people").status_code == 403


def test_estate_parties_api(world, client_for):
    body = client_for("resident").get(f"/api/v1/orgs/estates/{world.estate.id}/parties").json()
    assert body["branch"]["leader"] == "吴书记"
    assert body["committee"]["leader"] == "黄主任"
    assert body["company"]["name"] == "红心物业"
    assert client_for("other_resident").get(f"/api/v1/orgs/estates/{world.estate.id}/parties").status_code == 404
