import datetime

import pytest
from django.utils import timezone

from gongzhi.oversight import services
from gongzhi.oversight.models import Assessment, Scorecard, SurveyResponse
from gongzhi.oversight.tests.conftest import answers_for, close_survey

ALL = (
    "resident",
    "other_resident",
    "building_head",
    "supervisor",
    "steward",
    "committee_chair",
    "branch_secretary",
    "community_worker",
    "subdistrict_admin",
    None,
)


def statuses(client_for, url, method="get", data=None):
    result = {}
    for persona in ALL:
        client = client_for(persona)
        response = getattr(client, method)(url, data or {})
        result[persona] = response.status_code
    return result


def expect(default, **overrides):
    table = dict.fromkeys(ALL, default)
    table[None] = 302  # anonymous: to the login page
    table.update({("None" if k == "anonymous" else k): v for k, v in overrides.items()})
    return table


@pytest.fixture
def phases(world, make_survey):
    return {
        "before": make_survey(opens_in=2, closes_in=9),
        "during": make_survey(),
        "after": close_survey(make_survey()),
    }


# Residents with a flat in 檀悦小区: resident, building_head, committee_chair, branch_secretary.
ANSWER = {
    "before": expect(403, other_resident=404),
    "during": expect(
        403, other_resident=404, resident=200, building_head=200, committee_chair=200, branch_secretary=200
    ),
    # After the close a resident is sent back to the survey with "已截止".
    "after": expect(
        403, other_resident=404, resident=302, building_head=302, committee_chair=302, branch_secretary=302
    ),
}
RESULTS = {
    # Staff of the estate see results at any time; residents only once it has closed.
    "before": expect(200, resident=403, other_resident=404),
    "during": expect(200, resident=403, other_resident=404),
    "after": expect(200, other_resident=404),
}
PAPER = {
    "before": expect(403, other_resident=404),
    "during": expect(403, other_resident=404, community_worker=200, subdistrict_admin=200),
    "after": expect(403, other_resident=404),
}


@pytest.mark.parametrize("phase", ["before", "during", "after"])
def test_survey_permission_matrix_before_during_after_the_window(phase, phases, client_for):
    survey = phases[phase]
    assert statuses(client_for, f"/oversight/surveys/{survey.id}/answer/") == ANSWER[phase]
    assert statuses(client_for, f"/oversight/surveys/{survey.id}/results/") == RESULTS[phase]
    assert statuses(client_for, f"/oversight/surveys/{survey.id}/paper/") == PAPER[phase]


def test_answer_posted_after_close_is_refused_with_a_message(world, make_survey, client_for):
    survey = close_survey(make_survey())
    client = client_for("resident")
    response = client.post(f"/oversight/surveys/{survey.id}/answer/", {"flat": world.flats[0].id}, follow=True)
    assert "测评已截止" in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_resident_answers_on_the_page_and_sees_a_clear_error_first(world, make_survey, client_for):
    survey = make_survey()
    questions = {q.kind: q for q in survey.questions.prefetch_related("options")}
    client = client_for("resident")
    url = f"/oversight/surveys/{survey.id}/answer/"
    response = client.post(url, {"flat": world.flats[0].id, f"q{questions['scale'].id}": "4"})
    assert response.status_code == 400
    assert "必答题" in response.content.decode()
    assert not SurveyResponse.objects.exists()
    single = questions["single"].options.first()
    response = client.post(
        url, {"flat": world.flats[0].id, f"q{questions['scale'].id}": "4", f"q{questions['single'].id}": single.id}
    )
    assert response.status_code == 302
    assert SurveyResponse.objects.count() == 1
    # Opening the form again shows the resident's own answer, so they can change it.
    page = client.get(url).content.decode()
    assert 'value="4" autocomplete="off" checked' in page


OVERVIEW_PAGES = {
    "/oversight/": expect(200, resident=302, other_resident=302),
    "/oversight/inspections/": expect(200, resident=403, other_resident=403),
    "/oversight/scorecards/": expect(200, resident=403, other_resident=403),
    "/oversight/assessments/": expect(200, resident=403, other_resident=403),
    "/oversight/inspections/new/": expect(
        403, supervisor=200, branch_secretary=200, community_worker=200, subdistrict_admin=200
    ),
    "/oversight/assessments/new/": expect(403, community_worker=200, subdistrict_admin=200),
}


@pytest.mark.parametrize("url", list(OVERVIEW_PAGES))
def test_overview_pages_permission_matrix(url, world, client_for):
    assert statuses(client_for, url) == OVERVIEW_PAGES[url]


def test_ledger_and_company_permission_matrix(world, client_for):
    estate = world.estate.id
    # The building head's post covers a building, not the whole estate's ledger.
    assert statuses(client_for, f"/oversight/ledger/{estate}/") == expect(
        200, resident=404, other_resident=404, building_head=404
    )
    assert statuses(client_for, f"/oversight/ledger/{estate}/export/") == expect(
        403, resident=404, other_resident=404, building_head=404, community_worker=200, subdistrict_admin=200
    )
    # A company's ratings: the estates it serves (staff and residents) and its own staff.
    assert statuses(client_for, f"/oversight/companies/{world.company.id}/") == expect(200, other_resident=404)
    assert statuses(client_for, f"/oversight/companies/{world.other_company.id}/") == expect(
        404, other_resident=200, community_worker=200, subdistrict_admin=200
    )


def test_verify_permission_matrix(world, client_for, photo):
    inspection = services.inspection_start(estate=world.estate, acting_user=world.users["supervisor"])
    item = services.inspection_add_finding(
        inspection=inspection,
        title="井盖破损",
        party="company",
        photos=[photo()],
        acting_user=world.users["supervisor"],
    )
    url = f"/oversight/ledger/items/{item.id}/verify/"
    result = {}
    for persona in ALL:
        client = client_for(persona)
        result[persona] = client.post(url, {"passed": "no", "note": "未修复", "photos": [photo()]}).status_code
    assert result == expect(
        403,
        resident=404,
        other_resident=404,
        building_head=404,
        supervisor=302,
        community_worker=302,
        subdistrict_admin=302,
    )
    item.refresh_from_db()
    assert item.verifications.count() == 3 and item.state == "open"
    page = client_for("supervisor").get(f"/oversight/ledger/items/{item.id}/").content.decode()
    assert item.case.number in page and "未整改到位" in page and "未修复" in page
    # The steward sees the item and may report the fix, but not verify it.
    page = client_for("steward").get(f"/oversight/ledger/items/{item.id}/").content.decode()
    assert "提交整改情况" in page and "现场核验销号" not in page


def test_scorecard_management_is_for_administrators(world, client_for):
    data = {"family": "fine", "name": "精细化考评", "subject_kind": "company", "scoring": "points", "pass_mark": "60"}
    assert client_for("community_worker").post("/oversight/scorecards/new/", data).status_code == 403
    response = client_for("subdistrict_admin").post("/oversight/scorecards/new/", data)
    assert response.status_code == 302
    assert Scorecard.objects.filter(family="fine", status="draft").exists()


def test_assessor_scores_on_the_page_and_a_score_above_max_is_refused(world, client_for):
    card = Scorecard.objects.get(family="property_company_stars", status="published")
    client = client_for("community_worker")
    response = client.post(
        "/oversight/assessments/new/",
        {"estate": world.estate.id, "scorecard": card.id, "period_start": "2025-01-01", "period_end": "2025-06-30"},
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/assessments/{assessment.id}/")
    first = card.criteria.first()
    response = client.post(f"/oversight/assessments/{assessment.id}/", {f"c{first.id}": "8", "submit": "0"})
    assert response.status_code == 400
    assert "超过该项分值" in response.content.decode()
    assert not assessment.scores.exists()
    data = {f"c{c.id}": "5" for c in card.criteria.all()}
    data.update({f"c{first.id}": "2", f"note{first.id}": "未参加议事会", "submit": "1"})
    response = client.post(f"/oversight/assessments/{assessment.id}/", data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and str(assessment.total) == "97.00" and assessment.credit_grade == "AAA"
    assert assessment.findings.count() == 1
    # Residents of the estate find their company's ratings from the survey page.
    surveys_page = client_for("resident").get("/oversight/surveys/").content.decode()
    assert f"/oversight/companies/{world.company.id}/" in surveys_page
    # The steward sees the company's history; the tender attachment is an Excel file.
    page = client_for("steward").get(f"/oversight/companies/{world.company.id}/").content.decode()
    assert "AAA" in page and "檀悦小区" in page
    export = client_for("steward").get(f"/oversight/companies/{world.company.id}/export/")
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_dashboard_flags_consequences_with_evidence(world, make_survey, client_for, no_min_group):
    worker = world.users["community_worker"]
    card = Scorecard.objects.get(family="property_company_stars", status="published")
    assessment = services.assessment_start(
        scorecard=card,
        estate=world.estate,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        acting_user=worker,
    )
    services.assessment_score(
        assessment=assessment, scores={c.id: "2" for c in card.criteria.all()}, acting_user=worker
    )
    services.assessment_submit(assessment=assessment, acting_user=worker)
    survey = make_survey()
    services.survey_answer_submit(
        survey=survey,
        flat=world.flats[0],
        answers=answers_for(survey, scale=1, single="不满意"),
        acting_user=world.users["resident"],
    )
    close_survey(survey)
    page = client_for("community_worker").get("/oversight/").content.decode()
    assert "物业考评不达标" in page and "40.00%" in page and "达标线 60.00%" in page
    assert "小区满意度不达标：业委会" in page and "檀悦小区业委会" in page
    assert "测评次数不足" in page and "鸿盛名邸" in page


def test_survey_built_and_published_through_the_pages(world, client_for):
    client = client_for("community_worker")
    now = timezone.localtime()
    response = client.post(
        "/oversight/surveys/new/",
        {
            "title": "上半年满意度测评",
            "place": world.community.id,
            "opens_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    survey_url = response["Location"]
    survey_id = int(survey_url.rstrip("/").split("/")[-1])
    client.post(
        f"/oversight/surveys/{survey_id}/questions/",
        {
            "text": "您对业委会是否满意",
            "kind": "single",
            "target": "committee",
            "options": "满意=5\n基本满意=3\n不满意=1",
            "required": "on",
        },
    )
    response = client.post(
        f"/oversight/surveys/{survey_id}/questions/",
        {"text": "只有一个选项", "kind": "single", "target": "company", "options": "好"},
        follow=True,
    )
    assert "至少需要两个选项" in response.content.decode()
    client.post(f"/oversight/surveys/{survey_id}/publish/")
    page = client.get(survey_url).content.decode()
    assert "进行中" in page and "满意（5分）" in page
    assert client_for("resident").get(f"/oversight/surveys/{survey_id}/answer/").status_code == 200


def test_pages_and_refusals_in_english(world, make_survey, client_for, settings):
    survey = close_survey(make_survey())
    client = client_for("resident")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/oversight/surveys/{survey.id}/answer/", {"flat": world.flats[0].id}, follow=True)
    assert "The survey has closed" in response.content.decode()
    page = client_for("community_worker")
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page.get("/oversight/").content.decode()
    assert "Ratings of every estate" in html and "Needs attention" in html


def test_hand_typed_ids_find_nothing_instead_of_failing(world, make_survey, client_for):
    survey = make_survey()
    worker = client_for("community_worker")
    assert worker.get(f"/oversight/surveys/{survey.id}/results/?estate=abc").status_code == 404
    assert worker.get("/oversight/inspections/?inspector=²").status_code == 200
    response = worker.post(f"/oversight/surveys/{survey.id}/paper/", {"flat": "x1"})
    assert response.status_code == 400 and "请选择房屋" in response.content.decode()
    response = worker.post("/oversight/assessments/new/", {"estate": "¹", "scorecard": "1"})
    assert response.status_code == 400 and "请选择小区和评分表" in response.content.decode()
