"""The fast path (roll-ups) against the figures recomputed naively from the raw records."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases.models import Case, CaseEvent, EventKind
from gongzhi.indicators import rollups, store
from gongzhi.indicators.models import CaseDay, CaseMonthBreakdown
from gongzhi.indicators.registry import REGISTRY, Period, indicators
from gongzhi.indicators.tests.casefixture import random_cases
from gongzhi.places.models import Place

pytestmark = pytest.mark.django_db

PERIODS = [
    Period.year(2025),
    Period.month(2025, 3),
    Period(datetime.date(2025, 2, 10), datetime.date(2025, 5, 17)),
    Period.day(datetime.date(2025, 4, 2)),
]


def _places(world):
    return list(Place.objects.filter(kind__in=("subdistrict", "community", "estate")).order_by("path"))


def _assert_same(places, period):
    for key, fast in rollups.FAST.items():
        naive = REGISTRY[key].compute_many(places, period)
        quick = fast(places, period)
        for place in places:
            a, b = naive[place.id], quick[place.id]
            assert (a.value, a.numerator, a.denominator) == (b.value, b.numerator, b.denominator), (
                key,
                place.name,
                period,
            )


@pytest.mark.parametrize("seed", [3, 11])
def test_every_fast_figure_equals_the_naive_one(world, seed):
    estates = [world.estate, world.third_estate, world.other_estate]
    random_cases(estates, count=160, seed=seed)
    assert rollups.refresh() > 0
    places = _places(world)
    for period in PERIODS:
        _assert_same(places, period)
    # Every case indicator in the registry has a fast path.
    assert {i.key for i in indicators("cases")} <= set(rollups.FAST)


def test_incremental_refresh_follows_new_events_and_cases(world):
    estates = [world.estate, world.third_estate]
    cases = random_cases(estates, count=60, seed=5)
    rollups.refresh()
    assert rollups.is_fresh()
    # A review arrives for an old case, and new cases are taken in.
    old = cases[0]
    CaseEvent.objects.create(case=old, kind=EventKind.REVIEWED, at=old.created_at, rating="dissatisfied", solved=False)
    random_cases(estates, count=20, seed=6)
    assert not rollups.is_fresh()
    written = rollups.refresh()
    assert written > 0 and rollups.is_fresh()
    assert rollups.refresh() == 0  # idempotent: nothing new, nothing written
    places = _places(world)
    for period in PERIODS:
        _assert_same(places, period)


def test_full_rebuild_gives_the_same_tables(world):
    random_cases([world.estate, world.other_estate], count=80, seed=9)
    rollups.refresh()
    before = sorted(CaseDay.objects.values_list("estate_id", "day", *rollups.COUNTS))
    breakdown = sorted(CaseMonthBreakdown.objects.values_list("estate_id", "month", "dimension", "key", "received"))
    rollups.refresh(full=True)
    assert sorted(CaseDay.objects.values_list("estate_id", "day", *rollups.COUNTS)) == before
    assert sorted(CaseMonthBreakdown.objects.values_list("estate_id", "month", "dimension", "key", "received")) == (
        breakdown
    )


def test_breakdown_and_trend_add_up_to_the_total(world):
    random_cases([world.estate, world.third_estate, world.other_estate], count=120, seed=13)
    rollups.refresh()
    period = Period(datetime.date(2025, 1, 1), datetime.date(2025, 8, 1))
    total = REGISTRY["cases.received"].compute_many([world.subdistrict], period)[world.subdistrict.id].value
    by_category = sum(sums["received"] for _k, _f, sums in rollups.breakdown(world.subdistrict, period, "category"))
    by_party = sum(sums["received"] for _k, _f, sums in rollups.breakdown(world.subdistrict, period, "responsible"))
    trend = rollups.monthly(world.subdistrict, datetime.date(2025, 1, 1), 7)
    assert by_category == by_party == total == sum(f["cases.received"].value for _m, f in trend)
    assert Case.objects.count() == 120


def test_several_periods_at_once_equal_each_period_alone(world):
    """A trend's months (and odd periods) summed in two queries give what each period's own sums
    give, for one place and for many."""
    random_cases([world.estate, world.third_estate, world.other_estate], count=150, seed=19)
    rollups.refresh()
    months = [Period.month(2025, month) for month in range(1, 13)]
    running = Period(datetime.date(2025, 6, 1), datetime.date(2025, 6, 18))
    periods = [*PERIODS, *months, running]
    places = _places(world)
    for chosen in (places, [world.subdistrict], [world.estate]):
        with CaptureQueriesContext(connection) as queries:
            together = rollups.sums_by_period(chosen, periods)
        assert len(queries) <= 2
        for period in periods:
            assert together[period] == rollups.place_sums(chosen, period), (period, len(chosen))
    trend = {p: REGISTRY["cases.on_time_rate"].compute_many([world.community], p) for p in [*months, running]}
    found = store.lookup([(p, [REGISTRY["cases.on_time_rate"]], [world.community]) for p in [*months, running]])
    assert {p: found[(p, "cases.on_time_rate")] for p in trend} == trend


def test_fast_path_query_count_does_not_grow_with_cases(world):
    places = _places(world)
    period = Period.year(2025)
    random_cases([world.estate], count=20, seed=1)
    rollups.refresh()
    with CaptureQueriesContext(connection) as small:
        for fast in rollups.FAST.values():
            fast(places, period)
    random_cases([world.estate, world.other_estate], count=200, seed=2)
    rollups.refresh()
    with CaptureQueriesContext(connection) as large:
        for fast in rollups.FAST.values():
            fast(places, period)
    assert len(small) == len(large)


# The set-based rebuild (PostgreSQL): the same tables and figures as the Python path ---------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="set-based rebuild is PostgreSQL only")


def _tables():
    return (
        sorted(CaseDay.objects.values_list("estate_id", "day", *rollups.COUNTS)),
        sorted(CaseMonthBreakdown.objects.values_list("estate_id", "month", "dimension", "key", *rollups.COUNTS)),
    )


@postgres_only
@pytest.mark.parametrize("seed", [3, 11, 17])
def test_sql_full_rebuild_equals_the_python_one_and_the_naive_figures(world, seed):
    random_cases([world.estate, world.third_estate, world.other_estate], count=160, seed=seed)
    rollups.refresh(full=True, method="python")
    by_python = _tables()
    assert by_python[0]
    written = rollups.refresh(full=True, method="sql")
    assert written == len(by_python[0]) + len(by_python[1])
    assert _tables() == by_python
    places = _places(world)
    for period in PERIODS:
        _assert_same(places, period)


@postgres_only
def test_sql_incremental_refresh_rebuilds_only_the_touched_buckets(world):
    estates = [world.estate, world.third_estate]
    cases = random_cases(estates, count=60, seed=5)
    rollups.refresh(method="sql")
    assert rollups.is_fresh()
    old = cases[0]
    CaseEvent.objects.create(case=old, kind=EventKind.REVIEWED, at=old.created_at, rating="dissatisfied", solved=False)
    random_cases(estates, count=20, seed=6)
    assert not rollups.is_fresh()
    assert rollups.refresh(method="sql") > 0 and rollups.is_fresh()
    assert rollups.refresh(method="sql") == 0
    incremental = _tables()
    rollups.refresh(full=True, method="python")
    assert _tables() == incremental
    places = _places(world)
    for period in PERIODS:
        _assert_same(places, period)


@postgres_only
def test_sql_rebuild_follows_the_response_hours_setting(world, settings):
    random_cases([world.estate, world.other_estate], count=80, seed=21)
    settings.GONGZHI = {**settings.GONGZHI, "CASE_RESPONSE_HOURS": 2}
    rollups.refresh(full=True, method="sql")
    places = _places(world)
    _assert_same(places, Period.year(2025))


def test_the_python_path_serves_a_small_refresh_and_sqlite(world):
    random_cases([world.estate], count=10, seed=4)
    assert rollups._use_sql(None, changes=10, full=False) is False
    assert rollups._use_sql(None, changes=10**6, full=False) is (connection.vendor == "postgresql")
    assert rollups._use_sql("sql", changes=1, full=False) is (connection.vendor == "postgresql")


def test_a_breakdown_keeps_its_largest_lines_and_sums_the_rest(world):
    """A dashboard lists the parties with the most cases one by one and sums the others in one
    line: the kept lines are the largest, the last line adds up exactly what was left out."""
    random_cases([world.estate, world.third_estate, world.other_estate], count=120, seed=13)
    rollups.refresh()
    period = Period(datetime.date(2025, 1, 1), datetime.date(2025, 8, 1))
    full = rollups.breakdowns(world.subdistrict, period, ("category",))["category"]
    assert len(full) >= 4
    received = [sums["received"] for _k, _f, sums in full]
    assert received == sorted(received, reverse=True)
    kept = rollups.breakdowns(world.subdistrict, period, ("category",), keep={"category": 2})["category"]
    assert [(key, sums) for key, _f, sums in kept[:2]] == [(key, sums) for key, _f, sums in full[:2]]
    assert len(kept) == 3
    rest_key, rest_figures, rest_sums = kept[2]
    assert rest_key == rollups.Rest(len(full) - 2)
    for name in rollups.COUNTS:
        assert rest_sums[name] == sum(sums[name] for _k, _f, sums in full[2:])
    assert rest_figures["cases.received"].value == rest_sums["received"]
    # A single line left out is shown as itself, not as "1 other".
    one_short = rollups.breakdowns(world.subdistrict, period, ("category",), keep={"category": len(full) - 1})
    assert [key for key, _f, _s in one_short["category"]] == [key for key, _f, _s in full]
