"""The stored figures (store.py) against the figures recomputed naively from the raw records: on a
random fixture, then after changing records by every write path (save, delete, many-to-many,
bulk_create, QuerySet.update, raw SQL); their upkeep; the dashboard's trends read from them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gongzhi.funds.models import MicroProject
from gongzhi.indicators import store
from gongzhi.indicators.models import StoredFigure
from gongzhi.indicators.registry import Period, indicators
from gongzhi.indicators.tests.casefixture import random_cases
from gongzhi.indicators.tests.recordfixture import random_records
from gongzhi.meetings.models import Attendance, Meeting
from gongzhi.orgs.models import Organization
from gongzhi.places.models import Place
from gongzhi.volunteers.models import Participation

pytestmark = pytest.mark.django_db

URL = reverse("indicators:dashboard")
PERIODS = [
    Period.year(2025),
    Period.month(2025, 3),
    Period(datetime.date(2025, 2, 10), datetime.date(2025, 5, 17)),
]
_READ = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


def _places():
    return list(Place.objects.filter(kind__in=("subdistrict", "community", "estate")).order_by("path"))


def _stored_indicators():
    return [indicator for indicator in indicators() if store.stored(indicator)]


def _fixture(world, seed):
    estates = [world.estate, world.third_estate, world.other_estate]
    random_records(estates, world.users["community_worker"], world.person("resident"), count=30, seed=seed)
    random_cases(estates, count=40, seed=seed)


def _assert_same(places, periods=PERIODS):
    chosen = _stored_indicators()
    found = store.lookup([(period, chosen, places) for period in periods])
    for period in periods:
        for indicator in chosen:
            naive = indicator.compute_many(places, period)
            for place in places:
                a, b = naive[place.id], found[(period, indicator.key)][place.id]
                assert (a.value, a.numerator, a.denominator) == (b.value, b.numerator, b.denominator), (
                    indicator.key,
                    place.name,
                    period,
                )
                assert type(a.value) is type(b.value), indicator.key


def test_declared_sources_cover_every_table_a_figure_reads(world):
    _fixture(world, 5)
    places = _places()
    for indicator in _stored_indicators():
        with CaptureQueriesContext(connection) as queries:
            indicator.compute_many(places, Period.year(2025))
        read = {table for query in queries for table in _READ.findall(query["sql"])}
        assert read <= store.tables_of(indicator), (indicator.key, sorted(read - store.tables_of(indicator)))


def test_stored_figures_equal_the_naive_ones_and_follow_every_kind_of_write(world):
    _fixture(world, 3)
    places = _places()
    _assert_same(places)
    # A second read computes nothing: one query for the counters, one for the stored rows.
    stats: dict = {}
    with CaptureQueriesContext(connection) as queries:
        store.lookup([(PERIODS[0], _stored_indicators(), places)], stats)
    assert stats["computed"] == 0 and len(queries) == 2

    when = datetime.datetime(2025, 4, 2, 10, tzinfo=timezone.get_current_timezone())
    # save(): a meeting is held; delete(): a participation is withdrawn.
    Meeting.objects.create(
        place=world.estate, kind="three_party", title="新会议", starts_at=when, location="会议室", status="closed"
    )
    Participation.objects.filter(pk__in=Participation.objects.values("pk")[:1]).first().delete()
    _assert_same(places)
    # bulk_create and QuerySet.update (no signals).
    meeting = Meeting.objects.filter(status="closed", starts_at__year=2025).first()
    Attendance.objects.bulk_create([Attendance(meeting=meeting, party="committee", name=f"补登{i}") for i in range(3)])
    MicroProject.objects.filter(status="planned").update(status="done", done_on=datetime.date(2025, 3, 5))
    _assert_same(places)
    # Many-to-many: a branch now also covers a second estate.
    branch = Organization.objects.filter(kind="party_branch").first()
    branch.covered_places.add(world.estate, world.third_estate)
    _assert_same(places)
    # Raw SQL on Django's cursor.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE meetings_meeting SET status = %s WHERE status = %s", ["closed", "planned"])
    _assert_same(places)


def test_a_figure_is_recomputed_only_when_its_tables_changed(world):
    _fixture(world, 4)
    places = _places()
    chosen = _stored_indicators()
    store.lookup([(PERIODS[0], chosen, places)])
    MicroProject.objects.filter(status="planned").update(status="cancelled")
    stats: dict = {}
    store.lookup([(PERIODS[0], chosen, places)], stats)
    works = [i for i in chosen if "funds_microproject" in store.tables_of(i)]
    assert stats["computed"] == len(works) * len(places)


def test_the_dashboard_changes_at_once_and_its_queries_do_not_grow(client_for, world):
    client = client_for("subdistrict_admin")
    query = {"place": world.subdistrict.id, "date": "2025-12-31", "area": "meetings"}

    def held():
        cards = client.get(URL, query).context["dashboard"].sections
        return {c.indicator.key: c.figure.value for s in cards for c in s.cards}["meetings.fixed_held"]

    before = held()
    when = datetime.datetime(2025, 6, 1, 9, tzinfo=timezone.get_current_timezone())
    Meeting.objects.create(
        place=world.estate, kind="three_party", title="六月会议", starts_at=when, location="会议室", status="closed"
    )
    assert held() == before + 1

    _fixture(world, 8)
    client.get(URL, query)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, query)
    _fixture(world, 9)
    random_cases([world.estate, world.other_estate], count=60, seed=10)
    client.get(URL, query)  # folds the new records in
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, query)
    assert len(small) == len(large)
    # Nothing recomputed on a render after no change: the indicators read no records.
    sql = " ".join(q["sql"] for q in large)
    assert "meetings_attendance" not in sql and "funds_microproject" not in sql
    assert response.status_code == 200


def test_trend_of_an_area_adds_up_to_the_year_and_is_drawn_with_its_table(client_for, world):
    _fixture(world, 6)
    client = client_for("subdistrict_admin")
    response = client.get(URL, {"place": world.subdistrict.id, "date": "2025-12-31", "area": "meetings"})
    trend = response.context["trend"]
    assert [row.label for row in trend.rows] == [f"2025-{m:02d}" for m in range(1, 13)]
    year = {c.indicator.key: c.figure for s in response.context["dashboard"].sections for c in s.cards}
    for i, indicator in enumerate(trend.columns):
        if not indicator.is_rate:
            assert sum(row.cells[i].figure.value for row in trend.rows) == year[indicator.key].value, indicator.key
    html = response.content.decode()
    assert 'id="area-trend-table"' in html and "议事协商：按月趋势" in html
    # Every area has its trend.
    for area in dict(response.context["areas"]):
        trend = client.get(URL, {"place": world.subdistrict.id, "date": "2025-12-31", "area": area}).context["trend"]
        assert trend.columns and {c.area for c in trend.columns} == {area}


def test_the_job_stores_past_months_once_and_prunes_odd_periods(world):
    _fixture(world, 7)
    now = timezone.now()
    assert store.precompute(now, months=2) > 0
    assert store.precompute(now, months=2) == 0  # nothing changed: nothing computed
    Attendance.objects.all().delete()
    assert store.precompute(now, months=2) > 0  # the participants figures again
    store.lookup([(PERIODS[2], _stored_indicators(), [world.subdistrict])])
    odd = StoredFigure.objects.filter(start=PERIODS[2].start, end=PERIODS[2].end)
    count = odd.count()
    assert count and store.prune(now + datetime.timedelta(days=30)) >= count
    assert not odd.exists()
    # Whole months are kept.
    assert StoredFigure.objects.exists()


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('INSERT INTO "meetings_meeting" ("title") VALUES (%s)', ["meetings_meeting"]),
        (
            'INSERT OR IGNORE INTO "orgs_organization_covered_places" ("a") VALUES (1)',
            ["orgs_organization_covered_places"],
        ),
        ('UPDATE "funds_microproject" SET "status" = %s', ["funds_microproject"]),
        ("delete from meetings_attendance where id = 1", ["meetings_attendance"]),
        ('TRUNCATE "meetings_meeting", "sessions", "places_place";', ["meetings_meeting", "places_place"]),
        (
            "WITH made AS (INSERT INTO meetings_attendance (n) SELECT 1 RETURNING id) INSERT INTO x SELECT id FROM made",
            ["meetings_attendance"],
        ),
        ('SELECT * FROM "meetings_meeting"', []),
        ('UPDATE "django_session" SET "expire_date" = %s', []),
        ('INSERT INTO "cases_caseevent" ("kind") VALUES (%s)', []),
        ('UPDATE "cases_case" SET "state" = %s', []),  # the case ledger is not counted (store.LIVE)
    ],
)
def test_writes_are_recognised_by_table(sql, tables):
    assert sorted(store._written_tables(sql)) == sorted(tables)


def test_the_same_figure_for_two_lists_of_places(world):
    chosen = [indicator for indicator in _stored_indicators() if indicator.area == "meetings"][:2]
    cases = [indicator for indicator in indicators("cases")][:1]
    first, second = [world.estate], [world.community, world.other_estate]
    found = store.lookup([(PERIODS[0], chosen + cases, first), (PERIODS[0], chosen + cases, second)])
    for indicator in chosen + cases:
        assert set(found[(PERIODS[0], indicator.key)]) == {p.id for p in first + second}
