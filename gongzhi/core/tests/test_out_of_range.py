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


def test_merge_into_a_number_written_with_a_superscript_digit_is_refused_clearly(client_for, world):
    from gongzhi.cases.models import Category
    from gongzhi.cases.services import case_create

    case = case_create(
        estate=world.estate,
        title="楼道灯坏了",
        description="3号楼楼道灯不亮",
        channel="app",
        acting_user=world.users["resident"],
        category=Category.objects.get(code="repair"),
        reporter=world.person("resident"),
    )
    client = client_for("community_worker")
    response = client.post(f"/api/v1/cases/{case.id}/merge", {"into": "\u00b2"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "目标诉求不存在"
    case.refresh_from_db()
    assert case.merged_into_id is None
