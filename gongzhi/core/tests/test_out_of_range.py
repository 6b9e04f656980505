HUGE = "2104750527380668809216"


def test_api_answers_a_number_beyond_the_database_with_a_clear_400(client_for, world):
    response = client_for("subdistrict_admin").get(f"/api/v1/cases/?estate=-{HUGE}")
    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert response.json()["detail"] == "参数中的数字超出范围"
    else:
        assert response.json()["results"] == []


def test_page_with_a_number_beyond_the_database_is_not_found(client_for, world):
    client = client_for("subdistrict_admin")
    for url in (f"/cases/{HUGE}/", f"/places/estates/{HUGE}/", f"/cases/boards/{HUGE}/"):
        assert client.get(url).status_code == 404, url
