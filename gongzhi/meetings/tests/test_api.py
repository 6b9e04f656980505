import json


def test_api_propose_back_and_list(world, client_for, ad_hoc):
    ad_hoc(title="防汛临时议事")
    client = client_for("resident")
    url = f"/api/v1/meetings/places/{world.estate.id}/topics"
    response = client.post(url, json.dumps({"title": "楼道灯坏了"}), content_type="application/json")
    assert response.status_code == 201, response.content
    topic_id = response.json()["id"]
    bad = client.post(url, json.dumps({"title": " "}), content_type="application/json")
    assert bad.status_code == 400 and "题目" in bad.json()["detail"]
    backed = client_for("committee_chair").post(f"/api/v1/meetings/topics/{topic_id}/back")
    assert backed.json()["backer_count"] == 1
    assert client_for("other_resident").get(url).status_code == 404
    upcoming = client_for("resident").get(f"/api/v1/meetings/places/{world.estate.id}/upcoming").json()
    assert [m["title"] for m in upcoming] == ["防汛临时议事"]
    assert (
        client_for("steward").post(url, json.dumps({"title": "x"}), content_type="application/json").status_code == 403
    )
