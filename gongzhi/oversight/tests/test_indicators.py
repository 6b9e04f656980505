import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongzhi.core.periodic import run_all
from gongzhi.indicators.registry import REGISTRY, Period
from gongzhi.oversight import selectors, services
from gongzhi.oversight.models import LedgerItem, Scorecard
from gongzhi.oversight.tests.conftest import answers_for, close_survey

KEYS = [key for key in REGISTRY if key.startswith("oversight.")]


def test_indicators_are_declared(db):
    assert {
        "oversight.surveys_held",
        "oversight.survey_response_rate",
        "oversight.satisfaction",
        "oversight.ledger_open",
        "oversight.ledger_signed_off",
        "oversight.ledger_overdue",
        "oversight.estates_short_of_surveys",
        "oversight.companies_grade_aaa",
        "oversight.companies_grade_c",
    } <= set(KEYS)


def test_survey_and_ledger_figures(world, make_survey, photo):
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
    inspection = services.inspection_start(estate=world.estate, acting_user=world.users["supervisor"])
    item = services.inspection_add_finding(
        inspection=inspection,
        title="井盖破损",
        party="company",
        photos=[photo()],
        acting_user=world.users["supervisor"],
    )
    services.ledger_item_verify(
        item=item, passed=True, note="已更换", photos=[photo()], acting_user=world.users["supervisor"]
    )
    services.inspection_add_finding(
        inspection=inspection,
        title="路灯不亮",
        party="company",
        photos=[photo()],
        acting_user=world.users["supervisor"],
    )
    year = Period.year(timezone.localdate().year)
    places = [world.subdistrict, world.community, world.estate, world.other_estate]
    figure = {key: REGISTRY[key].compute_many(places, year) for key in KEYS}
    assert figure["oversight.surveys_held"][world.estate.id].value == 1
    assert figure["oversight.surveys_held"][world.other_estate.id].value == 0
    # 2 of the community's 12 flats answered; 2 of 4 scores (scale 5 and 2, 满意 5 and 不满意 1) are 4–5.
    assert figure["oversight.survey_response_rate"][world.community.id].value == Decimal("16.7")
    assert figure["oversight.satisfaction"][world.estate.id].value == Decimal("50.0")
    assert figure["oversight.ledger_open"][world.estate.id].value == 1
    assert figure["oversight.ledger_signed_off"][world.subdistrict.id].value == 1
    assert figure["oversight.ledger_overdue"][world.estate.id].value == 0
    assert figure["oversight.estates_short_of_surveys"][world.subdistrict.id].value == 3


def test_companies_per_grade(world):
    worker = world.users["community_worker"]
    card = Scorecard.objects.get(family="property_company_stars", status="published")
    for estate, points in ((world.estate, "5"), (world.third_estate, "3")):
        assessment = services.assessment_start(
            scorecard=card,
            estate=estate,
            period_start=datetime.date(2025, 1, 1),
            period_end=datetime.date(2025, 6, 30),
            acting_user=worker,
        )
        services.assessment_score(
            assessment=assessment, scores={c.id: points for c in card.criteria.all()}, acting_user=worker
        )
        services.assessment_submit(assessment=assessment, acting_user=worker)
    period = Period.year(2025)
    aaa = REGISTRY["oversight.companies_grade_aaa"].compute_many([world.subdistrict, world.community], period)
    b = REGISTRY["oversight.companies_grade_b"].compute_many([world.subdistrict, world.community], period)
    assert aaa[world.subdistrict.id].value == 1 and b[world.subdistrict.id].value == 1


def test_indicators_and_overview_use_a_fixed_number_of_queries(world, make_survey):
    make_survey()
    period = Period.year(timezone.localdate().year)
    few = [world.estate]
    many = [
        world.subdistrict,
        world.community,
        world.other_community,
        world.estate,
        world.third_estate,
        world.other_estate,
    ]
    for key in KEYS:
        with CaptureQueriesContext(connection) as one:
            REGISTRY[key].compute_many(few, period)
        with CaptureQueriesContext(connection) as six:
            REGISTRY[key].compute_many(many, period)
        assert len(one) == len(six), key
    admin = world.users["subdistrict_admin"]
    selectors.ratings_overview(admin)
    with CaptureQueriesContext(connection) as community:
        selectors.flags(selectors.ratings_overview(admin, place=world.other_community))
    with CaptureQueriesContext(connection) as everything:
        selectors.flags(selectors.ratings_overview(admin))
    assert len(community) == len(everything)


def test_periodic_job_raises_findings_of_closed_surveys_once(world, make_survey):
    survey = make_survey(min_answers=1)
    services.survey_answer_submit(
        survey=survey,
        flat=world.flats[0],
        answers=answers_for(survey, scale=1, single="不满意"),
        acting_user=world.users["resident"],
    )
    close_survey(survey)
    now = timezone.now()
    assert run_all(now, only="oversight")["oversight.survey_findings"] == 2
    assert run_all(now, only="oversight")["oversight.survey_findings"] == 0
    assert set(LedgerItem.objects.values_list("responsible__name", flat=True)) == {"红心物业", "檀悦小区业委会"}


def test_dashboard_shows_the_evaluation_figures(world, make_survey, client_for):
    make_survey()
    page = client_for("community_worker").get("/dashboard/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "群众满意率" in html and "整改超期" in html
