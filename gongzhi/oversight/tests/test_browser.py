import datetime

import pytest

from gongzhi.oversight import services
from gongzhi.oversight.defaults import install_default_scorecards
from gongzhi.oversight.models import Assessment, Criterion, Scorecard, ScorecardGroup, SurveyAnswer, SurveyResponse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _default_scorecards():
    # Transactional tests start from an emptied database: put the default scorecards back.
    install_default_scorecards(Scorecard, ScorecardGroup, Criterion)


def test_resident_answers_a_survey_on_the_phone(browser_login, world, make_survey):
    survey = make_survey()
    page = browser_login("resident")
    page.goto(f"{page.base}/oversight/surveys/")
    page.click(f"#my-surveys a[href='/oversight/surveys/{survey.id}/']")
    page.click("#answer-link")
    scale, single = list(survey.questions.order_by("position"))[:2]
    # Submitting without the required single-choice answer shows a clear message.
    page.click(f"label[for='q{scale.id}-2']")
    page.click("#submit-answers")
    assert "必答题" in page.locator("#form-error").inner_text()
    assert page.is_checked(f"#q{scale.id}-2")
    option = single.options.get(label="基本满意")
    page.click(f"label[for='q{single.id}-o{option.id}']")
    page.fill("textarea[name^=q]", "希望增加电动车充电桩")
    page.click("#submit-answers")
    assert "答卷已提交" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Changing the answer before the close keeps one answer sheet for the flat.
    page.click("#answer-link")
    assert page.is_checked(f"#q{scale.id}-2")
    page.click(f"label[for='q{scale.id}-4']")
    page.click("#submit-answers")
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.get(is_current=True, question=scale).score == 4


def test_assessor_scores_a_company(browser_login, world):
    card = Scorecard.objects.get(family="property_company_stars", status="published")
    assessment = services.assessment_start(
        scorecard=card,
        estate=world.estate,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        acting_user=world.users["community_worker"],
    )
    page = browser_login("community_worker")
    page.goto(f"{page.base}/oversight/assessments/{assessment.id}/")
    criteria = list(card.criteria.all())
    for criterion in criteria:
        page.fill(f"#c{criterion.id}", "4")
    page.fill(f"#c{criteria[0].id}", "9")
    page.click("#submit-assessment")
    assert "超过该项分值" in page.locator("#form-error").inner_text()
    page.fill(f"#c{criteria[0].id}", "1.5")
    page.fill(f"input[name=note{criteria[0].id}]", "未参加固定议事日")
    page.click("#submit-assessment")
    assert page.locator("#grade").inner_text() == "A"
    assert page.locator("#total").inner_text() == "77.50"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.findings.count() == 1
    assert Assessment.objects.get().stars == 3
