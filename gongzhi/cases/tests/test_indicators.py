"""The three rates against a hand-counted fixture.

檀悦小区 (world.estate), all taken in today:
  c1 dispatched, signed, resolved, reviewed: solved, 满意
  c2 dispatched, signed, resolved, reviewed: solved, 基本满意
  c3 dispatched, resolved, reviewed: not solved, 不满意 (reopened)
  c4 dispatched, never answered
  c5 received only (not dispatched)
  c6 rejected (not counted anywhere)
  c7 dispatched, resolved, closed without review
鸿盛名邸 (world.third_estate, same community):
  c8 hotline, dispatched, signed, resolved, phone review: solved, 满意

By hand, for the estate: dispatched 5 (c1 c2 c3 c4 c7), answered within 24 h 4 → 响应率 80.0 %;
reviewed 3 (c1 c2 c3), solved 2 → 解决率 66.7 %; (1 + 0.8 + 0) / 3 → 满意率 60.0 %.
For the community: 5/6 = 83.3 %, 3/4 = 75.0 %, 2.8/4 = 70.0 %. 梅岭新村: no figures.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from gongzhi.cases import services
from gongzhi.indicators.registry import REGISTRY, Period


@pytest.fixture
def fixture_cases(world, report, dispatched, other_steward):
    steward, worker, resident = world.users["steward"], world.users["community_worker"], world.users["resident"]

    def resolved(case, sign=True):
        if sign:
            case = services.case_sign(case=case, acting_user=steward)
        return services.case_resolve(case=case, acting_user=steward, note="已处理")

    c1 = resolved(dispatched())
    services.case_review(case=c1, acting_user=resident, solved=True, rating="satisfied")
    c2 = resolved(dispatched())
    services.case_review(case=c2, acting_user=resident, solved=True, rating="basically_satisfied")
    c3 = resolved(dispatched(), sign=False)
    services.case_review(case=c3, acting_user=resident, solved=False, rating="dissatisfied", comment="没修好")
    dispatched()  # c4
    report()  # c5
    services.case_reject(case=report(), acting_user=worker, reason="无效")  # c6
    c7 = resolved(dispatched(), sign=False)
    services.case_close(case=c7, acting_user=worker, note="反映人联系不上")
    c8 = services.case_create(
        estate=world.third_estate,
        description="车库漏水",
        channel="hotline",
        acting_user=worker,
        contact_phone="13900000000",
    )
    c8 = services.case_dispatch(case=c8, acting_user=worker, responsible=world.other_company)
    c8 = services.case_sign(case=c8, acting_user=other_steward)
    c8 = services.case_resolve(case=c8, acting_user=other_steward, note="已堵漏")
    services.case_review(case=c8, acting_user=worker, solved=True, rating="satisfied", by_phone=True)


def period():
    today = timezone.localdate()
    return Period(today - datetime.timedelta(days=1), today + datetime.timedelta(days=2))


def figures(key, places):
    result = REGISTRY[key].compute_many(places, period())
    return [result[p.id] for p in places]


def test_three_rates_match_the_hand_count(world, fixture_cases, django_assert_num_queries):
    places = [world.estate, world.community, world.other_estate, world.subdistrict]
    with django_assert_num_queries(1):
        response = figures("cases.response_rate", places)
    assert [f.value for f in response] == [Decimal("80.0"), Decimal("83.3"), None, Decimal("83.3")]
    assert (response[0].numerator, response[0].denominator) == (4, 5)
    resolution = figures("cases.resolution_rate", places)
    assert [(f.numerator, f.denominator) for f in resolution[:2]] == [(2, 3), (3, 4)]
    assert float(resolution[0].value) == 66.7 and float(resolution[1].value) == 75.0
    satisfaction = figures("cases.satisfaction_rate", places)
    assert float(satisfaction[0].value) == 60.0 and float(satisfaction[1].value) == 70.0
    assert satisfaction[2].value is None
    received = figures("cases.received", places)
    assert [f.value for f in received] == [6, 7, 0, 7]


def test_query_count_does_not_grow_with_places(world, fixture_cases, django_assert_num_queries):
    many = [world.estate, world.third_estate, world.other_estate, world.community, world.other_community]
    for key in ("cases.response_rate", "cases.resolution_rate", "cases.satisfaction_rate", "cases.on_time_rate"):
        with django_assert_num_queries(1):
            REGISTRY[key].compute_many(many, period())


def test_rating_weights_are_configurable(world, fixture_cases, settings):
    settings.GONGZHI = {**settings.GONGZHI, "CASE_RATING_WEIGHTS": {"basically_satisfied": "1"}}
    assert float(figures("cases.satisfaction_rate", [world.estate])[0].value) == 66.7


def test_response_window_is_configurable(world, fixture_cases, settings):
    settings.GONGZHI = {**settings.GONGZHI, "CASE_RESPONSE_HOURS": 0}
    # Nobody answers in zero time.
    assert figures("cases.response_rate", [world.estate])[0].numerator == 0


def test_composite_score_weights_the_three_rates(world, fixture_cases, settings):
    # Equal weights: (80.0 + 66.7 + 60.0) / 3 = 68.9.
    assert float(figures("cases.composite_score", [world.estate])[0].value) == 68.9
    settings.GONGZHI = {
        **settings.GONGZHI,
        "CASE_RATE_WEIGHTS": {"response": "0.1", "resolution": "0.45", "satisfaction": "0.45"},
    }
    # 0.1 × 80.0 + 0.45 × 66.7 + 0.45 × 60.0 = 65.015 → 65.0
    assert float(figures("cases.composite_score", [world.estate])[0].value) == 65.0
    assert figures("cases.composite_score", [world.other_estate])[0].value is None
