import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.accounts import services as people
from gongzhi.core.errors import DomainError
from gongzhi.oversight import selectors, services
from gongzhi.oversight.models import LedgerItem, SurveyAnswer, SurveyResponse
from gongzhi.oversight.tests.conftest import answers_for, close_survey


def test_resident_answers_once_for_their_flat_and_may_change_it_until_close(world, make_survey, no_min_group):
    survey = make_survey()
    resident = world.users["resident"]
    flat = world.flats[0]
    services.survey_answer_submit(survey=survey, flat=flat, answers=answers_for(survey, scale=2), acting_user=resident)
    services.survey_answer_submit(survey=survey, flat=flat, answers=answers_for(survey, scale=4), acting_user=resident)
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
    current = SurveyAnswer.objects.filter(survey=survey, is_current=True, question__kind="scale")
    assert [a.score for a in current] == [4]
    # The first answer is kept, superseded, never deleted.
    assert SurveyAnswer.objects.filter(survey=survey, is_current=False, question__kind="scale").count() == 1
    results = selectors.survey_results(survey)
    assert results.responses == 1
    assert results.questions[0].average == Decimal("4.00")


def test_second_answer_from_the_same_flat_is_refused_and_changes_nothing(world, make_survey):
    survey = make_survey()
    flat = world.flats[0]
    # Another member of the household (a tenant) of the same flat.
    tenant = people.person_create(name="赵租户", phone="13900002222")
    tenant_user = people.user_create_for_person(person=tenant, username="tenant", password="gongzhi-test-pw")
    people.residence_add(person=tenant, flat=flat, role="tenant") if hasattr(people, "residence_add") else None
    from gongzhi.accounts.models import Residence

    if not Residence.objects.filter(person=tenant).exists():
        Residence.objects.create(person=tenant, flat=flat, role="tenant")
    services.survey_answer_submit(
        survey=survey, flat=flat, answers=answers_for(survey, scale=5), acting_user=world.users["resident"]
    )
    before = SurveyAnswer.objects.count()
    with pytest.raises(DomainError, match="每户只能提交一份"):
        services.survey_answer_submit(
            survey=survey, flat=flat, answers=answers_for(survey, scale=1), acting_user=tenant_user
        )
    with pytest.raises(DomainError, match="每户只能提交一份"):
        services.survey_answer_submit(
            survey=survey,
            flat=flat,
            answers=answers_for(survey, scale=1),
            acting_user=world.users["community_worker"],
            channel="paper",
        )
    assert SurveyAnswer.objects.count() == before
    assert SurveyAnswer.objects.get(is_current=True, question__kind="scale").score == 5


def test_answer_after_close_and_before_open_is_refused(world, make_survey):
    later = make_survey(opens_in=2, closes_in=9)
    with pytest.raises(DomainError, match="尚未开始"):
        services.survey_answer_submit(
            survey=later, flat=world.flats[0], answers=answers_for(later), acting_user=world.users["resident"]
        )
    survey = make_survey()
    services.survey_answer_submit(
        survey=survey, flat=world.flats[0], answers=answers_for(survey, scale=3), acting_user=world.users["resident"]
    )
    close_survey(survey)
    with pytest.raises(DomainError, match="已截止"):
        services.survey_answer_submit(
            survey=survey,
            flat=world.flats[0],
            answers=answers_for(survey, scale=5),
            acting_user=world.users["resident"],
        )
    assert SurveyAnswer.objects.get(survey=survey, is_current=True, question__kind="scale").score == 3


def test_resident_cannot_answer_for_someone_elses_flat_or_another_estate(world, make_survey):
    survey = make_survey()
    with pytest.raises(DomainError, match="自己居住或拥有"):
        services.survey_answer_submit(
            survey=survey, flat=world.flats[4], answers=answers_for(survey), acting_user=world.users["resident"]
        )
    with pytest.raises(DomainError, match="不在本次测评范围"):
        services.survey_answer_submit(
            survey=survey, flat=world.flats[-1], answers=answers_for(survey), acting_user=world.users["other_resident"]
        )
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"scale": 6}, "1到5分"),
        ({"scale": 0}, "1到5分"),
        ({"scale": None}, "必答题"),
        ({"single": 999999}, "选项无效"),
        ({"text": "字" * 501}, "500字"),
    ],
)
def test_bad_answers_are_refused_with_a_clear_message(world, make_survey, change, message):
    survey = make_survey()
    answers = answers_for(survey)
    questions = {q.kind: q.id for q in survey.questions.all()}
    for kind, value in change.items():
        answers[questions[kind]] = value
    with pytest.raises(DomainError, match=message):
        services.survey_answer_submit(
            survey=survey, flat=world.flats[0], answers=answers, acting_user=world.users["resident"]
        )
    assert not SurveyResponse.objects.exists()


def test_staff_enter_paper_answers_for_flats_that_have_not_answered(world, make_survey):
    survey = make_survey()
    worker = world.users["community_worker"]
    services.survey_answer_submit(
        survey=survey, flat=world.flats[5], answers=answers_for(survey, scale=2), acting_user=worker, channel="paper"
    )
    with pytest.raises(DomainError, match="社区工作人员"):
        services.survey_answer_submit(
            survey=survey,
            flat=world.flats[4],
            answers=answers_for(survey),
            acting_user=world.users["steward"],
            channel="paper",
        )
    assert SurveyResponse.objects.get().channel == "paper"


def test_results_never_show_who_answered_what(world, make_survey, client_for, no_min_group):
    survey = make_survey()
    services.survey_answer_submit(
        survey=survey,
        flat=world.flats[0],
        answers=answers_for(survey, scale=1, text="楼道灯坏了很久"),
        acting_user=world.users["resident"],
    )
    services.survey_answer_submit(
        survey=survey,
        flat=world.flats[2],
        answers=answers_for(survey, scale=5, text="保安很负责"),
        acting_user=world.users["committee_chair"],
    )
    response = SurveyResponse.objects.first()
    # The system stores no person: only the flat and a keyed hash.
    assert not hasattr(response, "person") and len(response.respondent_key) == 64
    assert "王小明" not in response.respondent_key
    page = client_for("community_worker").get(f"/oversight/surveys/{survey.id}/results/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "楼道灯坏了很久" in html and "保安很负责" in html
    for name in ("王小明", "黄主任", "101", "201", "1号楼"):
        assert name not in html
    # Comments are listed by their text, not in the order they came in.
    assert html.index("保安很负责") < html.index("楼道灯坏了很久")


def test_results_per_estate_and_question_with_response_rate(world, make_survey, no_min_group):
    survey = make_survey(world.community)
    services.survey_answer_submit(
        survey=survey, flat=world.flats[0], answers=answers_for(survey, scale=5), acting_user=world.users["resident"]
    )
    services.survey_answer_submit(
        survey=survey,
        flat=world.flats[1],
        answers=answers_for(survey, scale=2, single="不满意"),
        acting_user=world.users["building_head"],
    )
    results = selectors.survey_results(survey)
    by_name = {row.estate.name: row for row in results.estates}
    assert set(by_name) == {"檀悦小区", "鸿盛名邸"}
    assert by_name["檀悦小区"].flats == 6 and by_name["檀悦小区"].responses == 2
    assert by_name["檀悦小区"].response_rate == Decimal("33.3")
    assert by_name["鸿盛名邸"].response_rate == Decimal("0.0")
    assert results.response_rate == Decimal("16.7")
    scale = results.questions[0]
    assert scale.average == Decimal("3.50") and scale.satisfied_rate == Decimal("50.0")
    single = results.questions[1]
    assert [(o.label, o.count) for o in single.options] == [("满意", 1), ("基本满意", 0), ("不满意", 1)]


def test_low_scoring_questions_become_ledger_findings_once(world, make_survey):
    survey = make_survey(threshold="3", min_answers=2)
    for flat, user in ((world.flats[0], "resident"), (world.flats[1], "building_head")):
        services.survey_answer_submit(
            survey=survey, flat=flat, answers=answers_for(survey, scale=2, single="满意"), acting_user=world.users[user]
        )
    with pytest.raises(DomainError, match="测评结束后"):
        services.survey_findings_create(survey=survey, acting_user=world.users["community_worker"])
    close_survey(survey)
    created = services.survey_findings_create(survey=survey, acting_user=world.users["community_worker"])
    assert len(created) == 1
    item = created[0]
    assert item.source == "survey" and item.responsible == world.company and item.estate == world.estate
    assert "物业保洁" in item.title and item.deadline is not None
    assert item.case is not None and item.case.channel == "survey" and item.case.responsible == world.company
    assert services.survey_findings_create(survey=survey, acting_user=world.users["community_worker"]) == []
    assert LedgerItem.objects.count() == 1


def test_estates_with_fewer_than_two_surveys_a_year_are_warned(world, make_survey):
    year = timezone.localdate().year
    make_survey()
    make_survey(world.subdistrict)
    make_survey(world.third_estate)
    estates = [world.estate, world.third_estate, world.other_estate]
    short = {e.name: n for e, n in selectors.estates_short_of_surveys(estates, year)}
    assert short == {"梅岭新村": 1}
    assert selectors.estates_short_of_surveys(estates, year - 1)[0][1] == 0


def test_survey_builder_refuses_bad_questions_and_edits_after_publish(world, make_survey):
    worker = world.users["community_worker"]
    now = timezone.now()
    with pytest.raises(DomainError, match="截止时间必须晚于"):
        services.survey_create(place=world.estate, title="x", opens_at=now, closes_at=now, acting_user=worker)
    survey = make_survey(publish=False)
    with pytest.raises(DomainError, match="至少需要两个选项"):
        services.survey_question_add(
            survey=survey, text="是否满意", kind="single", target="company", acting_user=worker, options=[("是", 5)]
        )
    with pytest.raises(DomainError, match="1到5分"):
        services.survey_question_add(
            survey=survey,
            text="是否满意",
            kind="single",
            target="company",
            acting_user=worker,
            options=[("是", 9), ("否", 1)],
        )
    services.survey_publish(survey=survey, acting_user=worker)
    with pytest.raises(DomainError, match="已发布"):
        services.survey_question_add(survey=survey, text="再加一题", kind="text", target="general", acting_user=worker)
    assert survey.questions.count() == 4
    with pytest.raises(DomainError, match="进行中"):
        services.survey_close(survey=close_survey(survey), acting_user=worker)


def test_staff_close_an_open_survey_early(world, make_survey):
    survey = make_survey()
    services.survey_close(survey=survey, acting_user=world.users["community_worker"])
    survey.refresh_from_db()
    assert survey.phase() == "closed"
    assert survey.closes_at <= timezone.now() + datetime.timedelta(seconds=1)


def test_running_tallies_match_a_recount_from_the_answers(world, make_survey, no_min_group):
    from gongzhi.oversight.models import SurveyTally

    survey = make_survey(world.community)
    submits = [
        ("resident", 0, 5, "满意", ("停车",)),
        ("building_head", 1, 2, "不满意", ("停车", "绿化")),
        ("resident", 0, 3, "基本满意", ("安保",)),  # a change by the same resident
        ("committee_chair", 2, 4, "满意", ()),
    ]
    for user, flat, scale, single, multiple in submits:
        services.survey_answer_submit(
            survey=survey,
            flat=world.flats[flat],
            answers=answers_for(survey, scale=scale, single=single, multiple=multiple, text="好" if scale > 3 else ""),
            acting_user=world.users[user],
        )

    def snapshot():
        return sorted(
            SurveyTally.objects.filter(survey=survey, count__gt=0).values_list(
                "estate_id", "question_id", "key", "count"
            )
        )

    running = snapshot()
    services.survey_tally_rebuild(survey=survey)
    assert snapshot() == running
    results = selectors.survey_results(survey)
    assert results.responses == 3 and results.questions[0].average == Decimal("3.00")
    multiple = results.questions[2]
    assert [(o.label, o.count) for o in multiple.options] == [("停车", 1), ("绿化", 1), ("安保", 1)]


def test_staff_of_part_of_a_subdistrict_survey_see_their_own_estates(world, make_survey, client_for):
    survey = make_survey(world.subdistrict)
    services.survey_answer_submit(
        survey=survey,
        flat=world.flats[-1],
        answers=answers_for(survey, scale=1),
        acting_user=world.users["other_resident"],
    )
    services.survey_answer_submit(
        survey=survey, flat=world.flats[0], answers=answers_for(survey, scale=5), acting_user=world.users["resident"]
    )
    # The community worker of 阳光社区 sees 檀悦小区 and 鸿盛名邸, not 梅岭新村 of the other community.
    html = client_for("community_worker").get(f"/oversight/surveys/{survey.id}/results/").content.decode()
    assert "檀悦小区" in html and "鸿盛名邸" in html and "梅岭新村" not in html
    assert 'id="responses">1<' in html
    everything = client_for("subdistrict_admin").get(f"/oversight/surveys/{survey.id}/results/").content.decode()
    assert "梅岭新村" in everything and 'id="responses">2<' in everything


def test_community_staff_enter_paper_answers_of_their_estates_in_a_subdistrict_survey(world, make_survey, client_for):
    survey = make_survey(world.subdistrict)
    client = client_for("community_worker")
    page = client.get(f"/oversight/surveys/{survey.id}/paper/").content.decode()
    assert "檀悦小区" in page and "梅岭新村" not in page
    questions = {q.kind: q for q in survey.questions.prefetch_related("options")}
    data = {
        "flat": world.flats[4].id,
        f"q{questions['scale'].id}": "3",
        f"q{questions['single'].id}": questions["single"].options.first().id,
    }
    assert client.post(f"/oversight/surveys/{survey.id}/paper/", data).status_code == 302
    data["flat"] = world.flats[-1].id  # 梅岭新村, another community
    assert client.post(f"/oversight/surveys/{survey.id}/paper/", data).status_code == 400
    assert SurveyResponse.objects.filter(survey=survey).count() == 1
