import json

from gongzhi.oversight import services
from gongzhi.oversight.models import SurveyResponse
from gongzhi.oversight.tests.conftest import answers_for, close_survey


def test_resident_answers_through_the_api_and_results_show_no_flat(world, make_survey, client_for, no_min_group):
    survey = make_survey()
    client = client_for("resident")
    listed = client.get("/api/v1/oversight/surveys").json()
    assert [s["id"] for s in listed] == [survey.id] and listed[0]["phase"] == "open"
    answers = {str(k): v for k, v in answers_for(survey, scale=4, text="电梯常坏").items()}
    url = f"/api/v1/oversight/surveys/{survey.id}/answers"
    response = client.post(
        url, json.dumps({"flat_id": world.flats[0].id, "answers": answers}), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["revision"] == 1
    other = client.post(
        url, json.dumps({"flat_id": world.flats[4].id, "answers": answers}), content_type="application/json"
    )
    assert other.status_code == 403 and "自己居住" in other.json()["detail"]
    bad = dict(answers)
    bad[str(survey.questions.get(kind="scale").id)] = 9
    refused = client.post(
        url, json.dumps({"flat_id": world.flats[0].id, "answers": bad}), content_type="application/json"
    )
    assert refused.status_code == 400 and "1到5分" in refused.json()["detail"]
    assert SurveyResponse.objects.get().revision == 1
    # During the window a resident may not read results; staff may, and see figures only.
    assert client.get(f"/api/v1/oversight/surveys/{survey.id}/results").status_code == 403
    results = client_for("community_worker").get(f"/api/v1/oversight/surveys/{survey.id}/results").json()
    assert results["responses"] == 1 and results["questions"][0]["average"] == "4.00"
    assert "电梯常坏" in results["questions"][3]["comments"]
    text = json.dumps(results, ensure_ascii=False)
    assert "王小明" not in text and "flat_id" not in text and "1号楼" not in text
    close_survey(survey)
    assert (
        client.post(
            url, json.dumps({"flat_id": world.flats[0].id, "answers": answers}), content_type="application/json"
        ).status_code
        == 409
    )
    assert client.get(f"/api/v1/oversight/surveys/{survey.id}/results").status_code == 200


def test_ledger_and_ratings_over_the_api(world, client_for, photo):
    inspection = services.inspection_start(estate=world.estate, acting_user=world.users["supervisor"])
    services.inspection_add_finding(
        inspection=inspection,
        title="井盖破损",
        party="company",
        photos=[photo()],
        acting_user=world.users["supervisor"],
    )
    items = client_for("steward").get(f"/api/v1/oversight/ledger/{world.estate.id}").json()
    assert items[0]["title"] == "井盖破损" and items[0]["responsible"] == "红心物业" and items[0]["case_number"]
    assert client_for("resident").get(f"/api/v1/oversight/ledger/{world.estate.id}").status_code == 404
    assert client_for("resident").get(f"/api/v1/oversight/companies/{world.company.id}/ratings").json() == []
    assert (
        client_for("other_resident").get(f"/api/v1/oversight/companies/{world.company.id}/ratings").status_code == 404
    )
    assert client_for(None).get("/api/v1/oversight/surveys").status_code == 401


def test_odd_input_to_the_api_is_refused_never_a_server_error(world, make_survey, client_for):
    survey = make_survey()
    client = client_for("resident")
    questions = {q.kind: str(q.id) for q in survey.questions.all()}
    url = f"/api/v1/oversight/surveys/{survey.id}/answers"
    payloads = [
        {"flat_id": world.flats[0].id, "answers": {questions["text"]: "\x00", questions["scale"]: 3}},
        {"flat_id": world.flats[0].id, "answers": {questions["scale"]: [1, 2]}},
        {"flat_id": world.flats[0].id, "answers": {questions["single"]: "²"}},
        {"flat_id": world.flats[0].id, "answers": {"99999999999999999999999": 1}},
        {"flat_id": 2**62, "answers": {}},
    ]
    for payload in payloads:
        response = client.post(url, json.dumps(payload), content_type="application/json")
        assert 400 <= response.status_code < 500, (payload, response.status_code)
    assert client.get(f"/api/v1/oversight/surveys/{2**62}/results").status_code == 404
    assert client.get(f"/api/v1/oversight/ledger/{2**62}").status_code == 404
    assert client.get(f"/api/v1/oversight/companies/{2**62}/ratings").status_code == 404
    assert not SurveyResponse.objects.exists()
