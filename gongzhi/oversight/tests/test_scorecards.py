import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.accounts import services as people
from gongzhi.core.errors import DomainError
from gongzhi.oversight import services
from gongzhi.oversight.models import Assessment, Criterion, LedgerItem, Scorecard

START = datetime.date(2025, 1, 1)
END = datetime.date(2025, 6, 30)


def card(family):
    return Scorecard.objects.get(family=family, status="published")


def test_default_scorecards_mirror_the_seeds(db):
    company = card("property_company_stars")
    assert company.criteria.count() == 20 and company.scoring == "points"
    assert sum(c.max_points for c in company.criteria.all()) == Decimal("100")
    assert company.criteria.filter(text__contains="共享社·幸福里").exists()
    branch = card("party_branch_grading")
    assert branch.criteria.count() == 32 and branch.groups.count() == 3
    assert sum(g.weight for g in branch.groups.all()) == Decimal("100")
    assert card("party_instructor_duties").criteria.count() == 20


def score_all(assessment, user, points=Decimal("5"), low=()):
    scores = {}
    for i, criterion in enumerate(assessment.scorecard.criteria.all(), start=1):
        if assessment.scores.filter(criterion=criterion, computed=True).exists():
            continue
        scores[criterion.id] = Decimal("1") if i in low else min(points, criterion.max_points)
    services.assessment_score(assessment=assessment, scores=scores, acting_user=user)


def test_assessor_scores_a_company_grade_and_failed_items_become_findings(world):
    worker = world.users["community_worker"]
    assessment = services.assessment_start(
        scorecard=card("property_company_stars"),
        estate=world.estate,
        period_start=START,
        period_end=END,
        acting_user=worker,
    )
    assert assessment.subject_organization == world.company
    score_all(assessment, worker, points=Decimal("4.5"), low=(6, 7))
    assessment = services.assessment_submit(assessment=assessment, acting_user=worker, note="整体良好")
    # 18 items × 4.5 + 2 × 1 = 83 of 100 (computed items without records were scored by hand).
    assert assessment.total == Decimal("83.00") and assessment.percent == Decimal("83.00")
    assert assessment.stars == 4 and assessment.credit_grade == "AA" and assessment.passed
    findings = LedgerItem.objects.filter(assessment=assessment)
    assert findings.count() == 2
    assert all(f.responsible == world.company and f.source == "assessment" for f in findings)
    assert all(f.case is not None and f.case.channel == "assessment" for f in findings)
    with pytest.raises(DomainError, match="已提交"):
        score_all(assessment, worker)


def test_score_above_the_maximum_or_negative_is_refused_and_changes_nothing(world):
    worker = world.users["community_worker"]
    assessment = services.assessment_start(
        scorecard=card("property_company_stars"),
        estate=world.estate,
        period_start=START,
        period_end=END,
        acting_user=worker,
    )
    first = assessment.scorecard.criteria.first()
    with pytest.raises(DomainError, match="超过该项分值5.00分"):
        services.assessment_score(assessment=assessment, scores={first.id: "5.5"}, acting_user=worker)
    with pytest.raises(DomainError, match="负数"):
        services.assessment_score(assessment=assessment, scores={first.id: "-1"}, acting_user=worker)
    with pytest.raises(DomainError, match="数字"):
        services.assessment_score(assessment=assessment, scores={first.id: "五"}, acting_user=worker)
    assert not assessment.scores.filter(criterion=first).exists()
    with pytest.raises(DomainError, match="未打分"):
        services.assessment_submit(assessment=assessment, acting_user=worker)


def test_weighted_branch_grading_uses_exact_decimals(world):
    worker = world.users["community_worker"]
    assessment = services.assessment_start(
        scorecard=card("party_branch_grading"),
        estate=world.estate,
        period_start=START,
        period_end=END,
        acting_user=worker,
    )
    groups = list(assessment.scorecard.groups.all())
    scores = {}
    for criterion in assessment.scorecard.criteria.all():
        # Full marks in the first area (40%), half in the second (40%), a third in the last (20%).
        full = criterion.max_points
        scores[criterion.id] = {groups[0].id: full, groups[1].id: full / 2, groups[2].id: Decimal("1")}[
            criterion.group_id
        ]
    services.assessment_score(assessment=assessment, scores=scores, acting_user=worker)
    result = services.assessment_result(assessment)
    # 40 + 20 + 20 × 1/3 = 66.666… → 66.67 exactly, not a float.
    assert result["percent"] == Decimal("66.67")
    assert result["stars"] == 2 and result["credit_grade"] == "B"


def test_instructor_is_assessed_on_the_duty_list(world):
    worker = world.users["community_worker"]
    with pytest.raises(DomainError, match="党建指导员"):
        services.assessment_start(
            scorecard=card("party_instructor_duties"),
            estate=world.estate,
            period_start=START,
            period_end=END,
            acting_user=worker,
        )
    instructor = people.person_create(name="郑指导员", phone="13900005555", is_party_member=True)
    people.appointment_create(person=instructor, post="party_instructor", place=world.estate, starts_on=START)
    assessment = services.assessment_start(
        scorecard=card("party_instructor_duties"),
        estate=world.estate,
        period_start=START,
        period_end=END,
        acting_user=worker,
    )
    assert assessment.subject_person == instructor and assessment.subject_name == "郑指导员"


def test_published_scorecard_is_never_edited_in_place_but_revised(world):
    admin = world.users["subdistrict_admin"]
    company = card("property_company_stars")
    worker = world.users["community_worker"]
    used = services.assessment_start(
        scorecard=company, estate=world.estate, period_start=START, period_end=END, acting_user=worker
    )
    with pytest.raises(DomainError, match="新版本"):
        services.scorecard_update(scorecard=company, name="改名", acting_user=admin)
    with pytest.raises(DomainError, match="新版本"):
        services.scorecard_criterion_add(
            scorecard=company, group=company.groups.first(), text="新增", max_points=5, acting_user=admin
        )
    v2 = services.scorecard_revise(scorecard=company, acting_user=admin)
    assert v2.version == 2 and v2.status == "draft" and v2.criteria.count() == 20
    services.scorecard_criterion_remove(criterion=v2.criteria.last(), acting_user=admin)
    services.scorecard_update(
        scorecard=v2, grade_bands=[["AAA", 95], ["AA", 85], ["A", 75], ["B", 60], ["C", 0]], acting_user=admin
    )
    services.scorecard_publish(scorecard=v2, acting_user=admin)
    company.refresh_from_db()
    assert company.status == "retired"
    # The assessment made on version 1 still refers to version 1 with its 20 criteria.
    used.refresh_from_db()
    assert used.scorecard == company and Criterion.objects.filter(scorecard=company).count() == 20
    assert card("property_company_stars").version == 2


def test_weights_that_do_not_add_up_are_refused(world):
    admin = world.users["subdistrict_admin"]
    scorecard = services.scorecard_create(
        family="estate_fine", name="住宅小区精细化考评", subject_kind="company", scoring="weighted", acting_user=admin
    )
    a = services.scorecard_group_add(scorecard=scorecard, name="环境", weight="60", acting_user=admin)
    b = services.scorecard_group_add(scorecard=scorecard, name="安全", weight="30", acting_user=admin)
    services.scorecard_criterion_add(scorecard=scorecard, group=a, text="保洁", max_points="10", acting_user=admin)
    services.scorecard_criterion_add(scorecard=scorecard, group=b, text="消防", max_points="10", acting_user=admin)
    with pytest.raises(DomainError, match="合计必须为100%，当前为90.00%"):
        services.scorecard_publish(scorecard=scorecard, acting_user=admin)
    scorecard.refresh_from_db()
    assert scorecard.status == "draft"
    with pytest.raises(DomainError, match="不超过100"):
        services.scorecard_group_add(scorecard=scorecard, name="秩序", weight="120", acting_user=admin)
    services.scorecard_group_add(scorecard=scorecard, name="秩序", weight="10", acting_user=admin)
    with pytest.raises(DomainError, match="没有评分细则"):
        services.scorecard_publish(scorecard=scorecard, acting_user=admin)
    with pytest.raises(DomainError, match="合格分不能超过"):
        services.scorecard_criterion_add(
            scorecard=scorecard,
            group=scorecard.groups.last(),
            text="停车",
            max_points="5",
            pass_points="6",
            acting_user=admin,
        )


@pytest.mark.parametrize(
    "text, message",
    [
        ("AAA:90, AA:95, C:0", "从高到低"),
        ("AAA:90, AA:80", "下限必须为0"),
        ("AAA90", "格式不正确"),
        ("AAA:120,C:0", "0到100"),
    ],
)
def test_bad_grade_bands_are_refused(text, message):
    with pytest.raises(DomainError, match=message):
        services.parse_bands(text, kind="grades")


def test_computed_criteria_read_the_records(world, make_survey):
    from gongzhi.oversight.tests.conftest import answers_for, close_survey

    survey = make_survey()
    services.survey_answer_submit(
        survey=survey, flat=world.flats[0], answers=answers_for(survey, scale=5), acting_user=world.users["resident"]
    )
    services.survey_answer_submit(
        survey=survey,
        flat=world.flats[1],
        answers=answers_for(survey, scale=2),
        acting_user=world.users["building_head"],
    )
    close_survey(survey)
    today = survey.closes_at.date()
    assessment = services.assessment_start(
        scorecard=card("property_company_stars"),
        estate=world.estate,
        period_start=today - datetime.timedelta(days=30),
        period_end=today + datetime.timedelta(days=1),
        acting_user=world.users["community_worker"],
    )
    computed = assessment.scores.get(criterion__method="survey_satisfaction")
    # One of two company ratings was 4 or 5: 50% of 5 points.
    assert computed.computed and computed.points == Decimal("2.50") and "1/2" in computed.basis
    with pytest.raises(DomainError, match="按记录计算"):
        services.assessment_score(
            assessment=assessment, scores={computed.criterion_id: "5"}, acting_user=world.users["community_worker"]
        )


def test_the_same_subject_and_period_cannot_be_assessed_twice(world):
    worker = world.users["community_worker"]
    services.assessment_start(
        scorecard=card("property_company_stars"),
        estate=world.estate,
        period_start=START,
        period_end=END,
        acting_user=worker,
    )
    with pytest.raises(DomainError, match="已有考评"):
        services.assessment_start(
            scorecard=card("property_company_stars"),
            estate=world.estate,
            period_start=START,
            period_end=END,
            acting_user=worker,
        )
    assert Assessment.objects.count() == 1


@settings(max_examples=40, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=2))
def test_grades_follow_the_bands_with_bounds_included(percent):
    bands = [["AAA", "90"], ["AA", "80"], ["A", "70"], ["B", "60"], ["C", "0"]]
    grade = services.band_for(bands, percent)
    expected = (
        "AAA" if percent >= 90 else "AA" if percent >= 80 else "A" if percent >= 70 else "B" if percent >= 60 else "C"
    )
    assert grade == expected
